// A new deployment of the site: the waiting service worker shows the update
// prompt, and its button activates the new version and reloads the page. The site
// is served from a copy of dist-demo/, so that the test can deploy into it.
import { test, expect } from '@playwright/test';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serveDemo } from '../src/cli/demo-command.js';

test('a new deployment shows the reload prompt, and its button switches to the new version', async ({ page }) => {
  const site = await mkdtemp(join(tmpdir(), 'phasekit-site-'));
  await cp('dist-demo', site, { recursive: true });
  const server = await serveDemo(site, 0);
  try {
    const origin = `http://localhost:${(server.address() as AddressInfo).port}/`;
    await page.goto(origin);
    await page.evaluate(() => window.demoReady);
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload(); // controlled by the service worker now: a new one has to wait for this page
    await page.evaluate(() => window.demoReady);
    await expect(page.locator('#update-banner')).toBeHidden();

    await appendFile(join(site, 'sw.js'), '\n// version 2\n'); // the deployment
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())!.update(); });
    await expect(page.locator('#update-banner')).toBeVisible({ timeout: 20_000 });
    await page.locator('#update-banner').screenshot({ path: 'test-results/demo-update-prompt.png' });

    const reloaded = page.waitForEvent('load');
    await page.click('#update-reload');
    await reloaded;
    await page.evaluate(() => window.demoReady);
    await expect(page.locator('#update-banner')).toBeHidden();
    const active = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting === null);
    expect(active).toBe(true);
  } finally {
    server.closeAllConnections();
    server.close();
    await rm(site, { recursive: true, force: true });
  }
});
