// The Benchmarks page in Chromium: it plots the latest bench:browser results (here a
// fixed file, routed in place of bench-results/latest.json), and says how to make
// some when there are none.
import { test, expect } from '@playwright/test';
import type { BenchResults } from '../bench/browser/results.js';

const results: BenchResults = {
  date: '2026-12-01T12:00:00.000Z', chromium: '156.0', node: 'v20.20.2', cores: 2, loadavg: [1.5, 1.8], seconds: 52,
  sections: { webgpu: { skipped: 'this build has no WebGPU backend (src/webgpu)' } },
  ratios: [
    { benchmark: 'kernel', case: 'coalescent n=20', baseline: 'native gcc -O3', contender: 'Chromium WebAssembly', ratio: 1.3, better: 'lower' },
    { benchmark: 'trace cache', case: 'coalescent n=25', baseline: 'cold (record + store)', contender: 'after reload (IndexedDB)', ratio: 0.12, better: 'lower' },
    { benchmark: 'pool', case: 'coalescent n=30 pdf: longest frame gap', baseline: 'in the page', contender: 'worker pool', ratio: 0.008, better: 'lower' },
  ],
  failures: [],
};

test('the Benchmarks page plots each benchmark\'s ratios from the latest results', async ({ page }) => {
  await page.route('**/bench-results/latest.json', (route) => route.fulfill({ json: results }));
  await page.goto('benchmarks/');
  await page.waitForFunction(() => document.body.dataset.state !== undefined);
  expect(await page.locator('body').getAttribute('data-state')).toBe('done');
  await expect(page.locator('#bench-sections svg')).toHaveCount(3);
  await expect(page.locator('#bench-sections')).toContainText('0.0080×');
  await expect(page.locator('#bench-sections')).toContainText('webgpu: skipped');
  await page.screenshot({ path: 'test-results/benchmarks.png', fullPage: true });
});

test('without results the Benchmarks page says how to make them', async ({ page }) => {
  await page.route('**/bench-results/latest.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('benchmarks/');
  await page.waitForFunction(() => document.body.dataset.state !== undefined);
  await expect(page.locator('#bench-meta')).toContainText('npm run bench:browser');
});
