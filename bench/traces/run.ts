// Trace benchmark (issue: elimination traces and the persistent trace cache).
//   npx tsx bench/traces/run.ts [--quick]
// Per graph, all in one run: record a trace (cold) vs evaluate it for a new θ vs
// re-eliminate from scratch at that θ, and vs the direct path (Graph.expectation, which does
// not eliminate a graph whose edges all go forward), and per row of a batch (momentsBatch, four
// rows at a time in kernel lanes); gradient cost as a multiple of one
// evaluation; trace size; and cache hits (memory tier, file tier after a restart).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready, models, type Graph } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import { eliminate as eliminateAt } from '../../src/kernel/elimination.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { structuralHash } from '../../src/trace/structural-hash.js';
import { median, timeMedian, progress } from '../foundation/timing.js';
import { cacheRows, type CacheRow } from './cache-hits.js';
import { browserCacheRows } from './browser.js';
import { islandModel } from '../loglik/island-model.js';

interface Case { name: string; build: () => Graph; theta: (i: number) => number[]; reps: number }

const quick = process.argv.includes('--quick');
// --node-only: skip the Chromium rows (for quick A/B runs of the Node side).
const nodeOnly = process.argv.includes('--node-only');
const cases: Case[] = [
  { name: 'coalescent n=20', build: () => models.coalescent(20), theta: (i) => [1 + i / 97], reps: 50 },
  { name: 'coalescent n=25', build: () => models.coalescent(25), theta: (i) => [1 + i / 97], reps: 30 },
  { name: 'coalescent n=30', build: () => models.coalescent(30), theta: (i) => [1 + i / 97], reps: 20 },
  { name: 'rabbits N=100', build: () => models.rabbits(100), theta: (i) => [1 + i / 97, 2, 4], reps: 20 },
  { name: 'rabbits N=200', build: () => models.rabbits(200), theta: (i) => [1 + i / 97, 2, 4], reps: quick ? 3 : 8 },
  // The rows where a persistent hit matters most: building the trace takes long.
  { name: 'coalescent n=35', build: () => models.coalescent(35), theta: (i) => [1 + i / 97], reps: quick ? 2 : 5 },
  { name: 'coalescent n=40', build: () => models.coalescent(40), theta: (i) => [1 + i / 97], reps: quick ? 2 : 3 },
  { name: 'rabbits N=400', build: () => models.rabbits(400), theta: (i) => [1 + i / 97, 2, 4], reps: quick ? 2 : 3 },
  { name: 'rabbits N=1000', build: () => models.rabbits(1000), theta: (i) => [1 + i / 97, 2, 4], reps: 2 },
  { name: 'random cyclic 1k', build: () => models.randomCyclic({ vertices: 1000, params: 2, seed: 7 }), theta: (i) => [1 + i / 97, 0.5], reps: 30 },
  { name: 'random cyclic 5k', build: () => models.randomCyclic({ vertices: 5000, params: 2, seed: 7 }), theta: (i) => [1 + i / 97, 0.5], reps: 15 },
  // A structured model with cycles (migration), whose elimination fills in: the pivot order matters.
  { name: 'island model n=16', build: () => islandModel(16).graph, theta: (i) => [1 + i / 97, 0.5], reps: quick ? 3 : 8 },
];

interface Row {
  name: string; vertices: number; edges: number; ops: number; bytes: number;
  recordMs: number; eliminateMs: number; directMs: number; evalMs: number; batchMs: number; gradientMs: number; eval2Ms: number; gradient2Ms: number; cache: CacheRow;
}

await ready();
const rows: Row[] = [];
for (const c of cases) {
  progress(c.name);
  const graph = c.build();
  const structure = graph.structure();
  let theta = 0;
  // Re-eliminate from scratch at a new θ each time: rates → CSR → elimination → E[T].
  const ones = new Float64Array(graph.vertexCount).fill(1);
  const eliminate = timeMedian(() => {
    const csr = kernelRatesAt(structure, Float64Array.from(c.theta(theta++)))!;
    const elimination = eliminateAt(csr);
    const m = elimination.moments(ones, 1)[0];
    elimination.dispose();
    csr.dispose();
    return m;
  }, c.reps, 2);
  // The direct path at a new θ (Graph.expectation): a graph whose edges all go forward (the
  // coalescent) is not eliminated there at all, one pass over its edges instead.
  const directPath = timeMedian(() => graph.expectation({ theta: c.theta(theta++) }), c.reps, 2);
  const record = timeMedian(() => Trace.record(structure), Math.max(3, c.reps >> 1), 1, (t) => t.dispose());
  const trace = record.value;
  const ev = new TraceModel(trace, graph);
  const evaluate = timeMedian(() => ev.expectation({ theta: c.theta(theta++) }), c.reps * 3, 5);
  const gradient = timeMedian(() => ev.gradient(1, { theta: c.theta(theta++) }), c.reps * 3, 5);
  // E[T] and E[T²] with both gradients, against one evaluation of the two moments.
  const evaluate2 = timeMedian(() => ev.moments(2, { theta: c.theta(theta++) }), c.reps * 3, 5);
  const gradient2 = timeMedian(() => ev.gradient(2, { theta: c.theta(theta++) }), c.reps * 3, 5);
  // A batch of θ rows (momentsBatch: four rows at a time in kernel lanes), per row.
  const batchRows = 16;
  const batchThetas = () => Float64Array.from(Array.from({ length: batchRows }, () => c.theta(theta++)).flat());
  const batched = timeMedian(() => ev.momentsBatch(1, { thetas: batchThetas() }), Math.max(3, Math.ceil(c.reps / 4)), 1);
  const check = ev.expectation({ theta: c.theta(1) }), direct = graph.expectation({ theta: c.theta(1) });
  if (Math.abs(check - direct) > 1e-10 * Math.abs(direct)) throw new Error(`${c.name}: trace ${check} ≠ direct ${direct}`);
  const hash = await structuralHash(structure);
  const s = trace.stats();
  rows.push({
    name: c.name, vertices: s.vertices, edges: s.inputs, ops: s.ops, bytes: s.bytes,
    recordMs: record.ms, eliminateMs: eliminate.ms, directMs: directPath.ms, evalMs: evaluate.ms, batchMs: batched.ms / batchRows, gradientMs: gradient.ms,
    eval2Ms: evaluate2.ms, gradient2Ms: gradient2.ms,
    cache: await cacheRows(c.build, Object.assign(trace, { hash }), c.theta(0), Math.min(7, Math.max(3, c.reps))),
  });
  trace.dispose();
}

