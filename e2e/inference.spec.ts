// svgd() in a real browser (fixture page: demo/e2e/inference/): the loop in a
// module worker gives the page's own answer bit for bit while the page stays
// responsive, and an abort terminates the worker without breaking the pool.
import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('e2e/inference/index.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

test('a fit in a module worker equals the same fit in the page, bit for bit, with progress and a responsive page', async ({ page }) => {
  const r = await page.evaluate(() => window.inferenceFixture.compare());
  expect(r.equal).toBe(true);
  expect(r.execution).toBe('worker');
  expect(r.reports).toBe(80);
  expect(r.lower).toBeLessThan(r.mean); // accuracy is tested in Node (tests/inference/)
  expect(r.upper).toBeGreaterThan(r.mean);
  const gaps = r.workerGapsMs.map((g) => g.toFixed(0)).join(' and ');
  console.log(`svgd, coalescent n = 5: the page's longest setTimeout gap ${gaps} ms (two fits in the worker), ${r.inlineGapMs.toFixed(0)} ms in the page's own ${r.inlineMs.toFixed(0)} ms fit`);
  // Responsive (RAIL: no task past 100 ms) in at least one of the two fits: a page blocked by
  // the fit's work would be blocked in both; one stall of a busy 2-core machine is not.
  expect(Math.min(...r.workerGapsMs)).toBeLessThan(100);
});

test('an abort rejects with AbortError; the pool then fits again to the same answer', async ({ page }) => {
  const r = await page.evaluate(() => window.inferenceFixture.abort());
  expect(r.error).toEqual({ name: 'AbortError', code: 'ABORTED' });
  expect(r.afterEqual).toBe(true);
});

test('count data given again at each θ: an unchanged call is the first one, a value changed in place is seen', async ({ page }) => {
  const r = await page.evaluate(() => window.inferenceFixture.countsGivenAgain());
  expect(r).toEqual({ same: true, freshBefore: true, changedIsFresh: true, changedDiffers: true });
});
