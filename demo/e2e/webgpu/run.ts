// What the WebGPU fixture computes, shared by the page and its module worker: the
// coalescent's log-likelihood of sampled times on a backend, with WASM f64 beside
// it for the error, and timings.
import { createEvaluator, Graph, models, ready, type BackendChoice, type GpuPrecision } from '../../../src/index.js';

/** One comparison: GPU vs WASM f64 on P particles of coalescent n with `observations` times. */
export interface Comparison { backend: string; reason: string; ms: number; wasmMs: number; logLikError: number; gradientError: number; rows: number }

/** Rows spread around θ = 1. */
export function particles(rows: number): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => 0.6 + (0.8 * (r + 0.5)) / rows);
}

/** Evaluates on `backend` and on WASM, and measures the difference. */
export async function compare(n: number, rows: number, observations: number, backend: BackendChoice, precision: GpuPrecision): Promise<Comparison> {
  await ready();
  const g = models.coalescent(n);
  const target = { kind: 'loglik' as const, data: { times: g.sample(observations, { theta: [1], seed: 3 }) } };
  const thetas = particles(rows);
  const gpu = await createEvaluator(g, target, { backend, precision, cache: null });
  const wasm = await createEvaluator(g, target, { backend: 'wasm', cache: null });
  let t0 = performance.now();
  const a = await gpu.evaluate({ thetas, gradient: true });
  const ms = performance.now() - t0;
  t0 = performance.now();
  const b = await wasm.evaluate({ thetas, gradient: true });
  const wasmMs = performance.now() - t0;
  let logLikError = 0, gradientError = 0;
  const scale = Math.max(...Array.from(b.gradients!, Math.abs));
  for (let r = 0; r < rows; r++) {
    logLikError = Math.max(logLikError, Math.abs(a.values[r] - b.values[r]) / Math.abs(b.values[r]));
    gradientError = Math.max(gradientError, Math.abs(a.gradients![r] - b.gradients![r]) / scale);
  }
  return { backend: gpu.backend, reason: gpu.backendReason ?? '', ms, wasmMs, logLikError, gradientError, rows };
}

/** An Erlang of k stages at rate θ = 1 (every stay-put probability 0 at λ = 1): GPU log L and gradient against the closed form. */
export async function erlang(k: number, times: number[], precision: GpuPrecision): Promise<{ backend: string; logLikError: number; gradientError: number; got: number[]; want: number[] }> {
  await ready();
  const g = new Graph({ stateLength: 1, paramLength: 1 });
  let prev = g.findOrCreateVertex([1]);
  g.start.addEdge(prev, 1);
  for (let i = 2; i <= k + 1; i++) { const v = g.findOrCreateVertex([i]); prev.addEdge(v, 0, [1]); prev = v; }
  const gpu = await createEvaluator(g, { kind: 'loglik', data: { times } }, { backend: 'webgpu', precision, cache: null });
  const r = await gpu.evaluate({ thetas: Float64Array.of(1), gradient: true });
  let logFactorial = 0;
  for (let i = 2; i < k; i++) logFactorial += Math.log(i);
  const want = [times.reduce((s, t) => s + (k - 1) * Math.log(t) - t - logFactorial, 0), times.reduce((s, t) => s + k - t, 0)];
  return { backend: gpu.backend, got: [r.values[0], r.gradients![0]], want, logLikError: Math.abs(r.values[0] - want[0]) / Math.abs(want[0]), gradientError: Math.abs(r.gradients![0] - want[1]) / Math.abs(want[1]) };
}
