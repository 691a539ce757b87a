// The demo page in Debian's Chromium: results computed in the page by the
// WebAssembly kernel, compared with exact values and with the same library in Node.
import { test, expect, type Page } from '@playwright/test';
import { ready, models } from '../src/index.js';

const result = async (page: Page, name: string): Promise<number | number[]> =>
  JSON.parse((await page.locator(`[data-result="${name}"]`).getAttribute('data-value')) ?? 'null');

async function computeBuiltin(page: Page, model: 'coalescent' | 'rabbits', size: number, theta: number[]): Promise<void> {
  await page.selectOption('#model', model);
  await page.fill('#size', String(size));
  for (const [i, value] of theta.entries()) await page.fill(`#theta-${i}`, String(value));
  await page.click('#compute');
}

let pageErrors: string[] = [];
test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('./');
  await page.evaluate(() => window.demoReady);
});
test.afterEach(() => expect(pageErrors).toEqual([]));

test('the coalescent n = 10 expectation computed through the page is 2(1 − 1/10)', async ({ page }) => {
  await computeBuiltin(page, 'coalescent', 10, [1]);
  expect(Math.abs((await result(page, 'expectation')) as number - 1.8)).toBeLessThan(1e-12);
  expect(await result(page, 'vertices')).toBe(43);
  await expect(page.locator('#error')).toBeHidden();
});

test('window.phasekit computes the coalescent n = 10 expectation in the page', async ({ page }) => {
  const e = await page.evaluate(async () => {
    const { ready, models } = window.phasekit;
    await ready();
    return models.coalescent(10).expectation({ theta: [1] });
  });
  expect(Math.abs(e - 1.8)).toBeLessThan(1e-12);
});

test('rabbits N = 2 at θ = (1, 2, 4) has E[T] = 0.503826530612245', async ({ page }) => {
  await computeBuiltin(page, 'rabbits', 2, [1, 2, 4]);
  expect(Math.abs((await result(page, 'expectation')) as number - 0.503826530612245)).toBeLessThan(1e-12);
  const viaApi = await page.evaluate(() => window.phasekit.models.rabbits(2).expectation({ theta: [1, 2, 4] }));
  expect(Math.abs(viaApi - 0.503826530612245)).toBeLessThan(1e-12);
});

test('the pdf computed in the page equals the pdf computed in Node', async ({ page }) => {
  await ready();
  const times = [0.5, 1, 2.5];
  const inNode = Array.from(models.coalescent(10).pdf(times, { theta: [1] }));
  const inPage = await page.evaluate((t) => Array.from(window.phasekit.models.coalescent(10).pdf(t, { theta: [1] })), times);
  inNode.forEach((x, i) => expect(Math.abs(inPage[i] - x)).toBeLessThan(1e-12));
  expect(inNode[1]).toBeGreaterThan(0.1); // a real density value, not a vacuous 0 = 0
});

test('graph JSON typed into the page is validated and computed', async ({ page }) => {
  await page.selectOption('#model', 'json');
  await page.fill('#graph-json', JSON.stringify({ paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]]] }));
  await page.fill('#custom-theta', '[4]');
  await page.click('#compute');
  expect(await result(page, 'expectation')).toBeCloseTo(0.25, 14);
  expect(await result(page, 'variance')).toBeCloseTo(0.0625, 14);

  await page.fill('#graph-json', '{"stateLength": 1, "vertices": []}');
  await page.click('#compute');
  await expect(page.locator('#error')).toBeVisible();
  await expect(page.locator('#error')).toContainText('GraphError');
});

test('the page looks right: results, stats and a plot (screenshot in test-results/)', async ({ page }) => {
  await computeBuiltin(page, 'coalescent', 10, [1]);
  for (const name of ['expectation', 'variance', 'moments', 'commands', 'components', 'eliminate-ms', 'distribution-ms'])
    await expect(page.locator(`[data-result="${name}"]`)).not.toBeEmpty();
  // The canvas has been drawn on: some pixels are not transparent.
  const inked = await page.evaluate(() => {
    const c = document.getElementById('plot') as HTMLCanvasElement;
    return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0);
  });
  expect(inked).toBe(true);
  await page.screenshot({ path: 'test-results/demo.png', fullPage: true });
});
