// npm run bench:svgd — SVGD on the coalescent (n = 10, 1,000 observed T_MRCA at
// θ = 2), measured in one run:
//   1. seconds per iteration for 100 and 1,000 particles: WASM in one thread, in
//      one worker, split across a pool; full data and mini-batches; WebGPU when
//      present (not in this build);
//   2. the posterior (100 particles) against the exact grid posterior;
//   3. iterations until the posterior mean stays within 1% of its final value.
// Ratios are against the one-thread full-data run of this same process; the
// phasic figures are the issue's anchor (measured elsewhere, JAX on CPU) and
// are quoted, not measured here.
// Per-iteration times are the fastest of a few runs (other work on a shared
// machine only ever adds time).
//   npx tsx bench/svgd/run.ts [--quick]
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvaluator, models, ready, svgd, type SvgdOptions, type SvgdResult } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { progress } from '../foundation/timing.js';

process.env.PHASEKIT_CACHE_DIR ??= await mkdtemp(join(tmpdir(), 'phasekit-bench-svgd-'));
await ready();
const quick = process.argv.includes('--quick');
const startLoad = loadavg()[0].toFixed(1);

const PHASIC = { secondsPerIteration100: 1.48, secondsPerIteration1000: 15.8, mean: 2.077, sd: 0.145, exactMean: 2.055, exactSd: 0.037 };
const model = models.coalescent(10);
const times = model.sample(1000, { theta: [2], seed: 2024 });
const data = { times };
const base: SvgdOptions = { model, data, seed: 1, tolerance: 0 };
const cores = availableParallelism();
const pool = createPool({ size: cores });
const fmt = (x: number, digits = 3) => (x >= 100 ? x.toFixed(0) : x.toPrecision(digits));

// ---- the exact posterior: the default prior, log-normal(0, 2), on a fine grid ----
progress('exact grid posterior');
const exact = await (async () => {
  const ev = await createEvaluator(model, { kind: 'loglik', data }, { cache: null, traceStore: null });
  const n = 4000, lo = 1.5, hi = 2.8;
  const grid = Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n);
  const { values } = await ev.evaluate({ thetas: grid });
  const logPost = Array.from(values, (v, i) => v - Math.log(grid[i]) - Math.log(grid[i]) ** 2 / 8);
  const top = Math.max(...logPost), w = logPost.map((x) => Math.exp(x - top)), W = w.reduce((s, x) => s + x, 0);
  const mean = w.reduce((s, x, i) => s + x * grid[i], 0) / W;
  const sd = Math.sqrt(w.reduce((s, x, i) => s + x * (grid[i] - mean) ** 2, 0) / W);
  return { mean, sd, edge: (w[0] + w[n - 1]) / W };
})();

// ---- 1. seconds per iteration ----
interface Config { name: string; options: Partial<SvgdOptions> }
const configs: Config[] = [
  { name: 'WASM, one thread', options: { execution: 'inline' } },
  { name: 'WASM, one worker', options: { execution: 'worker', pool } },
  { name: `WASM, pool of ${cores} (particles split)`, options: { execution: 'pool', pool } },
  { name: 'WASM, one thread, mini-batches of 100', options: { execution: 'inline', batchSize: 100 } },
  { name: `WASM, pool of ${cores}, mini-batches of 100`, options: { execution: 'pool', pool, batchSize: 100 } },
];
const timing: string[] = [];
for (const P of [100, 1000]) {
  const iterations = quick ? 2 : P === 100 ? 20 : 4;
  let baseline = 0;
  for (const c of configs) {
    progress(`${c.name}, ${P} particles`);
    await svgd({ ...base, ...c.options, particles: P, iterations: 1 }); // warm: worker started, evaluator planned, JIT
    // The fastest of a few runs: other work on a shared machine only ever adds time. In this
    // thread, CPU time too: what an iteration costs a core of its own, however busy the machine.
    let s = Infinity, cpu = Infinity;
    for (let rep = 0; rep < (quick ? 1 : P === 100 ? 3 : 2); rep++) {
      const before = process.cpuUsage();
      const r = await svgd({ ...base, ...c.options, particles: P, iterations });
      const used = process.cpuUsage(before);
      s = Math.min(s, r.diagnostics.msPerIteration / 1000);
      cpu = Math.min(cpu, (used.user + used.system) / 1e6 / iterations);
    }
    if (!baseline) baseline = s;
    const anchor = P === 100 ? PHASIC.secondsPerIteration100 : PHASIC.secondsPerIteration1000;
    const inThread = c.options.execution === 'inline';
    timing.push(`| ${P} | ${c.name} | ${fmt(s * 1000)} ms | ${inThread ? `${fmt(cpu * 1000)} ms` : ''} | ${(baseline / s).toFixed(2)}× | ${fmt(anchor / s)}× | ${inThread ? `${fmt(anchor / cpu)}×` : ''} |`);
  }
  timing.push(`| ${P} | WebGPU | not in this build (the WebGPU issue) | | | | | |`);
}

