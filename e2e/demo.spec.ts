// The demo site's gallery in Debian's Chromium: every model computed through the
// worker pool (none on the main thread), exact values, plots with labelled axes
// over a quantile range, cancel, stale results, keyboard and phone width.
// Screenshots of every model go to test-results/.
import { test, expect } from '@playwright/test';
import { compute, expectNoResults, expectResults, lastComputation, openDemo, runFit, settled, shown } from './support/demo-page.js';

let pageErrors: string[] = [];
test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openDemo(page);
});
test.afterEach(() => expect(pageErrors).toEqual([]));

test('the coalescent n = 10 is computed in the pool: mean 2(1 − 1/n) shown as 1.8, SFS bars E[R_i] = 2/i', async ({ page }) => {
  expect(await compute(page, 'coalescent', 10, [1])).toBe('done');
  expect(Math.abs((await shown(page, 'mean')) as number - 1.8)).toBeLessThan(1e-12);
  await expect(page.locator('[data-result="mean"]')).toHaveText('1.8'); // not 1.7999999999999998
  const c = await lastComputation(page);
  c.sfs!.forEach((value, i) => expect(Math.abs(value - 2 / (i + 1))).toBeLessThan(1e-12));
  expect(c.steps.find((s) => s.step === 'trace')!.from).toMatch(/worker/);
  const stats = await page.evaluate(() => window.demo.session.pool.stats());
  expect(stats.spawned).toBeGreaterThan(0);
  await expectResults(page);
  await expect(page.locator('#sfs-plot svg')).toBeVisible();
  // Axes are labelled, and the range comes from the quantiles (not a fixed [0, 4]).
  await expect(page.locator('#density-plot svg')).toContainText('time to the most recent common ancestor');
  await expect(page.locator('#cdf-plot svg')).toContainText('P(T ≤ t)');
  expect(c.x[c.x.length - 1]).toBeGreaterThan(6);
  // The status line: the kernel, the workers, and WebGPU's adapter or why there is none.
  await expect(page.locator('[data-status="kernel"]')).toContainText('ready');
  await expect(page.locator('[data-status="workers"]')).toContainText(/workers: [1-9]\d* of \d+ running/);
  await expect(page.locator('[data-status="webgpu"]')).not.toContainText('checking', { timeout: 15_000 });
  await page.screenshot({ path: 'test-results/demo-coalescent.png', fullPage: true });
});

test('rabbits N = 2 at θ = (1, 2, 4) has mean 0.503826530612245', async ({ page }) => {
  expect(await compute(page, 'rabbits', 2, [1, 2, 4])).toBe('done');
  expect(Math.abs((await shown(page, 'mean')) as number - 0.503826530612245)).toBeLessThan(1e-12);
  await expectResults(page);
  await expect(page.locator('#sfs-figure')).toBeHidden();
  await page.screenshot({ path: 'test-results/demo-rabbits.png', fullPage: true });
});

test('the hypo-exponential with k = 200 phases at rates (1, 3) has mean 100 + 100/3, and its plot starts near the mass, not at 0', async ({ page }) => {
  expect(await compute(page, 'phases', 200, [1, 3])).toBe('done');
  expect(Math.abs((await shown(page, 'mean')) as number - (100 + 100 / 3))).toBeLessThan(1e-9);
  expect(Math.abs((await shown(page, 'variance')) as number - (100 + 100 / 9))).toBeLessThan(1e-7);
  const c = await lastComputation(page);
  expect(c.x[0]).toBeGreaterThan(80);
  expect(c.x[c.x.length - 1]).toBeLessThan(200);
  await expectResults(page);
  await page.screenshot({ path: 'test-results/demo-phases.png', fullPage: true });
});

test('the negative binomial (discrete) with k = 3, p = 0.3 has mean k/p = 10 and variance k(1 − p)/p², drawn as pmf bars', async ({ page }) => {
  expect(await compute(page, 'negative-binomial', 3, [0.3])).toBe('done');
  expect(Math.abs((await shown(page, 'mean')) as number - 10)).toBeLessThan(1e-10);
  expect(Math.abs((await shown(page, 'variance')) as number - (3 * 0.7) / 0.09)).toBeLessThan(1e-9);
  await expect(page.locator('#density-caption')).toHaveText('probability mass');
  await expect(page.locator('#density-plot svg')).toContainText('P(τ = k)');
  await expectResults(page);
  await page.screenshot({ path: 'test-results/demo-negative-binomial.png', fullPage: true });
});

