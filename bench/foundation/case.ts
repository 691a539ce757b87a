// One benchmark row, measured in its own process (so every row starts from a
// fresh 4 MiB wasm memory and its memory high-water mark is its own):
//   tsx bench/foundation/case.ts "<case name>" <csr-file>
// Prints one JSON line (a WasmRow) on stdout; progress goes to stderr.
import { existsSync } from 'node:fs';
import { eliminate, ready, type Graph } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import { cases } from './cases.js';
import { stepMatrix } from '../../src/distributions/stepper.js';
import { writeCsrFile, writeStepFile, uniformizationPlan } from './csr-file.js';
import { kernelOnly, timeKernelSteps } from './kernel-only.js';
import { nativeBuilds, runNative } from './native.js';
import { coalescentPdf, denseMoments } from './oracle.js';
import { progress, timeMedian } from './timing.js';

/** Rounds of WASM and native stepping in turn (see interleavedSteps). */
const INTERLEAVED_ROUNDS = 3;

/** What one row measured on the WASM side (milliseconds; medians). */
export interface WasmRow {
  name: string;
  vertices: number;
  edges: number;
  reps: number;
  buildMs: number;
  /** Median build after warm-up builds (like the native build driver's). */
  buildWarmMs: number;
  /** graph.csrAt(θ): canonical structure + rates at θ, on a fresh graph (the JavaScript path). */
  csrMs: number;
  /** The same in the kernel, as elimination and the moments get it (kernelRatesAt: a kernel copy of the structure, then one pass). */
  kernelRatesMs: number;
  eliminateMs: number;
  /** Fastest eliminate + fastest graph.moments(3): less sensitive than medians to other work on the machine. */
  eliminateMomentsMinMs: number;
  /** The bare kernel calls, without the TS wrapper (see kernel-only.ts). */
  kernel: { eliminateMomentsMs: number; eliminateMs: number };
  /** graph.moments(3) with the elimination cached: three replays. */
  momentsMs: number;
  /** graph.pdf at 100 times in [0, 4] (method 'auto'). */
  pdfMs: number;
  /** The same by plain uniformisation (null where it would take minutes). */
  pdfPlainMs: number | null;
  /** The kernel's plain stepping alone (pk_step_distribution over `steps`): the like-for-like pdf ratio against native. */
  kernelStepsMs: number | null;
  /** Steps pk_step_distribution did before the surviving mass ran out (the native driver must do as many). */
  kernelStepsDone: number | null;
  /** Fastest stepping runs of WASM and native, measured in alternating rounds from this process. */
  interleavedSteps: { wasmMinMs: number; nativeMinMs: number; rounds: number } | null;
  /** The 100 pdf values (to compare with scipy). */
  pdf: number[];
  /** The model through fromCallback in TypeScript, where measured. */
  buildByCallbackMs: number | null;
  steps: number;
  stopMass: number;
  moments: number[];
  commands: number;
  fill: number;
  components: number;
  largestComponent: number;
  /** Bytes of the command list (dst, src: int32; m: f64) plus scale0. */
  commandBytes: number;
  /** wasm memory size after the row (its high-water mark; memory never shrinks). */
  wasmMemoryBytes: number;
  rssBytes: number;
  oracle: { ms: number; moments: number[]; maxRelError: number } | null;
  /** Coalescent rows: max |pdf − exact| over the 100 times, and the max pdf value. */
  pdfError: { maxAbs: number; maxPdf: number } | null;
}

const [name, csrPath] = process.argv.slice(2);
const c = cases.find((x) => x.name === name);
if (!c) throw new Error(`unknown case ${name}`);
await ready();

