// Reverse-mode gradients over the tape against central differences and the
// dense oracle's analytic derivative d/dθ αU1 = αU (dS/dθ) U 1.
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { GraphError, ready, models } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { kernel } from '../../src/kernel/module.js';
import { continuous } from '../oracle/index.js';
import { buildGraph, denseAt, randomSpec, randomTheta } from '../correctness/fixtures.js';

beforeAll(() => ready());
afterEach(() => vi.restoreAllMocks());

function centralDifference(f: (theta: number[]) => number, theta: number[], i: number, h = 1e-5): number {
  const a = [...theta], b = [...theta];
  a[i] += h; b[i] -= h;
  return (f(a) - f(b)) / (2 * h);
}

describe('gradients with respect to θ', () => {
  for (let seed = 1; seed <= 10; seed++) {
    test(`seed ${seed}: ∂E[T]/∂θ equals the dense oracle's analytic derivative (1e-9 relative)`, () => {
      const spec = randomSpec({ seed, vertices: 5 + seed, params: 3, absorbing: seed % 2 ? 1 : 2, defective: seed % 2 === 0 });
      const graph = buildGraph(spec);
      const ev = new TraceModel(Trace.record(graph.structure()), graph);
      const theta = randomTheta(seed, 3);
      const { gradients } = ev.gradient(1, { theta });
      for (let i = 0; i < 3; i++) {
        const { alpha, S } = denseAt(spec, theta);
        const dS = denseDerivative(spec, i);
        const exact = continuous.expectationDerivative(alpha, S, dS);
        expect(Math.abs(gradients[0][i] - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact)));
      }
    });
  }

  test('gradients of the first three moments on rabbits N = 10 match central differences (1e-6 relative)', () => {
    const graph = models.rabbits(10);
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    const theta = [1.2, 0.8, 2.5];
    const { moments, gradients } = ev.gradient(3, { theta });
    expect(moments).toEqual(ev.moments(3, { theta }));
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 3; i++) {
        const fd = centralDifference((t) => graph.moments(3, { theta: t })[j], theta, i);
        expect(Math.abs(gradients[j][i] - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
      }
  });

  test('on the coalescent n = 20, interpreted and (from the fourth evaluation) as runs, ∂E[T^j]/∂θ = −j·E[T^j]/θ, its rates being proportional to θ', () => {
    const graph = models.coalescent(20);
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    for (const theta of [1.3, 0.4, 2.5, 7, 1.3]) {
      const { moments, gradients } = ev.gradient(3, { theta: [theta] });
      for (let j = 0; j < 3; j++) {
        const exact = (-(j + 1) * moments[j]) / theta;
        expect(Math.abs(gradients[j][0] - exact)).toBeLessThanOrEqual(1e-12 * Math.abs(exact));
      }
    }
  });

  test('a seeded gradient is the seed-weighted sum of the per-moment gradients', () => {
    const graph = models.rabbits(5);
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    const theta = [1, 2, 4];
    const each = ev.gradient(2, { theta }).gradients;
    const seeded = ev.gradient(2, { theta, seed: [2, -1] }).gradients[0];
    for (let i = 0; i < 3; i++) expect(seeded[i]).toBeCloseTo(2 * each[0][i] - each[1][i], 12);
  });

  test('reward-weighted expectation gradients match central differences', () => {
    const graph = models.coalescent(6);
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    const rewards = Array.from({ length: graph.vertexCount }, (_, v) => (v % 3 === 0 ? 0 : v / 5));
    const g = ev.gradient(1, { theta: [1.7], rewards }).gradients[0][0];
    const fd = centralDifference((t) => graph.expectation({ theta: t, rewards }), [1.7], 0);
    expect(Math.abs(g - fd)).toBeLessThanOrEqual(1e-7 * Math.abs(fd));
  });

  test('gradients of moments with cycles read no tape (transposed solves, a pass over the edges) and equal the reverse pass over the tape (1e-12)', () => {
    const edges = vi.spyOn(kernel(), 'pk_moments_gradient'), tape = vi.spyOn(kernel(), 'pk_trace_reverse');
    const graphs = [models.rabbits(12), ...[3, 4, 5].map((seed) => buildGraph(randomSpec({ seed, vertices: 20, params: 3, absorbing: 2, defective: seed === 4 })))];
    for (const [i, graph] of graphs.entries()) {
      const ev = new TraceModel(Trace.record(graph.structure()), graph);
      const theta = randomTheta(40 + i, 3);
      for (const rewards of [undefined, Array.from({ length: graph.vertexCount }, (_, v) => (v % 4) * 0.5)])
        for (const [k, seed] of [[1, undefined], [2, undefined], [3, undefined], [3, [0.5, -1, 2]]] as const) {
          edges.mockClear();
          tape.mockClear();
          const fast = ev.gradient(k, { theta, rewards, seed });
          expect(edges).toHaveBeenCalledTimes(seed ? 1 : k);
          expect(tape).not.toHaveBeenCalled();
          // Input gradients take the reverse pass over the tape: the reference here.
          const reverse = ev.gradient(k, { theta, rewards, seed, inputGradients: true });
          expect(tape).toHaveBeenCalledTimes(seed ? 1 : k);
          expect(fast.moments).toEqual(ev.moments(k, { theta, rewards }));
          fast.gradients.forEach((g, j) => {
            const scale = Math.max(...reverse.gradients[j].map(Math.abs));
            g.forEach((x, q) => expect(Math.abs(x - reverse.gradients[j][q]), `graph ${i} k=${k} seed=${seed} ∂m_${j}/∂θ_${q}`).toBeLessThanOrEqual(1e-12 * scale));
          });
        }
    }
  });

  test('a θ the kernel refuses is explained by the validator, as for moments (negative rate, no exit)', () => {
    const graph = models.rabbits(3);
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    expect(() => ev.gradient(1, { theta: [1, -2, 1] })).toThrow(expect.objectContaining({ code: 'NEGATIVE_RATE' }));
    expect(() => ev.gradient(1, { theta: [1, Number.NaN, 1] })).toThrow(GraphError);
    // and the evaluator still answers afterwards, the same as moments at that θ
    expect(ev.gradient(1, { theta: [1, 2, 4] }).moments).toEqual(ev.moments(1, { theta: [1, 2, 4] }));
  });

  test('input gradients are ∂E[T]/∂w per canonical edge (a single-edge exponential: −1/w²)', async () => {
    const graph = models.coalescent(2); // start → (2,0) → (0,1) at rate θ
    const ev = new TraceModel(Trace.record(graph.structure()), graph);
    const { inputGradients } = ev.gradient(1, { theta: [4], inputGradients: true });
    // Edge 0 is the start's (α = 1: ∂E/∂α = E = 1/4), edge 1 the coalescence (∂(1/w)/∂w = −1/16).
    expect(inputGradients[0][0]).toBeCloseTo(0.25, 15);
    expect(inputGradients[0][1]).toBeCloseTo(-1 / 16, 15);
  });
});

/** dS/dθ_i straight from the spec (rates are linear in θ). */
function denseDerivative(spec: ReturnType<typeof randomSpec>, i: number) {
  const theta0 = new Array<number>(spec.paramLength).fill(1);
  const { rowOf, S } = denseAt(spec, theta0);
  const m = S.length;
  const dS = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (const [from, to, , c] of spec.edges) {
    if (from === to || from === 0 || rowOf[from] < 0) continue;
    const r = rowOf[from];
    dS[r][r] -= c[i];
    if (rowOf[to] >= 0) dS[r][rowOf[to]] += c[i];
  }
  return dS;
}
