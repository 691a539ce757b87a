// Benchmark fixture for bench/browser/run.ts, in Chromium: the kernel alone on
// rows that the runner also times natively, and phasekit's svgd() iterations on
// pools of one and two workers. Each function returns milliseconds; the runner makes the ratios.
import { ready, models } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { kernelOnly } from '../../bench/foundation/kernel-only.js';
import { svgd } from '../../src/inference/index.js';
import { kernelGraph, type KernelCase } from './kernel-cases.js';

/** Median ms of the bare kernel (pk_eliminate + 3 moments) in this browser's WebAssembly. */
async function kernelRow(c: KernelCase): Promise<{ ms: number; moments: number[] }> {
  await ready();
  const csr = kernelGraph(c).csrAt(c.theta);
  const { eliminateMomentsMs, moments } = kernelOnly(csr, c.reps);
  return { ms: eliminateMomentsMs, moments };
}

/** phasekit's svgd() on coalescent n = 10 with `observations` simulated times, the loop here and the particles split across a pool of `workers`: ms per iteration, after a warm-up fit. */
async function svgdRow(workers: number, particles: number, observations: number, iterations: number): Promise<{ msPerIteration: number; firstMs: number; mean: number }> {
  await ready();
  const graph = models.coalescent(10);
  const times = graph.sample(observations, { theta: [1], seed: 1 });
  const pool = createPool({ size: workers });
  try {
    // A fixed number of iterations: no early stop, so both pools do the same work.
    const options = { model: graph, data: { times }, prior: { gamma: { shape: 2, rate: 1 } }, particles, seed: 1, tolerance: 0, execution: 'pool' as const, pool };
    const started = performance.now();
    await svgd({ ...options, iterations: 1 }); // workers up, evaluator planned and held
    const firstMs = performance.now() - started;
    const result = await svgd({ ...options, iterations });
    return { msPerIteration: result.diagnostics.msPerIteration, firstMs, mean: result.mean[0] };
  } finally {
    await pool.close();
  }
}

Object.assign(window, { benchFixture: { kernelRow, svgdRow } });
