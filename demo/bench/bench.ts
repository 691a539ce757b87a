// Benchmark fixture for bench/browser/run.ts, in Chromium: the kernel alone on
// rows that the runner also times natively, and phasekit's svgd() iterations on
// pools of one and two workers. Each function returns milliseconds; the runner makes the ratios.
import { ready, models, createEvaluator, type Evaluator } from '../../src/index.js';
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

/** Median ms of `reps` evaluations (after one warm-up). */
async function timeEvaluations(evaluator: Evaluator, thetas: Float64Array, reps: number): Promise<number> {
  await evaluator.evaluate({ thetas, gradient: true });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await evaluator.evaluate({ thetas, gradient: true });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[reps >> 1];
}

/**
 * log L and its gradient for `particles` θ rows of coalescent n = 10 with `observations` times:
 * ms per batch on the WebGPU evaluator and on the WASM one in this page; or why there is no WebGPU one.
 */
async function webgpuRow(particles: number, observations: number, reps: number): Promise<{ webgpuMs: number; wasmMs: number; maxRelativeDifference: number } | { skipped: string }> {
  await ready();
  const graph = models.coalescent(10);
  const data = { times: graph.sample(observations, { theta: [1], seed: 1 }) };
  const thetas = Float64Array.from({ length: particles }, (_, i) => 0.5 + i / particles);
  let gpu: Evaluator;
  try {
    gpu = await createEvaluator(graph, { kind: 'loglik', data }, { backend: 'webgpu' });
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
  const wasm = await createEvaluator(graph, { kind: 'loglik', data }, { backend: 'wasm' });
  const [a, b] = [await gpu.evaluate({ thetas }), await wasm.evaluate({ thetas })];
  const maxRelativeDifference = Math.max(...Array.from(a.values, (x, i) => Math.abs(x - b.values[i]) / Math.abs(b.values[i])));
  return { webgpuMs: await timeEvaluations(gpu, thetas, reps), wasmMs: await timeEvaluations(wasm, thetas, reps), maxRelativeDifference };
}

Object.assign(window, { benchFixture: { kernelRow, svgdRow, webgpuRow } });
