// npm run bench:loglik — log-likelihoods with exact gradients for many parameter
// particles, measured in one run: per-particle time of log L, gradient ÷ log L,
// finite differences ÷ reverse mode, the worker pool over one thread, adaptive
// against plain uniformisation on the same data, Krylov before stepping on chains over
// 128 states, the compiled-evaluator cache (layer 2): cold vs memory hit vs persistent
// hit, padded against plain rows in the kernel's stepping, and the SFS's counts log L on
// the coalescent and on a two-deme island model (cycles) against one E[T].
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEvaluator, EvaluatorCache, models, ready, seededRandom, TraceCache, type Evaluator, type Graph, type Target,
} from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { PointLikelihood, type LikelihoodLimits, type LikelihoodMethod } from '../../src/likelihood/point-likelihood.js';
import type { Structure } from '../../src/graph/structure.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { kernel } from '../../src/kernel/module.js';
import { compile } from '../../src/evaluate/compile.js';
import { islandModel } from './island-model.js';
import { median, progress } from '../foundation/timing.js';
// The chains of the likelihood's Krylov tests (tests/likelihood/krylov.test.ts).
import { buildGraph, randomSpec, withScaledExits } from '../../tests/correctness/fixtures.js';

await ready();

interface Case { name: string; build: () => Graph; theta: number[] }
const cases: Case[] = [
  { name: 'coalescent n=10', build: () => models.coalescent(10), theta: [1] },
  { name: 'coalescent n=20', build: () => models.coalescent(20), theta: [1] },
  { name: 'rabbits N=30', build: () => models.rabbits(30), theta: [1, 2, 4] },
];
const OBSERVATIONS = 1000;
const PARTICLES = [1, 64, 1024];

/** P particles around θ (log-normal spread, seeded): rows of a batch. */
function particles(theta: number[], P: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  const out = new Float64Array(P * theta.length);
  for (let r = 0; r < P; r++) for (let i = 0; i < theta.length; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    out[r * theta.length + i] = theta[i] * Math.exp(0.3 * z);
  }
  return out;
}

