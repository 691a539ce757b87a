// bench:gpu's Chromium rows, driven by playwright-core in Debian's Chromium with
// --enable-unsafe-webgpu, on the fixture page demo/e2e/webgpu (served by vite):
// WebGPU f32 vs WASM on one thread in the page, and the first evaluation's time
// in a new profile (pipelines compiled) vs after a reload (prewarmed from
// IndexedDB, with the browser's own shader cache behind it).
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs } from '../../playwright.config.js';

export interface BrowserRows { adapter: string; rows: number; wasmMs: number; gpuMs: number; logLikError: number; gradientError: number; coldFirstMs: number; warmFirstMs: number }

const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([name, a]) => (window as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[name as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { fixtureReady?: boolean }).fixtureReady === true);
}

/** The Chromium measurements (one fresh profile). */
export async function browserRows(rows = 256): Promise<BrowserRows> {
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 4199, strictPort: false, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer?.address();
  const url = `http://localhost:${typeof address === 'object' && address ? address.port : 4199}/e2e/webgpu/index.html`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: chromiumArgs });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await open(page, url);
    const status = await call<{ available: boolean; reason: string }>(page, 'gpuInfo');
    if (!status.available) throw new Error(`Chromium has no WebGPU adapter: ${status.reason}`);
    const coldFirstMs = await call<number>(page, 'firstEvaluationMs', 5);
    const r = await call<{ ms: number; wasmMs: number; logLikError: number; gradientError: number }>(page, 'compare', 10, rows, 1000, 'webgpu', 'f32');
    await page.reload();
    await open(page, url);
    await call(page, 'prewarmed');
    const warmFirstMs = await call<number>(page, 'firstEvaluationMs', 5);
    await context.close();
    return { adapter: status.reason, rows, wasmMs: r.wasmMs, gpuMs: r.ms, logLikError: r.logLikError, gradientError: r.gradientError, coldFirstMs, warmFirstMs };
  } finally {
    await browser.close();
    await server.close();
  }
}