const f = (x: number, d = 2) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));
const mb = (b: number) => (b / 1048576).toFixed(2);
console.log('\n## Traces: record once, evaluate for any θ (median ms, one process, this machine)\n');
console.log('| graph | vertices | edges | tape ops | trace MB | B/op | record | record ÷ eliminate | re-eliminate (new θ) | direct E[T] (new θ) | trace eval (new θ) | eliminate ÷ eval | direct ÷ eval | batch eval, per θ | eliminate ÷ batch | gradient | gradient ÷ eval | k = 2: gradients ÷ eval |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows)
  console.log(`| ${r.name} | ${r.vertices} | ${r.edges} | ${r.ops} | ${mb(r.bytes)} | ${f(r.bytes / r.ops, 1)} | ${f(r.recordMs)} | ${f(r.recordMs / r.eliminateMs)}× | ${f(r.eliminateMs)} | ${f(r.directMs)} | ${f(r.evalMs, 3)} | ${f(r.eliminateMs / r.evalMs)}× | ${f(r.directMs / r.evalMs)}× | ${f(r.batchMs, 3)} | ${f(r.eliminateMs / r.batchMs)}× | ${f(r.gradientMs, 3)} | ${f(r.gradientMs / r.evalMs)}× | ${f(r.gradient2Ms / r.eval2Ms)}× |`);
console.log(`\nbatch eval: TraceModel.momentsBatch(1) over 16 new θ rows, four at a time in kernel lanes (the same bits as one at a time), per row. k = 2: gradient(2) (E[T], E[T²] and both gradients) ÷ moments(2) at new θ.`);
console.log('\n## Trace cache hits (median ms; cold = hash + record + file write + first evaluation; the file hit is a new cache over the same directory with a freshly built graph)\n');
console.log('| graph | cold | memory-tier hit | file-tier hit after restart | file hit ÷ cold | file write |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const r of rows)
  console.log(`| ${r.name} | ${f(r.cache.coldMs)} | ${f(r.cache.memoryHitMs, 3)} | ${f(r.cache.fileHitMs, 3)} | ${f(r.cache.fileHitMs / r.cache.coldMs, 3)}× | ${f(r.cache.fileWriteMs)} |`);
// Restarts in fresh processes: cold and hit each in a process of its own, in turn.
const freshRows: { name: string; coldMs: number; hitMs: number }[] = [];
for (const [family, size] of [['coalescent', 20], ['coalescent', 30], ['coalescent', 40], ['rabbits', 400]] as const) {
  progress(`fresh processes: ${family} ${size}`);
  const cold: number[] = [], hit: number[] = [];
  const run = (dir: string) => Number(spawnSync(process.execPath, ['bench/traces/fresh-process.mjs', family, String(size), dir], { encoding: 'utf8', timeout: 120_000 }).stdout);
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    const dir = mkdtempSync(join(tmpdir(), 'phasekit-fresh-'));
    try {
      cold.push(run(dir));
      hit.push(run(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if ([...cold, ...hit].some((x) => !Number.isFinite(x))) throw new Error(`fresh-process run failed for ${family} ${size}`);
  freshRows.push({ name: `${family} ${family === 'rabbits' ? 'N' : 'n'}=${size}`, coldMs: median(cold), hitMs: median(hit) });
}
console.log('\n## Restart in a fresh process (median ms of compile + E[T] with the shipped build, dist/; cold and hit each in a process of its own, so both pay for first-time code)\n');
console.log('| graph | cold | file hit | hit ÷ cold |');
console.log('|---|--:|--:|--:|');
for (const r of freshRows) console.log(`| ${r.name} | ${f(r.coldMs)} | ${f(r.hitMs)} | ${f(r.hitMs / r.coldMs, 3)}× |`);
if (!nodeOnly) {
  progress('Chromium: IndexedDB tier');
  const browserRows = await browserCacheRows(quick ? 3 : 5);
  console.log('\n## Trace cache in Chromium (median ms over fresh profiles; the hit is after a page reload, so memory is empty and the trace comes from IndexedDB)\n');
  console.log('| graph | cold (record + IndexedDB write + eval) | IndexedDB hit after reload | hit ÷ cold | structures recorded on the hit |');
  console.log('|---|--:|--:|--:|--:|');
  for (const r of browserRows) console.log(`| ${r.name} | ${f(r.coldMs)} | ${f(r.idbHitMs, 3)} | ${f(r.idbHitMs / r.coldMs, 3)}× | ${r.recordedOnHit} |`);
}
console.log('\nReference (phasic native C, coalescent n = 30): trace record 25 ms, trace eval 676 µs, cache hit from its JSON files 71 ms.');
console.log('Targets: persistent hit ≤ 0.5× cold where cold ≥ 1 ms; trace eval ≥ 10× faster than re-elimination; gradient ≤ 3× one evaluation.');
