// The browser build without a bundler, in Chromium: the notebook page (a plain
// <script type="module">, no import map) runs every cell (core, worker pool, a
// fit), and the build imported from another origin, as notebooks on other sites
// import it, still starts its workers.
import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

type NotebookResult = { results: { ok: boolean; error?: string }[]; mean: number; pdfMax: number; fit: { theta: number; truth: number }; pool: { spawned: number } };

test('the notebook page runs every cell from dist/browser with no import map: moments, a pool, a fit', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('notebook/');
  expect(await page.locator('script[type="importmap"]').count()).toBe(0);
  const result = await page.evaluate(() => (window as unknown as { notebookDone: Promise<NotebookResult> }).notebookDone);
  expect(result.results.filter((r) => !r.ok)).toEqual([]);
  expect(Math.abs(result.mean - 1.8)).toBeLessThan(1e-12);
  expect(result.pdfMax).toBeGreaterThan(0.4);
  expect(result.pool.spawned).toBeGreaterThan(0);
  expect(Math.abs(result.fit.theta - result.fit.truth)).toBeLessThan(0.25); // 300 times: the MLE's sd is about 0.09 at θ = 1.5
  await expect(page.locator('#out-3 svg').last()).toBeVisible();
  await expect(page.locator('#out-4 svg').last()).toBeVisible();
  expect(errors).toEqual([]);
  await page.screenshot({ path: 'test-results/notebook.png', fullPage: true });
});

/** Serves dist-demo/browser/ with CORS on another origin (127.0.0.1 rather than localhost). */
function crossOriginServer(): Promise<Server> {
  const root = resolve('dist-demo/browser');
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer(async (request, response) => {
    const file = resolve(root, `.${new URL(request.url ?? '/', 'http://x').pathname}`);
    if (!file.startsWith(root + sep)) return void response.writeHead(403).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' }).end(body);
    } catch {
      response.writeHead(404, { 'access-control-allow-origin': '*' }).end();
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

test('imported from another origin, the browser build starts its workers through a same-origin module and computes', async ({ page }) => {
  const server = await crossOriginServer();
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${join('phasekit.js')}`;
    await page.goto('notebook/');
    const answer = await page.evaluate(async (href) => {
      const pk = await import(href);
      await pk.ready();
      const pool = pk.createPool({ size: 1 });
      try {
        return { inPool: await pool.expectation(pk.models.coalescent(10), { theta: [2] }), stats: pool.stats() };
      } finally {
        await pool.close();
      }
    }, url);
    expect(Math.abs(answer.inPool - 0.9)).toBeLessThan(1e-12);
    expect(answer.stats.crashed).toBe(0);
  } finally {
    server.close();
  }
});
