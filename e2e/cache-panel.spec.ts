// The cache panel in Chromium: every layer's entries, clear reaching the workers'
// memory, and an export → clear → import round trip through a real file, after
// which a reload computes from IndexedDB without recording anything.
import { test, expect, type Page } from '@playwright/test';
import { compute, lastComputation, openDemo } from './support/demo-page.js';

const entries = async (page: Page, cache: string) => Number(await page.locator(`tr[data-cache="${cache}"]`).getAttribute('data-entries'));

async function refreshed(page: Page): Promise<void> {
  await page.click('#cache-refresh');
  await expect(page.locator('#cache-refresh')).toBeEnabled();
}

test('export, clear everything and import round-trip the layers through a file; a reload then loads the trace from IndexedDB', async ({ page }, info) => {
  await openDemo(page); // coalescent n = 10: its trace is now stored
  await refreshed(page);
  expect(await entries(page, 'traces')).toBe(1);
  expect(await entries(page, 'demo-curves')).toBe(1);

  const download = page.waitForEvent('download');
  await page.click('#cache-export');
  const file = info.outputPath('cache.phasekit-cache');
  await (await download).saveAs(file);

  await page.click('#cache-clear-all');
  await expect(page.locator('#cache-message')).toContainText('Cleared every layer');
  for (const cache of ['traces', 'evaluators', 'demo-graphs', 'demo-curves']) expect(await entries(page, cache)).toBe(0);

  await page.setInputFiles('#cache-import-file', file);
  // The trace, plus any WebGPU pipelines the status line's self-test stored before the export
  // (it runs in the background after the first results, so their number depends on timing).
  await expect(page.locator('#cache-message')).toContainText('Imported ');
  const imported = Number(/Imported (\d+) entr/.exec(await page.locator('#cache-message').innerText())![1]);
  expect(await entries(page, 'traces')).toBe(1);
  expect(imported).toBe(1 + await entries(page, 'evaluators') + await entries(page, 'pipelines'));
  await page.locator('#cache').screenshot({ path: 'test-results/demo-cache-panel.png' });

  await page.reload();
  await page.evaluate(() => window.demoReady);
  const c = await lastComputation(page);
  expect(c.source).toBe('indexeddb');
  expect(c.steps.find((s) => s.step === 'graph')!.from).toBe('built in a worker'); // demo-graphs was cleared, not imported
});

test('a file that is not an archive is refused with a message, and nothing stored is lost', async ({ page }, info) => {
  await openDemo(page);
  const junk = info.outputPath('junk.phasekit-cache');
  await (await import('node:fs/promises')).writeFile(junk, 'not an archive at all');
  await page.setInputFiles('#cache-import-file', junk);
  await expect(page.locator('#cache-message')).toContainText('Nothing imported');
  expect(await entries(page, 'traces')).toBe(1);
});

test('clearing the traces layer reaches the workers: the next computation records the trace again', async ({ page }) => {
  await openDemo(page);
  expect(await compute(page, 'coalescent', 12, [1])).toBe('done');
  expect((await lastComputation(page)).source).toBe('recorded');
  expect(await compute(page, 'coalescent', 12, [2])).toBe('done');
  // Found again: in the memory of the worker that recorded it, or, when the pool hands the
  // call to the other worker (the first was busy refreshing the panel), in IndexedDB.
  expect(['memory', 'indexeddb']).toContain((await lastComputation(page)).source);
  await page.click('#cache-clear-traces');
  await expect(page.locator('#cache-message')).toContainText('Cleared traces');
  expect(await compute(page, 'coalescent', 12, [3])).toBe('done');
  expect((await lastComputation(page)).source).toBe('recorded');
});
