// Trace-cache hits in Chromium: cold (record + IndexedDB write + first evaluation)
// versus an IndexedDB hit after a page reload (memory empty, trace loaded from
// IndexedDB, verified and evaluated). Driven by playwright-core in Debian's Chromium.
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs } from '../../playwright.config.js';
import { median } from '../foundation/timing.js';

type Model = 'coalescent' | 'rabbits' | 'random';
export interface BrowserRow { name: string; coldMs: number; idbHitMs: number; recordedOnHit: number }

const rows: Array<{ name: string; model: Model; size: number }> = [
  { name: 'coalescent n=20', model: 'coalescent', size: 20 },
  { name: 'coalescent n=25', model: 'coalescent', size: 25 },
  { name: 'coalescent n=30', model: 'coalescent', size: 30 },
  { name: 'rabbits N=100', model: 'rabbits', size: 100 },
  { name: 'rabbits N=200', model: 'rabbits', size: 200 },
  { name: 'coalescent n=35', model: 'coalescent', size: 35 },
  { name: 'rabbits N=400', model: 'rabbits', size: 400 },
  { name: 'random cyclic 1k', model: 'random', size: 1000 },
  { name: 'random cyclic 5k', model: 'random', size: 5000 },
];

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { fixtureReady?: boolean }).fixtureReady === true);
}

const timeCompile = (page: Page, model: Model, size: number) =>
  page.evaluate(([m, s]) => (window as unknown as { timeCompile(m: string, s: number): Promise<{ ms: number; recorded: number }> }).timeCompile(m, s), [model, size] as const);

/** Median cold and IndexedDB-hit times per row, `reps` fresh browser contexts each. */
export async function browserCacheRows(reps = 5): Promise<BrowserRow[]> {
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 4198, strictPort: false, host: '127.0.0.1' } });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 4198;
  const url = `http://localhost:${port}/e2e/traces/index.html`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: chromiumArgs });
  const out: BrowserRow[] = [];
  try {
    for (const row of rows) {
      const cold: number[] = [], hit: number[] = [];
      let recordedOnHit = 0;
      for (let i = 0; i < reps; i++) {
        const context = await browser.newContext(); // a fresh profile: empty IndexedDB
        const page = await context.newPage();
        await open(page, url);
        await timeCompile(page, 'coalescent', 5); // warm the kernel and the JIT on something small
        cold.push((await timeCompile(page, row.model, row.size)).ms);
        await page.reload();
        await open(page, url);
        await timeCompile(page, 'coalescent', 5);
        const r = await timeCompile(page, row.model, row.size);
        hit.push(r.ms);
        recordedOnHit += r.recorded;
        await context.close();
      }
      out.push({ name: row.name, coldMs: median(cold), idbHitMs: median(hit), recordedOnHit });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}