// ---- 2 and 3. accuracy against the exact posterior, and iterations to a stable mean ----
const runs: { name: string; options: Partial<SvgdOptions> }[] = [
  { name: 'full data, 200 iterations', options: { iterations: 200 } },
  { name: 'full data, 300 iterations', options: { iterations: 300 } },
  { name: 'mini-batches of 100, 300 iterations', options: { iterations: 300, batchSize: 100 } },
];
const accuracy: string[] = [], stability: string[] = [];
for (const run of runs) {
  if (quick) break;
  progress(`accuracy: ${run.name}`);
  const r: SvgdResult = await svgd({ ...base, particles: 100, execution: 'inline', historyPoints: 1000, ...run.options });
  const err = (x: number, y: number) => `${((x / y - 1) * 100).toFixed(2)}%`;
  accuracy.push(`| ${run.name} | ${r.mean[0].toFixed(4)} (${err(r.mean[0], exact.mean)}) | ${r.sd[0].toFixed(4)} (${err(r.sd[0], exact.sd)}) | ${fmt(r.diagnostics.msPerIteration)} ms | ${fmt(r.diagnostics.ms / 1000)} s |`);
  // The first recorded iteration after which the mean stays within 1% of the final mean (and the sd within 10%).
  const h = r.history, last = h.iteration.length - 1;
  const settle = (ok: (k: number) => boolean) => {
    let k = last;
    while (k > 0 && ok(k - 1)) k--;
    return h.iteration[k];
  };
  const meanAt = settle((k) => Math.abs(h.mean[k] / h.mean[last] - 1) <= 0.01);
  const sdAt = settle((k) => Math.abs(h.sd[k] / h.sd[last] - 1) <= 0.1);
  stability.push(`| ${run.name} | ${meanAt} | ${fmt((meanAt * r.diagnostics.msPerIteration) / 1000)} s | ${sdAt} | ${fmt((sdAt * r.diagnostics.msPerIteration) / 1000)} s |`);
}
await pool.close();

console.log(`\nSVGD, coalescent n = 10, 1,000 observed T_MRCA (θ = 2); ${cores} cores; default prior log-normal(0, 2)`);
console.log(`exact grid posterior: mean ${exact.mean.toFixed(4)}, sd ${exact.sd.toFixed(4)} (grid edge mass ${exact.edge.toExponential(1)})`);
console.log(`phasic anchor (issue, JAX on CPU): ${PHASIC.secondsPerIteration100} s per iteration at 100 particles, ${PHASIC.secondsPerIteration1000} s at 1,000; mean ${PHASIC.mean} vs exact ${PHASIC.exactMean}, sd ${PHASIC.sd} vs ${PHASIC.exactSd}`);
console.log(`\nper iteration (the mean over a run; the fastest of 3 runs at 100 particles, of 2 at 1,000; after a warm-up run); load average at the start ${startLoad}`);
console.log('| particles | how | per iteration (wall) | CPU per iteration | speed-up over one thread (wall) | phasic anchor ÷ wall | phasic anchor ÷ CPU |');
console.log('|--:|---|--:|--:|--:|--:|--:|');
for (const row of timing) console.log(row);
if (!quick) {
  console.log('\nposterior, 100 particles, against the exact grid posterior');
  console.log('| run | mean (error) | sd (error) | per iteration | fit |');
  console.log('|---|--:|--:|--:|--:|');
  for (const row of accuracy) console.log(row);
  console.log('\nuntil stable: the first iteration from which the mean stays within 1% (sd within 10%) of its final value');
  console.log('| run | mean: iteration | mean: seconds | sd: iteration | sd: seconds |');
  console.log('|---|--:|--:|--:|--:|');
  for (const row of stability) console.log(row);
}
