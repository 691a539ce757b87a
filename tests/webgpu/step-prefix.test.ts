// The GPU likelihood steps only the rows the mass can have reached (point-plan.ts
// stepBounds, the step kernel's bound and source stop). The bounds are checked
// against the support of v_n found by stepping boolean vectors, and the GPU's
// answers with the bounds against every row stepped, to the bit, on graphs
// numbered breadth first (the models) and in reverse (where the bound gains little).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, Graph, models, ready, type Target } from '../../src/index.js';
import { boundAt, pointStructure, setGpuStepPrefix, stepBounds } from '../../src/webgpu/kernels/point-plan.js';
import { EXPECT_GPU, gpuForTests, spread } from './support.js';

beforeAll(() => ready());
afterEach(() => setGpuStepPrefix(true));

// A random graph read from JSON, its states numbered from the start outwards or in reverse.
function randomGraph(seed: number, reversed: boolean, discrete: boolean): Graph {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = 12 + Math.floor(rnd() * 20);
  const id = (v: number) => (v === 0 || v === n + 1 || !reversed ? v : n + 1 - v);
  const edges = new Map<string, [number, number, number, number[]]>();
  const add = (from: number, to: number, base: number, coef: number[]) => edges.set(`${from},${to}`, [from, to, base, coef]);
  add(0, id(1), 0.6, [0, 0]);
  add(0, id(1 + Math.floor(rnd() * n)), 0, [0.4, 0]);
  for (let v = 1; v <= n; v++) {
    const targets = new Set([n + 1, 1 + Math.floor(rnd() * n), Math.min(n, v + 1)]);
    targets.delete(v);
    for (const t of targets) add(id(v), id(t), discrete ? 0.9 / targets.size : 0.2 + rnd(), [discrete ? 0 : rnd(), discrete ? 0 : 0.3]);
  }
  return Graph.fromJSON({ paramLength: 2, stateLength: 1, discrete: discrete || undefined, vertices: Array.from({ length: n + 2 }, (_, i) => [i]), edges: [...edges.values()] });
}

describe('GPU step bounds', () => {
  const graphs: [string, () => Graph][] = [
    ['rabbits N = 12', () => models.rabbits(12)],
    ['coalescent n = 9', () => models.coalescent(9)],
    ...[1, 2, 3, 4].map((seed): [string, () => Graph] => [`random graph ${seed}${seed % 2 ? ' (reversed)' : ''}`, () => randomGraph(seed * 7919, seed % 2 === 1, seed === 4)]),
  ];

  it.each(graphs)('%s: v_n is 0 from bounds[n] on, and each row\'s sources ascend', (_, make) => {
    const ps = pointStructure(make().structure());
    const { nt, csr } = ps;
    for (let b = 0; b < nt; b++) for (let r = csr[b] + 1; r < csr[b + 1]; r++) expect(csr[nt + 1 + r]).toBeGreaterThan(csr[nt + 1 + r - 1]);
    // Support of v_0: α's rows (the coefficient rows at offA with any nonzero entry).
    const row = ps.coefficients.length / (ps.mt + 3 * nt);
    let support = Array.from({ length: nt }, (_, a) => ps.coefficients.subarray(ps.offA + a * row, ps.offA + (a + 1) * row).some((x) => x !== 0));
    const bounds = stepBounds(ps);
    // Kept short: at most one entry per row it adds, however many steps follow.
    expect(bounds.length).toBeLessThanOrEqual(nt + 2);
    for (let n = 0; n <= 80; n++) {
      const last = support.lastIndexOf(true);
      expect(last).toBeLessThan(boundAt(bounds, n));
      if (n > 0) expect(boundAt(bounds, n)).toBeGreaterThanOrEqual(boundAt(bounds, n - 1));
      const next = support.slice();
      for (let b = 0; b < nt; b++) for (let r = csr[b]; r < csr[b + 1]; r++) if (support[csr[nt + 1 + r]]) next[b] = true;
      support = next;
    }
    setGpuStepPrefix(false);
    expect(Array.from(stepBounds(ps))).toEqual([nt]);
  });

  it('rabbits N = 200: 40 steps reach under a quarter of the rows', () => {
    const ps = pointStructure(models.rabbits(200).structure());
    expect(boundAt(stepBounds(ps), 40)).toBeLessThan(ps.nt / 4);
  });
});

describe('GPU likelihood: the reached rows against every row', () => {
  const cases: [string, () => Graph, number[], (g: Graph) => Target][] = [
    ['rabbits N = 20, 200 times', () => models.rabbits(20), [1, 2, 4], (g) => ({ kind: 'loglik', data: { times: g.sample(200, { theta: [1, 2, 4], seed: 3 }) } })],
    ['coalescent n = 12, 300 times', () => models.coalescent(12), [1], (g) => ({ kind: 'loglik', data: { times: g.sample(300, { theta: [1], seed: 4 }) } })],
    ['a random graph numbered in reverse, times and censored', () => randomGraph(31, true, false), [0.5, 1], () => ({ kind: 'loglik', data: { times: [0.1, 0.5, 1, 2, 4, 9], censored: [3, 6] } })],
    ['a discrete random graph, steps and censored', () => randomGraph(57, false, true), [0.5, 1], () => ({ kind: 'loglik', data: { steps: [0, 1, 2, 3, 5, 8, 13, 21], censored: [4, 30] } })],
  ];

  it.each(cases)('%s: the same bits, f32 and df64', async (_, make, theta, target) => {
    const status = await gpuForTests();
    if (!status.available) {
      expect(EXPECT_GPU).toBe(false);
      return;
    }
    const g = make();
    const t = target(g);
    const thetas = spread(theta, 6);
    for (const precision of ['f32', 'df64'] as const) {
      if (precision === 'df64' && !status.selfTest!.df64) continue;
      const run = async (prefix: boolean) => {
        setGpuStepPrefix(prefix);
        const evaluator = await createEvaluator(g, t, { backend: 'webgpu', precision, cache: null });
        const r = await evaluator.evaluate({ thetas, gradient: true });
        return [...r.values, ...r.gradients!];
      };
      const every = await run(false), reached = await run(true);
      expect(reached.every(Number.isFinite)).toBe(true);
      expect(reached).toEqual(every);
    }
  }, 120_000);
});
