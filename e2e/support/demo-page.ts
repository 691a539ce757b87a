// Driving the demo site's main page from the e2e specs: open it, pick a model,
// compute, wait for the results area to settle, read what it shows.
import { expect, type Page } from '@playwright/test';
import type { ComputationRecord, ResultState } from '../../demo/gallery/gallery.js';

/** Opens the gallery and waits for its first computation (coalescent n = 10). */
export async function openDemo(page: Page, path = './'): Promise<void> {
  await page.goto(path);
  await page.evaluate(() => window.demoReady);
}

/** The results area's state once it stops computing. */
export async function settled(page: Page, timeout = 60_000): Promise<ResultState> {
  await page.waitForFunction(() => document.getElementById('results')?.dataset.state !== 'computing', undefined, { timeout });
  return (await page.locator('#results').getAttribute('data-state')) as ResultState;
}

/** Picks a gallery model, sets its size and θ, and computes. */
export async function compute(page: Page, model: string, size: number | null, theta: number[]): Promise<ResultState> {
  await page.check(`#model-${model}`);
  if (size !== null) await page.fill('#size', String(size));
  for (const [i, value] of theta.entries()) await page.fill(`#theta-${i}`, String(value));
  await page.click('#compute');
  return settled(page);
}

/** A number the results table shows (its exact value, from data-value). */
export async function shown(page: Page, name: string): Promise<unknown> {
  return JSON.parse((await page.locator(`[data-result="${name}"]`).getAttribute('data-value')) ?? 'null');
}

/** The last computation, as the page recorded it (numbers only: graphs and typed arrays as plain data). */
export function lastComputation(page: Page): Promise<Pick<ComputationRecord, 'key' | 'steps' | 'cold' | 'totalMs'> & { sfs: number[] | null; source: string; x: number[] }> {
  return page.evaluate(() => {
    const c = window.demo.computations[window.demo.computations.length - 1];
    return { key: c.key, steps: c.steps, cold: c.cold, totalMs: c.totalMs, sfs: c.summary.sfs ? Array.from(c.summary.sfs) : null, source: c.summary.trace.source, x: Array.from(c.curves.x) };
  });
}

/** The results and plots are on screen. */
export async function expectResults(page: Page): Promise<void> {
  await expect(page.locator('#results-body')).toBeVisible();
  await expect(page.locator('#density-plot svg')).toBeVisible();
  await expect(page.locator('#cdf-plot svg')).toBeVisible();
  await expect(page.locator('#error')).toBeHidden();
}

/** Nothing from an earlier computation is on screen. */
export async function expectNoResults(page: Page): Promise<void> {
  await expect(page.locator('#results-body')).toBeHidden();
  await expect(page.locator('#plots')).toBeHidden();
  expect(await page.locator('#density-plot svg').count()).toBe(0);
}

/** Runs a fit in the inference panel with these settings; answers its final state. */
export async function runFit(page: Page, settings: { observations: number; particles: number; iterations: number }): Promise<string> {
  await page.fill('#fit-count', String(settings.observations));
  await page.fill('#fit-particles', String(settings.particles));
  await page.fill('#fit-iterations', String(settings.iterations));
  await page.click('#fit-run');
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.getElementById('inference')!.dataset.state!), undefined, { timeout: 60_000 });
  return (await page.locator('#inference').getAttribute('data-state'))!;
}
