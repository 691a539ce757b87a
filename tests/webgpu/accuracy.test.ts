// The WebGPU evaluators against WASM's f64 on the same batch: f32 within 1e-4
// relative (log L: per row; gradients and moments: of the batch's largest entry),
// df64 within 1e-9 where the device's self-test passed. Without an adapter (and
// none expected: see support.ts) each case asserts the fallback instead: backend
// 'webgpu' refuses with GpuError, 'auto' gives WASM's numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, models, ready, type Graph, type Target } from '../../src/index.js';
import { GpuError } from '../../src/webgpu/index.js';
import { buildGraph, randomSpec } from '../correctness/fixtures.js';
import { gpuForTests, relativeEach, relativeToLargest, spread } from './support.js';

beforeAll(() => ready());

interface Case { name: string; graph: () => Graph; theta: number[]; target: (g: Graph) => Target; rows: number }

const coalescentTimes = (g: Graph) => g.sample(1000, { theta: [1], seed: 11 });
const cases: Case[] = [
  { name: 'coalescent n = 10, 1,000 times', graph: () => models.coalescent(10), theta: [1], target: (g) => ({ kind: 'loglik', data: { times: coalescentTimes(g) } }), rows: 8 },
  { name: 'rabbits N = 5, 300 times and 20 censored', graph: () => models.rabbits(5), theta: [1, 2, 4], rows: 6,
    target: (g) => ({ kind: 'loglik', data: { times: g.sample(300, { theta: [1, 2, 4], seed: 5 }), censored: Array.from({ length: 20 }, (_, i) => 0.1 * (i + 1)) } }) },
  { name: 'a discrete random graph, steps with censoring and 0 steps', graph: () => buildGraph(randomSpec({ seed: 812, vertices: 7, params: 2, absorbing: 2, defective: true, discrete: true })), theta: [0.3, 0.5], rows: 6,
    target: () => ({ kind: 'loglik', data: { steps: [0, 1, 2, 2, 3, 5, 8, 13], censored: [4, 9] } }) },
  { name: 'coalescent n = 10, SFS counts (Poisson)', graph: () => models.coalescent(10), theta: [1], rows: 8,
    target: (g) => ({ kind: 'loglik', data: { counts: [40, 19, 14, 10, 8, 7, 6, 5, 4], rewards: models.coalescentSfsRewards(g), scale: 2.5 } }) },
  { name: 'rabbits N = 5, moments k = 3', graph: () => models.rabbits(5), theta: [1, 2, 4], target: () => ({ kind: 'moments', k: 3 }), rows: 6 },
  { name: 'coalescent n = 10, SFS expectations', graph: () => models.coalescent(10), theta: [1], target: (g) => ({ kind: 'expectations', rewards: models.coalescentSfsRewards(g) }), rows: 8 },
];

const TOLERANCE = { f32: 1e-4, df64: 1e-9 } as const;

describe.each(cases)('WebGPU vs WASM f64: $name', ({ graph, theta, target, rows }) => {
  it.each(['f32', 'df64'] as const)('%s agrees with WASM f64 within its tolerance (values and gradients)', async (precision) => {
    const status = await gpuForTests();
    const g = graph();
    const t = target(g);
    const thetas = spread(theta, rows);
    const wasm = await (await createEvaluator(g, t, { backend: 'wasm', cache: null })).evaluate({ thetas, gradient: true });
    if (!status.available || (precision === 'df64' && !status.selfTest!.df64)) {
      await expect(createEvaluator(g, t, { backend: 'webgpu', precision, cache: null })).rejects.toBeInstanceOf(GpuError);
      const auto = await createEvaluator(g, t, { precision, cache: null, gpuMinRows: 1 });
      expect(Array.from((await auto.evaluate({ thetas, gradient: true })).values)).toEqual(Array.from(wasm.values));
      return;
    }
    const gpu = await createEvaluator(g, t, { backend: 'webgpu', precision, cache: null });
    const r = await gpu.evaluate({ thetas, gradient: true });
    expect(r.rows).toBe(rows);
    const values = t.kind === 'loglik' ? relativeEach(r.values, wasm.values) : relativeToLargest(r.values, wasm.values);
    const gradients = relativeToLargest(r.gradients!, wasm.gradients!);
    console.log(`[accuracy] ${precision} ${t.kind}: values ${values.toExponential(2)}, gradients ${gradients.toExponential(2)} (of the largest)`);
    expect(values).toBeLessThanOrEqual(TOLERANCE[precision]);
    expect(gradients).toBeLessThanOrEqual(TOLERANCE[precision]);
  }, 120_000);
});