async function timeIt(fn: () => Promise<unknown>, minReps: number, budgetMs = 1500): Promise<number> {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < minReps || (performance.now() - start < budgetMs && i < 50); i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const pool = createPool({ size: 2 });
const rows: string[] = [];
for (const c of cases) {
  const graph = c.build();
  const times = graph.sample(OBSERVATIONS, { theta: c.theta, seed: 7 });
  const target: Target = { kind: 'loglik', data: { times } };
  const ev = await createEvaluator(graph, target, { cache: null });
  const d = graph.paramLength;
  const poolEv = await pool.createEvaluator(graph, target);
  for (const P of PARTICLES) {
    progress(`${c.name}, P = ${P}`);
    const thetas = particles(c.theta, P, P);
    const reps = P >= 1024 ? 1 : 3;
    const value = await timeIt(() => ev.evaluate({ thetas }), reps);
    const gradient = await timeIt(() => ev.evaluate({ thetas, gradient: true }), reps);
    // Central differences: 2d extra evaluations of the same batch.
    const fd = await timeIt(async () => {
      await ev.evaluate({ thetas });
      for (let i = 0; i < d; i++) for (const sign of [1, -1]) {
        const moved = thetas.slice();
        for (let r = 0; r < P; r++) moved[r * d + i] *= 1 + sign * 1e-6;
        await ev.evaluate({ thetas: moved });
      }
    }, reps);
    const pooled = await timeIt(() => poolEv.evaluate({ thetas, gradient: true }), reps);
    rows.push(`| ${c.name} | ${P} | ${fmt((value / P) * 1000)} | ${(gradient / value).toFixed(2)}× | ${(fd / gradient).toFixed(2)}× | ${(gradient / pooled).toFixed(2)}× |`);
  }
}
await pool.close();

console.log(`\nlog L of ${OBSERVATIONS} observed times (sampled from the model), P parameter particles; one thread unless noted; medians`);
console.log('| model | P | µs per particle, log L | log L + gradient ÷ log L | finite differences (2d+1 evaluations) ÷ log L + gradient | pool of 2 ÷ one thread (speed-up, log L + gradient) |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const r of rows) console.log(r);

// Adaptive uniformisation ('auto') against plain uniformisation, one θ, log L + gradient.
progress('adaptive vs plain');
const methodRows: string[] = [];
const methodCases: Case[] = [
  ...cases,
  { name: 'coalescent n=30', build: () => models.coalescent(30), theta: [1] },
  { name: 'coalescent n=40', build: () => models.coalescent(40), theta: [1] },
  // Cycles through fast states: the levels never end, 'auto' must cost what plain does.
  { name: 'random cyclic 1k', build: () => models.randomCyclic({ vertices: 1000, params: 1, seed: 3 }), theta: [1] },
  // A small stiff chain (a fast rate beside a slow one): 'auto' takes dense matrices, whose cost grows with log λt.
  { name: 'random cyclic 60, stiff', build: () => models.randomCyclic({ vertices: 60, params: 2, seed: 5 }), theta: [10000, 0.05] },
];
/** log L and its gradient at one θ by `method`: median ms, the answer, and how the run went. */
async function timeMethod(structure: Structure, data: CheckedPoints, theta: number[], limits: LikelihoodLimits, method: LikelihoodMethod) {
  const rows = { rows: 1, paramLength: theta.length, data: Float64Array.from(theta) };
  const pl = new PointLikelihood(structure, data, limits, method);
  const ms = await timeIt(async () => pl.evaluate(rows, true), 1, 2000);
  const result = pl.evaluate(rows, true), last = pl.lastRun();
  pl.dispose();
  return { ms, result, last };
}
for (const c of methodCases) {
  progress(`adaptive vs plain: ${c.name}`);
  const graph = c.build();
  const structure = graph.structure();
  const data = checkObservations({ times: graph.sample(OBSERVATIONS, { theta: c.theta, seed: 7 }) }, graph) as CheckedPoints;
  const run = (method: LikelihoodMethod) => timeMethod(structure, data, c.theta, {}, method);
  const auto = await run('auto'), plain = await run('uniformisation');
  const dLog = Math.abs(auto.result.logLik[0] - plain.result.logLik[0]) / Math.abs(plain.result.logLik[0]);
  const dGrad = Math.max(...Array.from(auto.result.gradient!, (g, i) => Math.abs(g - plain.result.gradient![i]) / Math.max(1e-300, Math.abs(plain.result.gradient![i]))));
  const how = auto.last.method === 'adaptive' ? `adaptive, ${auto.last.levels} levels` : auto.last.method === 'dense' ? 'dense matrices' : 'plain';
  methodRows.push(`| ${c.name} | ${structure.vertexCount} | ${plain.last.steps} | ${how} | ${fmt(auto.ms)} | ${fmt(plain.ms)} | ${(plain.ms / auto.ms).toFixed(1)}× | ${dLog.toExponential(1)} | ${dGrad.toExponential(1)} |`);
}
console.log(`\nlog L + gradient of ${OBSERVATIONS} times, one θ: 'auto' (adaptive uniformisation or dense matrices where they pay) against plain uniformisation; ms, medians`);
console.log('| model | vertices | plain steps | auto took | auto | plain | plain ÷ auto | Δ log L (rel.) | max Δ gradient (rel.) |');
console.log('|---|--:|--:|---|--:|--:|--:|--:|--:|');
for (const r of methodRows) console.log(r);

// Krylov before stepping ('auto') on continuous chains over 128 states whose stepping would be
// long: where it answers (nearly closed chains) and where it gives way (times far in the
// tail, whose densities are below Krylov's absolute accuracy: the row fails after the largest
// times' group alone and is stepped).
const krylovRows: string[] = [];
const leaky = (seed: number, vertices: number) => buildGraph(withScaledExits(randomSpec({ seed, vertices, params: 2, absorbing: 2, defective: true }), 1e-3));
const farOut = (seed: number, vertices: number) => buildGraph(randomSpec({ seed, vertices, params: 2, absorbing: 1, defective: false }));
const krylovCases: { name: string; graph: Graph; theta: number[]; count: number; scale: number }[] = [
  { name: 'nearly closed 150 (exits ×1e-3)', graph: leaky(4, 150), theta: [0.8, 1.6], count: 15, scale: 1 },
  { name: 'nearly closed 400 (exits ×1e-3)', graph: leaky(6, 400), theta: [0.8, 1.6], count: 30, scale: 1 },
  { name: 'random 300, times ×100 (far tail)', graph: farOut(3, 300), theta: [1.3, 0.7], count: 15, scale: 100 },
  { name: 'random 600, times ×50 (far tail)', graph: farOut(11, 600), theta: [1.3, 0.7], count: 15, scale: 50 },
];
for (const c of krylovCases) {
  progress(`Krylov first: ${c.name}`);
  const structure = c.graph.structure();
  const times = Array.from(c.graph.sample(c.count, { theta: c.theta, seed: 3 })).filter((t) => t > 0).map((t) => t * c.scale);
  const data = checkObservations({ times }, c.graph) as CheckedPoints;
  const run = (method: LikelihoodMethod) => timeMethod(structure, data, c.theta, { maxSteps: 2e9 }, method);
  const auto = await run('auto'), plain = await run('uniformisation');
  const dLog = Math.abs(auto.result.logLik[0] - plain.result.logLik[0]) / Math.abs(plain.result.logLik[0]);
  krylovRows.push(`| ${c.name} | ${plain.last.steps} | ${auto.last.method} | ${fmt(auto.ms)} | ${fmt(plain.ms)} | ${(plain.ms / auto.ms).toFixed(2)}× | ${dLog.toExponential(1)} |`);
}
console.log(`\nlog L + gradient of 15–30 times, one θ, chains over 128 states: 'auto' (Krylov first where stepping would pass 50 ms) against plain uniformisation; ms, medians`);
console.log('| chain | plain steps | auto took | auto | plain | plain ÷ auto | Δ log L (rel.) |');
console.log('|---|--:|---|--:|--:|--:|--:|');
for (const r of krylovRows) console.log(r);

// Layer 2: a fresh process's cold start vs a memory hit vs a restart that finds the file store.
progress('layer 2');
const layerRows: string[] = [];
async function layerCase(name: string, build: () => Graph, target: (g: Graph) => Target): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'phasekit-bench-layer2-'));
  const open = () => ({ traces: new TraceCache({ persistence: 'file', root: dir, sync: false }), evaluators: new EvaluatorCache({ persistence: 'file', root: dir, sync: false }) });
  const ready = async (caches: ReturnType<typeof open>, graph: Graph): Promise<Evaluator> =>
    createEvaluator(graph, target(graph), { cache: caches.evaluators, traceStore: caches.traces });
  const cold: number[] = [], memory: number[] = [], persistent: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const caches = open();
    await caches.traces.clear();
    await caches.evaluators.clear();
    let g = build();
    let t0 = performance.now();
    await ready(caches, g);
    cold.push(performance.now() - t0);
    g = build();
    t0 = performance.now();
    await ready(caches, g);
    memory.push(performance.now() - t0);
    await caches.traces.close();
    await caches.evaluators.close();
    const restarted = open();
    g = build();
    t0 = performance.now();
    await ready(restarted, g);
    persistent.push(performance.now() - t0);
    await restarted.traces.close();
    await restarted.evaluators.close();
  }
  const [c, m, p] = [median(cold), median(memory), median(persistent)];
  layerRows.push(`| ${name} | ${fmt(c)} | ${fmt(m)} | ${fmt(p)} | ${(p / c).toFixed(2)}× |`);
}
for (const c of cases) {
  const times = c.build().sample(OBSERVATIONS, { theta: c.theta, seed: 7 });
  await layerCase(`${c.name}, times`, c.build, () => ({ kind: 'loglik', data: { times } }));
}
for (const n of [20, 30]) {
  await layerCase(`coalescent n=${n}, SFS counts`, () => models.coalescent(n), (g) => ({
    kind: 'loglik', data: { counts: Array.from({ length: n - 1 }, (_, i) => Math.round(200 / (i + 1))), rewards: models.coalescentSfsRewards(g), scale: 5 },
  }));
}
await layerCase('rabbits N=200, moments', () => models.rabbits(200), () => ({ kind: 'moments', k: 2 }));
console.log('\nlayer 2: milliseconds until an evaluator is ready (graph built outside the timing; medians of 5)');
console.log('| evaluator | cold (record + plan + store) | memory hit | persistent hit after restart | persistent ÷ cold |');
console.log('|---|--:|--:|--:|--:|');
for (const r of layerRows) console.log(r);

