// npm run bench:browser: serves the built site (dist-demo/), drives Debian's
// Chromium through its benchmark pages, and writes bench-results/<date>.json plus
// bench-results/<date>.md, a table of ratios, each against a baseline measured in
// the same run. The site's Benchmarks page plots the latest file.
//   kernel        the kernel in Chromium's WebAssembly vs the same C built natively by gcc (and vs Node's WebAssembly)
//   trace cache   compile + first evaluation: cold (record, store) vs after a reload (IndexedDB hit)
//   indexeddb     phasekit's IndexedDB tier vs idb-keyval, same values
//   pool          longest frame gap and duration: computing in the page vs through the worker pool
//   webgpu        WebGPU vs WebAssembly evaluators (when the build has a WebGPU backend)
//   svgd          ms per SVGD iteration, pool of two workers vs one
import { chromium, type Browser, type Page } from 'playwright-core';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ready } from '../../src/index.js';
import { serveDemo } from '../../src/cli/demo-command.js';
import { chromiumArgs } from '../../playwright.config.js';
import { buildNative, nativeBuilds, runNative } from '../foundation/native.js';
import { uniformizationPlan, writeCsrFile, writeStepFile } from '../foundation/csr-file.js';
import { stepMatrix } from '../../src/distributions/stepper.js';
import { kernelOnly } from '../foundation/kernel-only.js';
import { median, progress } from '../foundation/timing.js';
import { kernelGraph, type KernelCase } from '../../demo/bench/kernel-cases.js';
import type { IdbBenchCase, IdbBenchResult } from '../../demo/e2e/cache/idb-bench.js';
import { ratioTable, type BenchResults, type Ratio } from './results.js';

// Rows of several milliseconds at least: a page's clock ticks in 0.1 ms steps (no cross-origin isolation).
const KERNEL_CASES: KernelCase[] = [
  { name: 'coalescent n=35', model: 'coalescent', size: 35, theta: [1], reps: 7 },
  { name: 'rabbits N=200', model: 'rabbits', size: 200, theta: [1, 2, 4], reps: 7 },
  { name: 'rabbits N=400', model: 'rabbits', size: 400, theta: [1, 2, 4], reps: 5 },
  { name: 'randomCyclic 20k', model: 'random', size: 20000, theta: [1, 1], reps: 7 },
];
const TRACE_CASES = [
  { name: 'coalescent n=30', model: 'coalescent', size: 30 },
  { name: 'coalescent n=35', model: 'coalescent', size: 35 },
  { name: 'rabbits N=200', model: 'rabbits', size: 200 },
] as const;
const TRACE_REPS = 3;
const IDB_CASES: (IdbBenchCase & { label: string })[] = [
  { label: '1 KB × 500, sequential', size: 1024, count: 500, mode: 'sequential', rounds: 3 },
  { label: '1 KB × 500, concurrent', size: 1024, count: 500, mode: 'concurrent', rounds: 3 },
  { label: '1 MB × 40, concurrent', size: 1 << 20, count: 40, mode: 'concurrent', rounds: 3 },
];

async function open(browser: Browser, url: string, until: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(until, undefined, { timeout: 60_000 });
  return page;
}