progress(`${name}: build`);
let graph!: Graph;
const builds: number[] = [], csrs: number[] = [], kernelRates: number[] = [];
for (let i = 0; i < c.buildReps; i++) {
  let t0 = performance.now();
  graph = c.build();
  builds.push(performance.now() - t0);
  t0 = performance.now();
  graph.csrAt(c.theta);
  csrs.push(performance.now() - t0);
  t0 = performance.now();
  const rates = kernelRatesAt(graph.structure(), Float64Array.from(c.theta));
  kernelRates.push(performance.now() - t0);
  if (!rates) throw new Error(`${name}: the kernel path declined the rates at θ`);
  rates.dispose();
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
// The same build once warm (after warm-up builds, as the native build driver's median is): the
// fresh builds above also pay for first-time code and memory, which a repeated build does not.
const buildWarm = timeMedian(() => c.build(), c.buildReps, 1).ms;
const csr = graph.csrAt(c.theta);
const times = Array.from({ length: 100 }, (_, i) => (4 * i) / 99);
const plan = uniformizationPlan(csr, times);
writeCsrFile(csrPath, csr);
const steppingMatrix = stepMatrix(csr, plan.lambda);
writeStepFile(`${csrPath}.steps`, steppingMatrix);

progress(`${name}: eliminate ×${c.reps}`);
const warm = c.reps > 1 ? 1 : 0;
const elim = timeMedian(() => eliminate(csr), c.reps, warm, (e) => e.dispose());
const stats = elim.value.stats();
elim.value.dispose();
progress(`${name}: kernel only ×${c.reps}`);
const bare = kernelOnly(csr, c.reps);
progress(`${name}: moments, pdf`);
graph.at(c.theta).elimination;
const mom = timeMedian(() => graph.moments(3, { theta: c.theta }), c.reps, warm);
const pdf = timeMedian(() => graph.pdf(times, { theta: c.theta }), c.reps, warm);
// Plain uniformisation only where it takes seconds, not minutes (steps × edges bounds its work).
const plainWork = plan.steps * (csr.col.length + csr.vertexCount);
progress(`${name}: plain uniformisation pdf (${plan.steps} steps)`);
// Its own step limit: the default (10¹⁰ of work) allows coalescent n = 50 3,143 of its 5,384.
const pdfPlain = plainWork < 2e10 ? timeMedian(() => graph.pdf(times, { theta: c.theta, method: 'uniformization', maxSteps: plan.steps + 1 }), Math.min(c.reps, plainWork > 1e9 ? 1 : 3), plainWork > 1e9 ? 0 : 1) : null;
const kernelSteps = plainWork < 2e10 ? timeKernelSteps(steppingMatrix, plan.steps, plan.stopMass, Math.min(c.reps, 3)) : null;
// The same stepping again, in rounds alternating with the native driver's (run from here), so
// that a change in the machine's load between the two processes does not decide the ratio.
// Not on rows whose stepping takes seconds a run: 3 rounds of 3 runs each side put coalescent
// n = 50 (1.5e10 of work) past the row's 300-second limit.
let interleavedSteps: WasmRow['interleavedSteps'] = null;
if (kernelSteps && plainWork <= 1e9 && existsSync(nativeBuilds.O3.binary)) {
  const wasm: number[] = [], native: number[] = [];
  for (let round = 0; round < INTERLEAVED_ROUNDS; round++) {
    wasm.push(timeKernelSteps(steppingMatrix, plan.steps, plan.stopMass, 3).minMs);
    native.push(runNative(nativeBuilds.O3.binary, csrPath, plan.steps, plan.stopMass, 3).stepsMinMs);
  }
  interleavedSteps = { wasmMinMs: Math.min(...wasm), nativeMinMs: Math.min(...native), rounds: INTERLEAVED_ROUNDS };
}
let buildByCallbackMs: number | null = null;
if (c.buildByCallback) {
  progress(`${name}: build through fromCallback`);
  const t0 = performance.now();
  c.buildByCallback();
  buildByCallbackMs = performance.now() - t0;
}

let oracle: WasmRow['oracle'] = null;
const dense = denseMoments(graph, c.theta, Math.min(c.reps, csr.vertexCount > 200 ? 1 : 5));
if (dense) {
  const err = Math.max(...dense.moments.map((m, k) => Math.abs(m - mom.value[k]) / Math.abs(m)));
  oracle = { ...dense, maxRelError: err };
}
let pdfError: WasmRow['pdfError'] = null;
const coalescentN = /^coalescent n=(\d+)$/.exec(name);
if (coalescentN) {
  const exact = coalescentPdf(Number(coalescentN[1]), times);
  pdfError = { maxAbs: Math.max(...exact.map((f, i) => Math.abs(f - pdf.value[i]))), maxPdf: Math.max(...exact) };
}

const row: WasmRow = {
  name, vertices: csr.vertexCount, edges: csr.col.length, reps: elim.reps,
  buildMs: med(builds), buildWarmMs: buildWarm, csrMs: med(csrs), kernelRatesMs: med(kernelRates), eliminateMs: elim.ms, eliminateMomentsMinMs: elim.minMs + mom.minMs,
  kernel: { eliminateMomentsMs: bare.eliminateMomentsMs, eliminateMs: bare.eliminateMs }, momentsMs: mom.ms, pdfMs: pdf.ms,
  pdfPlainMs: pdfPlain?.ms ?? null, kernelStepsMs: kernelSteps?.ms ?? null, kernelStepsDone: kernelSteps?.stepsDone ?? null, interleavedSteps, pdf: Array.from(pdf.value), buildByCallbackMs,
  steps: plan.steps, stopMass: plan.stopMass, moments: mom.value,
  commands: stats.commands, fill: stats.fill, components: stats.components, largestComponent: stats.largestComponent,
  commandBytes: stats.commands * 16 + stats.vertices * 8,
  wasmMemoryBytes: kernel().memory.buffer.byteLength, rssBytes: process.memoryUsage().rss,
  oracle, pdfError,
};
process.stdout.write(JSON.stringify(row) + '\n');
