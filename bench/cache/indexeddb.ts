import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs } from '../../playwright.config.js';
import type { IdbBenchCase, IdbBenchResult } from '../../demo/e2e/cache/idb-bench.js';

/** One IndexedDB measurement row. */
export interface IdbRow {
  label: string;
  phasekit: { putMs: number; getMs: number };
  idbKeyval: { putMs: number; getMs: number };
  count: number;
}

const CASES: (IdbBenchCase & { label: string })[] = [
  { label: '1 KB × 500, sequential', size: 1024, count: 500, mode: 'sequential', rounds: 5 },
  { label: '1 KB × 500, concurrent', size: 1024, count: 500, mode: 'concurrent', rounds: 5 },
  { label: '1 MB × 40, sequential', size: 1 << 20, count: 40, mode: 'sequential', rounds: 3 },
  { label: '1 MB × 40, concurrent', size: 1 << 20, count: 40, mode: 'concurrent', rounds: 3 },
];

/**
 * Serves demo/ with vite's dev server, opens the benchmark page in Debian's Chromium
 * (the flags of playwright.config.ts) and runs each case there.
 */
export async function measureIndexedDB(): Promise<IdbRow[]> {
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 4199, strictPort: false, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 4199;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/e2e/cache/idb-bench.html`);
    await page.waitForFunction(() => typeof window.runIdbBench === 'function', undefined, { timeout: 60_000 });
    const rows: IdbRow[] = [];
    for (const { label, ...options } of CASES) {
      const result: IdbBenchResult = await page.evaluate((o) => window.runIdbBench(o), options);
      rows.push({ label, count: options.count, ...result });
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}