// The kernel's row layouts for stepping (wasm-src/distribution.c, likelihood.c): padded rows,
// which the kernel chooses on large graphs whose in-degrees change from row to row, against
// plain rows forced on the same likelihood, alternating; the answers must be the same bits.
progress('row layout: padded against plain rows');
const layoutRows: string[] = [];
// Every state stepped: models.randomCyclic numbers its states along its edges, so over these
// 127 steps the mass reaches only a few hundred, which are stepped over plain rows whatever
// the layout (the table after this one).
kernel().pk_set_step_prefix(0);
for (const vertices of [20000, 50000]) {
  const graph = models.randomCyclic({ vertices, params: 2, seed: 1 });
  const structure = graph.structure();
  // 100 times to t = 4 (about 130 steps): the layout's gain per step, not a long tail's step count.
  const data = checkObservations({ times: Array.from({ length: 100 }, (_, i) => 0.04 * (i + 1)) }, graph) as CheckedPoints;
  const rows = { rows: 1, paramLength: 2, data: Float64Array.of(1, 1) };
  const k = kernel();
  const plain = new PointLikelihood(structure, data, {}, 'uniformisation'), padded = new PointLikelihood(structure, data, {}, 'uniformisation');
  k.pk_lik_set_step_width((plain as unknown as { ptr: number }).ptr, 0);
  const width = k.pk_lik_set_step_width((padded as unknown as { ptr: number }).ptr, -1);
  for (const gradient of [false, true]) {
    const times = { plain: [] as number[], padded: [] as number[] };
    let same = true;
    for (let i = 0; i < 9; i++) {
      let t0 = performance.now();
      const a = plain.evaluate(rows, gradient);
      times.plain.push(performance.now() - t0);
      t0 = performance.now();
      const b = padded.evaluate(rows, gradient);
      times.padded.push(performance.now() - t0);
      same &&= Object.is(a.logLik[0], b.logLik[0]) && (!gradient || Array.from(a.gradient!).every((g, j) => Object.is(g, b.gradient![j])));
    }
    const [p, q] = [median(times.plain), median(times.padded)];
    layoutRows.push(`| random cyclic ${vertices / 1000}k | ${gradient ? 'log L + gradient' : 'log L'} | ${width} | ${padded.lastRun().steps} | ${fmt(p)} | ${fmt(q)} | ${(q / p).toFixed(2)}× | ${same ? 'yes' : 'NO'} |`);
  }
  plain.dispose();
  padded.dispose();
}
kernel().pk_set_step_prefix(1);
console.log(`\nrow layout of the likelihood's stepping, 100 times, one θ, plain uniformisation, every state stepped: plain rows forced against the kernel's padded rows, alternating (ms, medians of 9)`);
console.log('| model | computes | width | steps | plain rows | padded | padded ÷ plain | same bits |');
console.log('|---|---|--:|--:|--:|--:|--:|---|');
for (const r of layoutRows) console.log(r);