async function kernelSection(browser: Browser, base: string, ratios: Ratio[]) {
  progress('kernel: native drivers (gcc)');
  buildNative();
  await ready();
  const dir = mkdtempSync(join(tmpdir(), 'phasekit-bench-'));
  const page = await open(browser, `${base}bench/`, 'window.benchFixture !== undefined');
  const rows = [];
  try {
    for (const c of KERNEL_CASES) {
      progress(`kernel: ${c.name}`);
      const graph = kernelGraph(c);
      const csr = graph.csrAt(c.theta);
      const browserRow = await page.evaluate((x) => (window as unknown as { benchFixture: { kernelRow(c: KernelCase): Promise<{ ms: number; moments: number[] }> } }).benchFixture.kernelRow(x), c);
      const node = kernelOnly(csr, c.reps);
      const path = join(dir, 'graph.csr');
      writeCsrFile(path, csr);
      // The driver also takes one uniformisation step of the library's stepping matrix.
      writeStepFile(`${path}.steps`, stepMatrix(csr, uniformizationPlan(csr, [0, 1]).lambda));
      const native = runNative(nativeBuilds.O3.binary, path, 1, 1e-12, c.reps);
      const agree = browserRow.moments.every((m, i) => Math.abs(m - node.moments[i]) <= 1e-9 * Math.abs(node.moments[i]));
      rows.push({ name: c.name, vertices: graph.vertexCount, browserWasmMs: browserRow.ms, nodeWasmMs: node.eliminateMomentsMs, nativeMs: native.eliminateMomentsMs, momentsAgree: agree });
      ratios.push({ benchmark: 'kernel', case: c.name, baseline: 'native gcc -O3', contender: 'Chromium WebAssembly', ratio: browserRow.ms / native.eliminateMomentsMs, better: 'lower' });
    }
  } finally {
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { what: 'pk_eliminate + 3 moments, medians (ms)', rows };
}

async function traceSection(browser: Browser, base: string, ratios: Ratio[]) {
  const url = `${base}e2e/traces/index.html`;
  type Timed = { ms: number; recorded: number };
  const time = (page: Page, model: string, size: number) =>
    page.evaluate(([m, s]) => (window as unknown as { timeCompile(m: string, s: number): Promise<Timed> }).timeCompile(m, s), [model, size] as const);
  const rows = [];
  for (const c of TRACE_CASES) {
    progress(`trace cache: ${c.name}`);
    const cold: number[] = [], reload: number[] = [];
    let recordedOnReload = 0;
    for (let rep = 0; rep < TRACE_REPS; rep++) {
      const context = await browser.newContext(); // a fresh profile: empty IndexedDB
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction('window.fixtureReady === true');
      await time(page, 'coalescent', 5); // kernel and JIT warm
      cold.push((await time(page, c.model, c.size)).ms);
      await page.reload();
      await page.waitForFunction('window.fixtureReady === true');
      await time(page, 'coalescent', 5);
      const hit = await time(page, c.model, c.size);
      reload.push(hit.ms);
      recordedOnReload += hit.recorded;
      await context.close();
    }
    const row = { name: c.name, coldMs: median(cold), reloadMs: median(reload), recordedOnReload };
    rows.push(row);
    ratios.push({ benchmark: 'trace cache', case: c.name, baseline: 'cold (record + store)', contender: 'after reload (IndexedDB)', ratio: row.reloadMs / row.coldMs, better: 'lower' });
  }
  return { what: 'compile() + first evaluation, medians of fresh profiles (ms)', rows };
}

async function indexeddbSection(browser: Browser, base: string, ratios: Ratio[]) {
  const page = await open(browser, `${base}e2e/cache/idb-bench.html`, 'typeof window.runIdbBench === "function"');
  const rows = [];
  try {
    for (const { label, ...options } of IDB_CASES) {
      progress(`indexeddb: ${label}`);
      const r: IdbBenchResult = await page.evaluate((o) => (window as unknown as { runIdbBench(o: IdbBenchCase): Promise<IdbBenchResult> }).runIdbBench(o), options);
      rows.push({ label, ...r });
      ratios.push({ benchmark: 'indexeddb', case: `${label}: put`, baseline: 'idb-keyval', contender: 'phasekit IndexedDB tier', ratio: r.phasekit.putMs / r.idbKeyval.putMs, better: 'lower' });
      ratios.push({ benchmark: 'indexeddb', case: `${label}: get`, baseline: 'idb-keyval', contender: 'phasekit IndexedDB tier', ratio: r.phasekit.getMs / r.idbKeyval.getMs, better: 'lower' });
    }
  } finally {
    await page.close();
  }
  return { what: 'best of rounds, whole round (ms)', rows };
}

async function poolSection(browser: Browser, base: string, ratios: Ratio[]) {
  const page = await open(browser, `${base}e2e/workers/index.html`, 'window.workersFixture !== undefined');
  type Gaps = { timeoutGapMs: number; frameGapMs: number; durationMs: number };
  type Fixture = { warm(): Promise<void>; inThread(n: number, w: string): Promise<Gaps>; inPool(n: number, w: string, builtIn: string): Promise<Gaps> };
  const rows = [];
  try {
    await page.evaluate(() => (window as unknown as { workersFixture: Fixture }).workersFixture.warm());
    // Work long enough to stall a page: E[T] and E[T²] of n = 50 (204,227 vertices; the graph
    // built in a worker of the pool, as an application with large models does: a graph built
    // on the page is copied to the worker on its first call, on the main thread), and plain
    // uniformisation's pdf of n = 30 (built on the page).
    for (const [n, what, builtIn] of [[50, 'moments', 'pool'], [30, 'pdf', 'page']] as const) {
      const work = `coalescent n=${n} ${what} (pool: graph built in the ${builtIn === 'pool' ? 'pool' : 'page'})`;
      progress(`pool: ${work}`);
      const inThread = await page.evaluate(([size, w]) => (window as unknown as { workersFixture: Fixture }).workersFixture.inThread(size, w), [n, what] as const);
      const inPool = await page.evaluate(([size, w, b]) => (window as unknown as { workersFixture: Fixture }).workersFixture.inPool(size, w, b), [n, what, builtIn] as const);
      rows.push({ work, inThread, inPool });
      // The longest gap between setTimeout(0) ticks is the longest the page could not respond;
      // headless frames may come less often than the work blocks.
      ratios.push({ benchmark: 'pool', case: `${work}: longest setTimeout gap`, baseline: 'in the page', contender: 'worker pool', ratio: inPool.timeoutGapMs / inThread.timeoutGapMs, better: 'lower' });
      ratios.push({ benchmark: 'pool', case: `${work}: longest frame gap`, baseline: 'in the page', contender: 'worker pool', ratio: inPool.frameGapMs / inThread.frameGapMs, better: 'lower' });
      ratios.push({ benchmark: 'pool', case: `${work}: duration`, baseline: 'in the page', contender: 'worker pool', ratio: inPool.durationMs / inThread.durationMs, better: 'lower' });
    }
  } finally {
    await page.close();
  }
  return { what: 'main-thread gaps and duration (ms)', rows };
}

async function svgdSection(browser: Browser, base: string, ratios: Ratio[]) {
  const page = await open(browser, `${base}bench/`, 'window.benchFixture !== undefined');
  type Row = { msPerIteration: number; firstMs: number; mean: number };
  const run = (workers: number) => page.evaluate((w) => (window as unknown as { benchFixture: { svgdRow(w: number, p: number, o: number, i: number): Promise<Row> } }).benchFixture.svgdRow(w, 100, 1000, 10), workers);
  try {
    progress('svgd: 1 worker');
    const one = await run(1);
    progress('svgd: 2 workers');
    const two = await run(2);
    ratios.push({ benchmark: 'svgd', case: 'coalescent n=10, 1,000 times, 100 particles', baseline: 'ms per iteration, pool of 1 worker', contender: 'pool of 2 workers', ratio: two.msPerIteration / one.msPerIteration, better: 'lower' });
    return { what: 'phasekit svgd(), the loop in the page, the particles split across the pool; 10 iterations after a warm-up fit', rows: [{ workers: 1, ...one }, { workers: 2, ...two }] };
  } finally {
    await page.close();
  }
}

async function webgpuSection(browser: Browser, base: string, ratios: Ratio[]) {
  const page = await open(browser, `${base}bench/`, 'window.benchFixture !== undefined');
  type Row = { webgpuMs: number; wasmMs: number; maxRelativeDifference: number } | { skipped: string };
  try {
    progress('webgpu: 256 particles');
    const row = await page.evaluate(() => (window as unknown as { benchFixture: { webgpuRow(p: number, o: number, r: number): Promise<Row> } }).benchFixture.webgpuRow(256, 1000, 5));
    // No WebGPU backend in this build (or no adapter): the section says why, and has no ratio.
    if ('skipped' in row) return { skipped: row.skipped };
    ratios.push({ benchmark: 'webgpu', case: 'coalescent n=10, 1,000 times, 256 particles: log L and gradient', baseline: 'WebAssembly, this page', contender: 'WebGPU, this page', ratio: row.webgpuMs / row.wasmMs, better: 'lower' });
    return { what: 'one batch of log L and gradients, medians (ms); maxRelativeDifference: WebGPU against WASM log L', rows: [row] };
  } finally {
    await page.close();
  }
}

const root = 'dist-demo';
if (!existsSync(join(root, 'index.html'))) throw new Error('dist-demo/ is not built: run `npm run build` first (npm run bench:browser does)');
const server = await serveDemo(root, 0);
const base = `http://localhost:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: chromiumArgs });
const loadBefore = loadavg()[0];
const started = performance.now();
const ratios: Ratio[] = [];
const results: BenchResults = {
  date: new Date().toISOString(), chromium: browser.version(), node: process.version, cores: cpus().length,
  loadavg: [loadBefore, 0], seconds: 0, sections: {}, ratios, failures: [],
};
try {
  const sections: [string, () => Promise<unknown> | unknown][] = [
    ['kernel', () => kernelSection(browser, base, ratios)],
    ['traceCache', () => traceSection(browser, base, ratios)],
    ['indexeddb', () => indexeddbSection(browser, base, ratios)],
    ['pool', () => poolSection(browser, base, ratios)],
    ['webgpu', () => webgpuSection(browser, base, ratios)],
    ['svgd', () => svgdSection(browser, base, ratios)],
  ];
  const only = process.argv.slice(2);
  for (const [name, run] of sections) {
    if (only.length && !only.includes(name)) continue;
    try {
      results.sections[name] = await run();
    } catch (error) {
      results.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      progress(`${name}: FAILED ${String(error)}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
results.loadavg[1] = loadavg()[0];
results.seconds = (performance.now() - started) / 1000;

const stamp = results.date.slice(0, 19).replace(/:/g, '-');
mkdirSync('bench-results', { recursive: true });
const json = join('bench-results', `${stamp}.json`);
writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
const table = ratioTable(results);
writeFileSync(join('bench-results', `${stamp}.md`), table);
// The served site shows the latest results without a rebuild.
mkdirSync(join(root, 'bench-results'), { recursive: true });
copyFileSync(json, join(root, 'bench-results', 'latest.json'));
process.stdout.write(table);
progress(`done in ${results.seconds.toFixed(0)} s: ${json}`);
if (results.failures.length) process.exitCode = 1;
