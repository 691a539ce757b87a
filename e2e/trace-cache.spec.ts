// The trace cache in real Chromium: IndexedDB persistence across reloads,
// corruption detected and recomputed, export/import between browser profiles.
import { test, expect, type Page } from '@playwright/test';

type Result = { moments: number[]; hash: string; recorded: number; indexeddbHits: number; corrupt: number; stored: number };

async function openFixture(page: Page): Promise<void> {
  await page.goto('e2e/traces/index.html');
  await page.waitForFunction(() => (window as unknown as { fixtureReady?: boolean }).fixtureReady === true);
}

const compileIn = (page: Page, n: number) =>
  page.evaluate((size) => (window as unknown as { compileCoalescent(n: number, t: number[]): Promise<Result> }).compileCoalescent(size, [1.3]), n);

test('a reload eliminates nothing: the trace comes from IndexedDB and gives identical results', async ({ page }) => {
  await openFixture(page);
  const first = await compileIn(page, 15);
  expect(first.recorded).toBe(1);
  expect(first.stored).toBe(1);
  expect(first.moments[0]).toBeCloseTo((2 * (1 - 1 / 15)) / 1.3, 12);

  await page.reload();
  await openFixture(page);
  const second = await compileIn(page, 15);
  expect(second.recorded).toBe(0);
  expect(second.indexeddbHits).toBe(1);
  expect(second.hash).toBe(first.hash);
  expect(second.moments).toEqual(first.moments);
});

test('a large trace is stored as a Blob; it comes back after a reload, and a damaged one is recomputed', async ({ page }) => {
  type Form = { key: string; blob: boolean; bytes: number };
  const forms = () => page.evaluate(() => (window as unknown as { storedForms(): Promise<Form[]> }).storedForms());
  await openFixture(page);
  const small = await compileIn(page, 12), large = await compileIn(page, 30);
  expect(large.recorded).toBe(2);
  const stored = await forms();
  // n = 30's trace is 2.25 MB, over the 2 MiB from which values are Blobs; n = 12's is inline.
  expect(stored.filter((f) => f.blob).map((f) => f.bytes)).toEqual([expect.any(Number)]);
  expect(stored.find((f) => f.blob)!.bytes).toBeGreaterThan(2 << 20);
  expect(stored.filter((f) => !f.blob)).toHaveLength(1);

  await page.reload();
  await openFixture(page);
  const again = await compileIn(page, 30);
  expect(again).toMatchObject({ recorded: 0, indexeddbHits: 1, corrupt: 0, hash: large.hash });
  expect(again.moments).toEqual(large.moments);

  expect(await page.evaluate(() => (window as unknown as { corruptStoredTraces(): Promise<number> }).corruptStoredTraces())).toBe(2);
  await page.reload();
  await openFixture(page);
  const damaged = await compileIn(page, 30);
  expect(damaged).toMatchObject({ recorded: 1, corrupt: 1, hash: large.hash });
  expect(damaged.moments).toEqual(large.moments);
  expect(small.recorded).toBe(1);
});

test('a corrupted IndexedDB record is detected, dropped and recomputed', async ({ page }) => {
  await openFixture(page);
  const first = await compileIn(page, 12);
  expect(first.recorded).toBe(1);
  expect(await page.evaluate(() => (window as unknown as { corruptStoredTraces(): Promise<number> }).corruptStoredTraces())).toBeGreaterThan(0);

  await page.reload();
  await openFixture(page);
  const again = await compileIn(page, 12);
  expect(again.corrupt).toBe(1);
  expect(again.recorded).toBe(1);
  expect(again.moments).toEqual(first.moments);
});

test('an export from one browser profile imported into a fresh one gives hits', async ({ browser }) => {
  const source = await browser.newContext();
  const a = await source.newPage();
  await openFixture(a);
  const original = await compileIn(a, 10);
  const archive = await a.evaluate(() => (window as unknown as { exportAll(): Promise<number[]> }).exportAll());
  await source.close();

  const fresh = await browser.newContext(); // new profile: empty IndexedDB
  const b = await fresh.newPage();
  await openFixture(b);
  expect(await b.evaluate((bytes) => (window as unknown as { importAll(b: number[]): Promise<number> }).importAll(bytes), archive)).toBe(1);
  await b.reload();
  await openFixture(b);
  const imported = await compileIn(b, 10);
  expect(imported.recorded).toBe(0);
  expect(imported.indexeddbHits).toBe(1);
  expect(imported.moments).toEqual(original.moments);
  await fresh.close();
});

type EvaluatorResult = { key: string; values: number[]; gradients: number[]; traces: number; evaluators: number; evaluatorHits: number; corrupt: number };
const evaluatorIn = (page: Page, n: number) =>
  page.evaluate((size) => (window as unknown as { evaluatorRun(n: number): Promise<EvaluatorResult> }).evaluatorRun(size), n);

test('layer 2: after a reload IndexedDB holds the evaluator (a hit; its record is not read back): nothing recorded or planned', async ({ page }) => {
  await openFixture(page);
  const first = await evaluatorIn(page, 12);
  // The coalescent's SFS takes one pass a row: no trace is recorded, layer 2 alone is planned.
  expect(first).toMatchObject({ traces: 0, evaluators: 1 });
  await page.reload();
  await openFixture(page);
  const second = await evaluatorIn(page, 12);
  expect(second).toMatchObject({ traces: 0, evaluators: 0, evaluatorHits: 1, corrupt: 0, key: first.key });
  expect(second.values).toEqual(first.values);
  expect(second.gradients).toEqual(first.gradients);
});

test('layer 2: a corrupted evaluator record in IndexedDB is never used; a read by key (export) drops and counts it', async ({ page }) => {
  await openFixture(page);
  const first = await evaluatorIn(page, 10);
  expect(await page.evaluate(() => (window as unknown as { corruptStoredTraces(db: string): Promise<number> }).corruptStoredTraces('phasekit-cache:evaluators'))).toBe(1);
  await page.reload();
  await openFixture(page);
  // The page holds the specification's bytes itself: it reads no record back.
  const again = await evaluatorIn(page, 10);
  expect(again).toMatchObject({ evaluators: 0, traces: 0, corrupt: 0, evaluatorHits: 1, key: first.key });
  expect(again.values).toEqual(first.values);
  // An export from a page whose memory lacks the evaluator reads every record by key: the
  // damaged one is dropped and counted, not exported; the next caller stores it again.
  await page.reload();
  await openFixture(page);
  const archive = await page.evaluate(() => (window as unknown as { exportAll(): Promise<number[]> }).exportAll());
  const afterExport = await evaluatorIn(page, 10);
  expect(afterExport).toMatchObject({ evaluators: 1, corrupt: 1, key: first.key });
  expect(afterExport.values).toEqual(first.values);
  expect(archive.length).toBeGreaterThan(0);
});