// Stepping only the states the mass can have reached from the start (wasm-src/distribution.c,
// reach): against every state stepped (the kernel's switch off), alternating on the same
// objects; the answers must be the same bits. The pdf rows are here too: the same step.
progress('reached states against every state');
const reachRows: string[] = [];
{
  const k = kernel();
  const times = Array.from({ length: 100 }, (_, i) => 0.04 * (i + 1));
  const alternate = (label: string, run: () => number[]) => {
    const ms = { all: [] as number[], reached: [] as number[] };
    let same = true;
    for (let i = 0; i < 9; i++) {
      k.pk_set_step_prefix(0);
      let t0 = performance.now();
      const a = run();
      ms.all.push(performance.now() - t0);
      k.pk_set_step_prefix(1);
      t0 = performance.now();
      const b = run();
      ms.reached.push(performance.now() - t0);
      same &&= a.length === b.length && a.every((x, j) => Object.is(x, b[j]));
    }
    const [p, q] = [median(ms.all), median(ms.reached)];
    reachRows.push(`| ${label} | ${fmt(p)} | ${fmt(q)} | ${(q / p).toFixed(2)}× | ${same ? 'yes' : 'NO'} |`);
  };
  const cases: [string, Graph, number[]][] = [
    ['rabbits N=200', models.rabbits(200), [1, 2, 4]], ['rabbits N=1000', models.rabbits(1000), [1, 2, 4]],
    ['coalescent n=30', models.coalescent(30), [1]], ['coalescent n=40', models.coalescent(40), [1]], ['random cyclic 1k', models.randomCyclic({ vertices: 1000, params: 2, seed: 1 }), [1, 1]],
    ['random cyclic 20k', models.randomCyclic({ vertices: 20000, params: 2, seed: 1 }), [1, 1]],
  ];
  for (const [name, graph, theta] of cases) {
    // The coalescent's 'auto' is adaptive stepping: a step per level, each inside the levels
    // reached. At n = 40 only that: plainly stepped, its rows take seconds each.
    if (name.startsWith('coalescent')) {
      alternate(`${name}, pdf ×100, adaptive`, () => Array.from(graph.pdf(times, { theta, method: 'adaptive' })));
      const data = checkObservations({ times }, graph) as CheckedPoints;
      const pl = new PointLikelihood(graph.structure(), data, {}, 'adaptive');
      alternate(`${name}, log L + gradient, adaptive`, () => {
        const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.from(theta) }, true);
        return [r.logLik[0], ...r.gradient!];
      });
      pl.dispose();
    }
    if (name === 'coalescent n=40') continue;
    alternate(`${name}, pdf ×100`, () => Array.from(graph.pdf(times, { theta, method: 'uniformization' })));
    if (graph.vertexCount > 300_000) continue;
    const data = checkObservations({ times }, graph) as CheckedPoints;
    const pl = new PointLikelihood(graph.structure(), data, {}, 'uniformisation');
    const rows = { rows: 1, paramLength: theta.length, data: Float64Array.from(theta) };
    for (const gradient of [false, true]) alternate(`${name}, ${gradient ? 'log L + gradient' : 'log L'}`, () => {
      const r = pl.evaluate(rows, gradient);
      return [r.logLik[0], ...(r.gradient ?? [])];
    });
    pl.dispose();
  }
  k.pk_set_step_prefix(1);
}
console.log(`\nstepping only the states the mass can have reached from the start, against every state, 100 times to t = 4, one θ, plain uniformisation unless noted, alternating (ms, medians of 9)`);
console.log('| model, computes | every state | reached states | reached ÷ every | same bits |');
console.log('|---|--:|--:|--:|---|');
for (const r of reachRows) console.log(r);

