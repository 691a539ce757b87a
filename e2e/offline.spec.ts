// The site as an offline PWA in Chromium: load it once (the service worker
// precaches the shell, scripts, worker and kernel), go offline, reload: the page
// opens, computes a model with its trace from IndexedDB, a new model from scratch,
// and a fit. Also: the manifest and its icons.
import { test, expect } from '@playwright/test';
import { compute, lastComputation, openDemo, runFit, settled } from './support/demo-page.js';

test('offline, a reload opens the page, computes models (traces from IndexedDB) and fits', async ({ page, context }) => {
  await openDemo(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await expect(page.locator('[data-status="offline"]')).toContainText('ready');

  await context.setOffline(true);
  expect(await page.evaluate(() => fetch('./not-precached.json').then(() => 'online', () => 'offline'))).toBe('offline');
  await page.reload();
  await page.evaluate(() => window.demoReady);
  const first = await lastComputation(page);
  expect(first.source).toBe('indexeddb'); // the trace recorded before going offline
  expect(first.steps.find((s) => s.step === 'graph')!.from).toContain('IndexedDB');

  expect(await compute(page, 'rabbits', 20, [1, 2, 4])).toBe('done'); // never seen before: built and recorded offline
  expect((await lastComputation(page)).source).toBe('recorded');

  await page.check('#model-coalescent');
  await page.fill('#size', '10');
  await page.fill('#theta-0', '1');
  await page.click('#compute');
  expect(await settled(page)).toBe('done');
  expect(await runFit(page, { observations: 100, particles: 12, iterations: 20 })).toBe('done');
  await page.screenshot({ path: 'test-results/demo-offline.png', fullPage: true });
});

test('the web app manifest names the app, its theme colour and icons that load', async ({ page, request }) => {
  await page.goto('./');
  const links = page.locator('link[rel="manifest"]');
  await expect(links).toHaveCount(1);
  const url = new URL((await links.getAttribute('href'))!, page.url());
  const manifest = await (await request.get(url.href)).json();
  expect(manifest.short_name).toBe('phasekit');
  expect(manifest.theme_color).toBe('#1f5f8b');
  expect(manifest.display).toBe('standalone');
  for (const icon of manifest.icons) {
    const response = await request.get(new URL(icon.src, url).href);
    expect(response.status(), icon.src).toBe(200);
  }
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
});
