import { expect, test, type Page } from '@playwright/test';

const FIXTURE = 'e2e/cache/fixture.html';
let names = 0;
// Each test its own cache (and database), so runs never see each other's data.
const freshName = () => `e2e-${Date.now().toString(36)}-${names++}`;

async function openFixture(page: Page): Promise<void> {
  await page.goto(FIXTURE);
  await page.waitForFunction(() => window.cacheFixtureReady === true);
}

test.describe('phasekit cache in Chromium', () => {
  test('entries survive a page reload through IndexedDB', async ({ page }) => {
    const name = freshName();
    await openFixture(page);
    await page.evaluate(async (n) => {
      await window.cacheFixture.set(n, 'json', { answer: 42 });
      await window.cacheFixture.setBytes(n, 'trace', 1 << 20, 7);
    }, name);
    await page.reload();
    await page.waitForFunction(() => window.cacheFixtureReady === true);
    const after = await page.evaluate(async (n) => ({
      json: await window.cacheFixture.get(n, 'json'),
      trace: await window.cacheFixture.get(n, 'trace'),
      stats: window.cacheFixture.stats(n),
    }), name);
    expect(after.json).toEqual({ answer: 42 });
    expect(after.trace).toEqual({ bytes: 1 << 20, first: 7 });
    expect(after.stats.tiers.indexeddb.hits).toBe(2);
  });

  test('two tabs see each other\'s deletes, tag invalidations and clears', async ({ context }) => {
    const name = freshName();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    await openFixture(tabA);
    await openFixture(tabB);
    await tabA.evaluate(async (n) => {
      await window.cacheFixture.set(n, 'deleted', 'v');
      await window.cacheFixture.set(n, 'tagged', 'v', { tags: ['user:1'] });
      await window.cacheFixture.set(n, 'cleared', 'v');
    }, name);
    // Tab B loads all three into its memory tier.
    for (const key of ['deleted', 'tagged', 'cleared']) expect(await tabB.evaluate(([n, k]) => window.cacheFixture.get(n, k), [name, key])).toBe('v');
    expect(await tabB.evaluate((n) => window.cacheFixture.inMemory(n, 'deleted'), name)).toBe(true);

    await tabA.evaluate((n) => window.cacheFixture.delete(n, 'deleted'), name);
    await expect.poll(() => tabB.evaluate((n) => window.cacheFixture.inMemory(n, 'deleted'), name)).toBe(false);
    await tabA.evaluate((n) => window.cacheFixture.invalidateTag(n, 'user:1'), name);
    await expect.poll(() => tabB.evaluate((n) => window.cacheFixture.inMemory(n, 'tagged'), name)).toBe(false);
    await tabA.evaluate((n) => window.cacheFixture.clear(n), name);
    await expect.poll(() => tabB.evaluate((n) => window.cacheFixture.inMemory(n, 'cleared'), name)).toBe(false);
    expect(await tabB.evaluate((n) => window.cacheFixture.get(n, 'cleared'), name)).toBeUndefined();
  });

  test('two tabs computing one key concurrently compute it once (Web Locks)', async ({ context }) => {
    const name = freshName();
    const [tabA, tabB] = [await context.newPage(), await context.newPage()];
    await openFixture(tabA);
    await openFixture(tabB);
    const compute = (tab: Page) => tab.evaluate((n) => window.cacheFixture.computeShared(n, 'expensive', 400), name);
    const [a, b] = await Promise.all([compute(tabA), compute(tabB)]);
    expect(a).toBe(b);
    const counts = await Promise.all([tabA, tabB].map((tab) => tab.evaluate(() => window.cacheFixture.computations())));
    expect(counts[0] + counts[1]).toBe(1);
  });

  test('a QuotaExceededError on put evicts from IndexedDB, retries once and keeps the memory copy', async ({ page }) => {
    const name = freshName();
    await openFixture(page);
    const result = await page.evaluate(async (n) => {
      const f = window.cacheFixture;
      for (let i = 0; i < 10; i++) await f.setBytes(n, `old${i}`, 100_000);
      f.failPuts(1);
      await f.setBytes(n, 'new', 100_000, 9);
      const afterRetry = { stored: await f.storedKeys(n), stats: f.stats(n) };
      f.failPuts(1_000);
      await f.setBytes(n, 'doomed', 1000, 3);
      return { afterRetry, doomed: await f.get(n, 'doomed'), storedAtLast: await f.storedKeys(n), stats: f.stats(n) };
    }, name);
    expect(result.afterRetry.stored).toContain('new');
    expect(result.afterRetry.stored.length).toBeLessThan(11);
    expect(result.afterRetry.stats.tiers.indexeddb.evictions).toBeGreaterThan(0);
    expect(result.afterRetry.stats.tiers.indexeddb.errors ?? 0).toBe(0);
    // Still full after the retry: the write is given up, the memory copy is not.
    expect(result.doomed).toEqual({ bytes: 1000, first: 3 });
    expect(result.storedAtLast).not.toContain('doomed');
    expect(result.stats.tiers.indexeddb.errors).toBe(1);
  });

  test('without IndexedDB (private mode) the cache runs memory-only with exactly one warning', async ({ page }) => {
    const name = freshName();
    await page.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is disabled in private mode', 'InvalidStateError');
      };
    });
    await openFixture(page);
    const result = await page.evaluate(async (n) => {
      const f = window.cacheFixture;
      await f.set(n, 'a', 'alpha');
      await f.set(n, 'b', 'beta');
      const hit = await f.get(n, 'a');
      const miss = await f.get(n, 'nothing');
      const computed = await f.computeShared(n, 'c', 1);
      return { hit, miss, computed, warnings: f.warnings(), stats: f.stats(n) };
    }, name);
    expect(result.hit).toBe('alpha');
    expect(result.miss).toBeUndefined();
    expect(result.computed).toMatch(/^computed by /);
    expect(result.warnings).toBe(1);
    expect(result.stats.memory.entries).toBe(3);
  });

  test('reports the origin\'s storage estimate', async ({ page }) => {
    await openFixture(page);
    const estimate = await page.evaluate(() => window.cacheFixture.storageEstimate('estimate'));
    expect(estimate?.quota).toBeGreaterThan(0);
    expect(estimate?.fraction).toBeGreaterThanOrEqual(0);
  });
});
