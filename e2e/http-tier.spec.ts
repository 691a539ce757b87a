// The HTTP tier in Chromium, against a real HTTP store (a Node server on another origin,
// with CORS): read-through into IndexedDB, write-back, a corrupted object rejected, the
// server going down, and a manifest pull.
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FileTier, httpTier, pushCache, type TierRecord } from '../src/cache/index.js';
import { startHttpStore, type HttpStore } from '../tests/cache/support/http-store.js';

let store: HttpStore;
let namespaces = 0;
const fresh = () => `e2e${Date.now().toString(36)}${namespaces++}`;

test.beforeAll(async () => {
  store = await startHttpStore();
});
test.afterAll(async () => {
  await store.dispose();
});

const record = (key: string, value: unknown): TierRecord => ({ key, value, storedAt: Date.now(), accessedAt: Date.now(), expiresAt: 0, size: 8, hits: 0 });

async function openFixture(page: Page): Promise<void> {
  await page.goto('e2e/http-tier/fixture.html');
  await page.waitForFunction(() => window.httpTierFixtureReady === true);
}

test('reads through from the HTTP store and promotes the value into IndexedDB', async ({ page }) => {
  const namespace = fresh();
  await httpTier({ baseUrl: store.url, namespace }).put(record('abc123', new Float64Array([2.5, 1])));
  await openFixture(page);
  const got = await page.evaluate(([url, ns]) => window.httpTierFixture.get(url, ns, 'abc123'), [store.url, namespace]);
  expect(got).toEqual({ type: 'Float64Array', length: 2, first: 2.5 });
  const stats = await page.evaluate(([url, ns]) => window.httpTierFixture.stats(url, ns), [store.url, namespace]);
  expect(stats.cache.tiers.http.hits).toBe(1);
  await expect.poll(() => page.evaluate((ns) => window.httpTierFixture.stored(ns, 'abc123'), namespace)).toEqual({ type: 'Float64Array', length: 2, first: 2.5 });
});

test('writes back from the browser to the store (PUT across origins)', async ({ page }) => {
  const namespace = fresh();
  await openFixture(page);
  const flushed = await page.evaluate(async ([url, ns]) => {
    await window.httpTierFixture.set(url, ns, 'from-browser', { answer: 42 });
    return window.httpTierFixture.flush(url, ns);
  }, [store.url, namespace]);
  expect(flushed).toBe(true);
  expect((await httpTier({ baseUrl: store.url, namespace }).get('from-browser'))?.value).toEqual({ answer: 42 });
});

test('rejects a corrupted object: counted as corrupt, never used', async ({ page }) => {
  const namespace = fresh();
  await httpTier({ baseUrl: store.url, namespace }).put(record('damaged', 'the real value'));
  const file = join(store.dir, namespace, 'damaged');
  const bytes = await readFile(file);
  bytes[bytes.length - 3] ^= 0x20;
  await writeFile(file, bytes);
  await openFixture(page);
  const result = await page.evaluate(async ([url, ns]) => ({
    value: await window.httpTierFixture.get(url, ns, 'damaged'),
    stats: window.httpTierFixture.stats(url, ns),
  }), [store.url, namespace]);
  expect(result.value).toBeUndefined();
  expect(result.stats.cache.corrupt).toBe(1);
  expect(result.stats.remote.rejected).toBe(1);
});

test('keeps working locally with one warning while the store is down', async ({ page }) => {
  const namespace = fresh();
  await openFixture(page);
  await page.evaluate(([url, ns]) => window.httpTierFixture.set(url, ns, 'kept', 'local copy'), [store.url, namespace]);
  await store.stop();
  try {
    const result = await page.evaluate(async ([url, ns]) => {
      const f = window.httpTierFixture;
      const missing = await f.get(url, ns, 'never-stored');
      const again = await f.get(url, ns, 'also-never');
      await f.set(url, ns, 'during', 'written while down');
      return { missing, again, kept: await f.get(url, ns, 'kept'), during: await f.get(url, ns, 'during'), warnings: f.warnings() };
    }, [store.url, namespace]);
    expect(result).toEqual({ missing: undefined, again: undefined, kept: 'local copy', during: 'written while down', warnings: 1 });
  } finally {
    await store.start();
  }
  expect(await page.evaluate(([url, ns]) => window.httpTierFixture.flush(url, ns), [store.url, namespace])).toBe(true);
  expect((await httpTier({ baseUrl: store.url, namespace }).get('during'))?.value).toBe('written while down');
});

test('pulls a whole published cache (manifest) into IndexedDB', async ({ page }) => {
  const namespace = fresh();
  const source = new FileTier({ name: 'e2e-source', dir: await mkdtemp(join(tmpdir(), 'phasekit-e2e-push-')) });
  for (let i = 0; i < 5; i++) await source.set(record(`entry${i}`, new Float64Array([i, i])));
  expect((await pushCache({ from: source, to: httpTier({ baseUrl: store.url, namespace }) })).copied).toBe(5);
  await openFixture(page);
  const pulled = await page.evaluate(([url, ns, db]) => window.httpTierFixture.pullInto(url, ns, db, 'entry3'), [store.url, namespace, `pulled-${namespace}`]);
  expect(pulled).toEqual({ copied: 5, failed: 0, reports: 5, value: { type: 'Float64Array', length: 2, first: 3 } });
});