test('graph JSON pasted into "your graph" is computed; a broken graph shows its GraphError and no results', async ({ page }) => {
  await page.check('#model-json');
  await page.fill('#graph-json', JSON.stringify({ paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]]] }));
  await page.fill('#theta-0', '4');
  await page.click('#compute');
  expect(await settled(page)).toBe('done');
  expect(await shown(page, 'mean')).toBeCloseTo(0.25, 14);
  expect(await shown(page, 'variance')).toBeCloseTo(0.0625, 14);
  await page.screenshot({ path: 'test-results/demo-your-graph.png', fullPage: true });

  await page.fill('#graph-json', JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, -2]] }));
  await page.click('#compute');
  expect(await settled(page)).toBe('error');
  await expect(page.locator('#error')).toContainText('GraphError');
  await expectNoResults(page);
});

test('Cancel stops a long computation (coalescent n = 40, cold) in its worker, clears the screen, and the pool computes again', async ({ page }) => {
  await page.check('#model-coalescent');
  await page.fill('#size', '40');
  await page.click('#compute');
  await expect(page.locator('#compute')).toBeDisabled();
  // Step 2 (record the trace, replay 39 rewards) is one call of about a second in a worker: cancel during it.
  await expect(page.locator('#progress-label')).toContainText('2/3', { timeout: 30_000 });
  await page.waitForFunction(() => window.demo.session.pool.stats().busy > 0, undefined, { timeout: 30_000 });
  const t0 = Date.now();
  await page.click('#cancel');
  expect(await settled(page, 5_000)).toBe('cancelled');
  expect(Date.now() - t0).toBeLessThan(3_000);
  await expectNoResults(page);
  await expect(page.locator('#results-empty')).toContainText('Cancelled');
  expect((await page.evaluate(() => window.demo.session.pool.stats())).aborted).toBeGreaterThan(0);
  expect(await compute(page, 'coalescent', 5, [1])).toBe('done');
  expect(Math.abs((await shown(page, 'mean')) as number - 1.6)).toBeLessThan(1e-12);
});

test('Cancel stops a running fit and leaves no posterior on screen', async ({ page }) => {
  await page.fill('#fit-iterations', '100000');
  await page.click('#fit-run');
  await expect(page.locator('#fit-progress')).toContainText('iteration', { timeout: 30_000 });
  await page.click('#fit-cancel');
  await expect(page.locator('#inference')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.locator('#fit-progress')).toContainText('Cancelled');
  await expect(page.locator('#posterior')).toBeHidden();
  await expect(page.locator('#fit-run')).toBeEnabled();
});

test('editing an input takes the results off the screen at once', async ({ page }) => {
  await expectResults(page); // the first model, computed on load
  await page.fill('#theta-0', '2');
  expect(await page.locator('#results').getAttribute('data-state')).toBe('stale');
  await expectNoResults(page);
  await expect(page.locator('#results-empty')).toContainText('inputs changed');
});

test('the gallery works from the keyboard: arrow keys pick a model, Enter computes', async ({ page }) => {
  await page.focus('#model-coalescent');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#model-rabbits')).toBeChecked();
  await page.focus('#size');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  expect(await settled(page)).toBe('done');
  await expect(page.locator('#results-for')).toContainText('Rabbits');
});

test('at phone width the page needs no sideways scrolling and the plots fit', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await compute(page, 'coalescent', 10, [1])).toBe('done');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const plotWidth = await page.locator('#density-plot svg').evaluate((svg) => svg.getBoundingClientRect().width);
  expect(plotWidth).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'test-results/demo-phone.png', fullPage: true });
});

test('the fit panel recovers the coalescent rate from simulated times: the truth lies in the 95 % interval', async ({ page }) => {
  expect(await runFit(page, { observations: 300, particles: 24, iterations: 60 })).toBe('done');
  const result = await page.evaluate(() => window.demo.inference.result);
  expect(result!.quantiles['0.025'][0]).toBeLessThan(1);
  expect(result!.quantiles['0.975'][0]).toBeGreaterThan(1);
  expect(result!.sd[0]).toBeGreaterThan(0.01);
  expect(result!.sd[0]).toBeLessThan(0.2);
  await expect(page.locator('#posterior-plots svg')).toContainText('true value');
  await page.locator('#inference').screenshot({ path: 'test-results/demo-fit.png' });
});