// Counts against reward expectations (the SFS) on forward structures: the expectations from
// one pass of visit probabilities and the gradient from two more (wasm-src/eliminate.c,
// pk_forward_expect_at), against one E[T] of the same graph at the same θ, this run. Before
// this path each row eliminated (the trace) and solved once per class: the closing note of
// the stop that added it gives the before/after of alternating processes.
/**
 * One table row: counts log L (with and without its gradient) per particle against one E[T] at
 * the same θ, `expectation(theta)` (the direct path, or the trace's), P particles around `center`.
 */
async function sfsRow(name: string, graph: Graph, rewards: ArrayLike<number>[], center: number[], P: number, seed: number,
  expectation: (theta: Float64Array) => number): Promise<string> {
  const n = rewards.length + 1, d = center.length;
  const data = { counts: Array.from({ length: n - 1 }, (_, i) => Math.round(200 / (i + 1))), rewards, scale: 5 };
  const ev = await createEvaluator(graph, { kind: 'loglik', data }, { cache: null, traceStore: null });
  const thetas = particles(center, P, seed);
  const value = await timeIt(() => ev.evaluate({ thetas }), 3) / P;
  const withGradient = await timeIt(() => ev.evaluate({ thetas, gradient: true }), 3) / P;
  const one = await timeIt(async () => { for (let r = 0; r < P; r++) expectation(thetas.subarray(d * r, d * (r + 1))); }, 3) / P;
  ev.dispose();
  return `| ${name} | ${fmt(one)} | ${fmt(value)} | ${(value / one).toFixed(2)}× | ${fmt(withGradient)} | ${(withGradient / one).toFixed(2)}× |`;
}

function printSfs(title: string, rows: string[]): void {
  console.log(`\n${title}`);
  console.log('| model | E[T] | log L | log L ÷ E[T] | log L + gradient | (log L + gradient) ÷ E[T] |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const r of rows) console.log(r);
}

progress('SFS counts on forward structures');
const sfsRows: string[] = [];
for (const n of [20, 30, 40]) {
  const graph = models.coalescent(n);
  sfsRows.push(await sfsRow(`coalescent n=${n} (${n - 1} classes)`, graph, models.coalescentSfsRewards(graph), [1], n >= 40 ? 8 : 64, 5,
    (theta) => graph.expectation({ theta })));
}
printSfs('SFS counts log L on the coalescent, per particle (ms, medians): against one E[T] at the same θ, this run', sfsRows);

// The SFS on a graph with cycles (the island model): each row evaluates the trace, then one
// transposed solve gives the expected time in every vertex, so the n − 1 classes cost one
// solve, and the gradient one solve and one pass over the edges (pk_expect_times,
// pk_expect_gradient), against one E[T] from the same trace at the same θ, this run.
progress('SFS counts on the island model');
const islandRows: string[] = [];
for (const n of [12, 16, 20]) {
  const { graph, rewards } = islandModel(n);
  const model = await compile(graph, { store: null });
  islandRows.push(await sfsRow(`island model n=${n} (${graph.vertexCount} vertices, ${n - 1} classes)`, graph, rewards, [1, 0.5], n >= 20 ? 4 : 16, 6,
    (theta) => model.expectation({ theta })));
}
printSfs('SFS counts log L on a two-deme island model (cycles), per particle (ms, medians): against one E[T] from the trace at the same θ, this run', islandRows);
