// Adaptive uniformisation against the dense oracle and the other methods, on the
// graphs it is meant for (the coalescent, acyclic chains with falling rates), on the
// ones it is not (random cyclic graphs: it must still be exact), on a stiff chain it
// weighs with dense birth-chain matrices, and on the coalescent at n = 40, where the
// oracle works on the 39 levels of T_MRCA instead of the 37,339 states.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import { DENSITY_TOL, TIMES, buildGraph, coalescentSpec, denseAt, expectAbsClose, rabbitsSpec, randomSpec, type GraphSpec } from './fixtures.js';

beforeAll(() => ready());

/** pdf and cdf by `method` against the oracle at `times`, within DENSITY_TOL. */
function expectOracle(spec: GraphSpec, theta: number[], times: number[], method: 'adaptive' | 'auto'): void {
  const g = buildGraph(spec);
  const { alpha, S } = denseAt(spec, theta);
  expectAbsClose(g.pdf(times, { theta, method }), C.pdf(alpha, S, times), DENSITY_TOL, 'pdf');
  expectAbsClose(g.cdf(times, { theta, method }), C.cdf(alpha, S, times), DENSITY_TOL, 'cdf');
}

/** The spec with its back edges dropped: acyclic, absorption still reachable along v → v + 1. */
function acyclic(spec: GraphSpec): GraphSpec {
  return { ...spec, edges: spec.edges.filter(([f, t]) => f === 0 || t > f) };
}

/** A path 1 → 2 → … → n → absorbed with rates falling from `fast` to 1 (a fast start, slow later). */
function fallingPath(n: number, fast: number): GraphSpec {
  const states = Array.from({ length: n + 2 }, (_, v) => [v]);
  const edges: GraphSpec['edges'] = [[0, 1, 1, []]];
  for (let v = 1; v <= n; v++) edges.push([v, v + 1, fast ** ((n - v) / (n - 1)), []]);
  return { stateLength: 1, paramLength: 0, discrete: false, states, edges };
}

describe('adaptive uniformisation = the oracle (pdf, cdf within 1e-9)', () => {
  it.each([3, 5, 8, 11])('coalescent n = %i at θ = 0.37, 1, 2.5', (n) => {
    for (const theta of [[0.37], [1], [2.5]]) expectOracle(coalescentSpec(n), theta, TIMES, 'adaptive');
  });

  it.each([2, 4, 6])('rabbits N = %i (cycles through its fast states)', (N) => {
    expectOracle(rabbitsSpec(N), [1, 2, 4], TIMES, 'adaptive');
  });

  it.each([11, 12, 13, 14, 15, 16])('random cyclic graph seed %i', (seed) => {
    expectOracle(randomSpec({ seed, vertices: 6 + (seed % 7), params: 0, absorbing: 1 + (seed % 2) as 1 | 2, defective: seed % 3 === 0 }), [], TIMES, 'adaptive');
  });

  it.each([21, 22, 23, 24])('random acyclic graph seed %i with rates spread over 10⁴', (seed) => {
    const spec = acyclic(randomSpec({ seed, vertices: 30, params: 0, absorbing: 2, defective: seed % 2 === 0 }));
    spec.edges = spec.edges.map(([f, t, w, c], i) => [f, t, f === 0 ? w : w * 10 ** ((i * 7) % 5), c]);
    // Forced adaptivity pays here only early on: a slow state feeding a fast one keeps λ_k high.
    expectOracle(spec, [], TIMES.filter((t) => t <= 0.5), 'adaptive');
    expectOracle(spec, [], TIMES, 'auto');
  });

  it('a path whose rates fall from 100 to 1, where the Chernoff bound ends the levels before the mass is gone', () => {
    const times = [0, 0.01, 0.1, 0.5, 1, 2, 3];
    expectOracle(fallingPath(120, 100), [], times, 'adaptive');
    expectOracle(fallingPath(120, 100), [], times, 'auto');
  });
});

describe('the methods agree where they overlap', () => {
  it.each([7, 8, 9])('random cyclic graph seed %i: adaptive = uniformisation = dense (1e-10)', (seed) => {
    const g = buildGraph(randomSpec({ seed, vertices: 20, params: 0, absorbing: 1, defective: false }));
    const times = [0, 0.2, 1, 4, 15];
    const u = g.pdf(times, { method: 'uniformization' }), a = g.pdf(times, { method: 'adaptive' }), d = g.pdf(times, { method: 'dense' });
    expectAbsClose(a, u, 1e-10, 'adaptive vs uniformisation');
    expectAbsClose(a, d, 1e-10, 'adaptive vs dense');
  });

  it('coalescent n = 14: auto (adaptive) = uniformisation on 100 times (1e-10)', () => {
    const g = models.coalescent(14);
    const times = Array.from({ length: 100 }, (_, i) => 0.04 * (i + 1));
    expectAbsClose(g.pdf(times, { theta: [1] }), g.pdf(times, { theta: [1], method: 'uniformization' }), 1e-10, 'pdf');
    expectAbsClose(g.cdf(times, { theta: [1] }), g.cdf(times, { theta: [1], method: 'uniformization' }), 1e-10, 'cdf');
  });
});

describe('where plain uniformisation cannot go', () => {
  it('a stiff hypoexponential path (rates 1e8, 1, 1e-8) at λt up to 1e16: closed form, in bounded time', () => {
    const g = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3], [4]], edges: [[0, 1, 1], [1, 2, 1e8], [2, 3, 1], [3, 4, 1e-8]] });
    // Convolution of Exp(1) and Exp(1e-8) (the 1e-8 s stage shifts nothing at these times), written without cancellation.
    const exact = (t: number) => (1e-8 / (1 - 1e-8)) * (Math.exp(-1e-8 * t) * -Math.expm1(-(1 - 1e-8) * t));
    const times = [10, 1e3, 1e6, 1e8];
    const started = performance.now();
    const pdf = g.pdf(times, { method: 'adaptive' });
    expect(performance.now() - started).toBeLessThan(2000);
    times.forEach((t, i) => expect(Math.abs(pdf[i] - exact(t))).toBeLessThanOrEqual(1e-6 * exact(t)));
  });

  it('coalescent n = 40 (37,339 states): T_MRCA pdf and cdf = the oracle on its 39 levels', () => {
    const g = models.coalescent(40);
    const levels = Array.from({ length: 39 }, (_, i) => ((40 - i) * (39 - i)) / 2);
    const S = levels.map((rate, i) => levels.map((_, j) => (j === i ? -rate : j === i + 1 ? rate : 0)));
    const alpha = levels.map((_, i) => (i === 0 ? 1 : 0));
    const times = [0, 1e-3, 0.05, 0.3, 1, 2, 4, 8];
    expectAbsClose(g.pdf(times, { theta: [1] }), C.pdf(alpha, S, times), DENSITY_TOL, 'pdf');
    expectAbsClose(g.cdf(times, { theta: [1] }), C.cdf(alpha, S, times), DENSITY_TOL, 'cdf');
  });

  it('a chain that keeps reaching its fast states stops adaptive runs at maxSteps with WORK_LIMIT; auto falls back', () => {
    const spec = rabbitsSpec(6);
    const g = buildGraph(spec);
    const error = (() => { try { g.pdf([50], { theta: [1, 2, 4], method: 'adaptive', maxSteps: 300 }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'WORK_LIMIT' });
    expect((error as Error).message).toMatch(/maxSteps = 300/);
    const { alpha, S } = denseAt(spec, [1, 2, 4]);
    expectAbsClose(g.pdf([50], { theta: [1, 2, 4], method: 'auto' }), C.pdf(alpha, S, [50]), DENSITY_TOL, 'auto');
  });

  it('a time far past the absorption of a large chain answers at once (no Poisson window is walked)', () => {
    const g = models.coalescent(20); // 628 states: no dense path
    const started = performance.now();
    for (const method of ['uniformization', 'auto'] as const) {
      const pdf = g.pdf([1, 1e12], { theta: [1], method });
      expect(pdf[1]).toBe(0);
      expect(pdf[0]).toBeGreaterThan(0);
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rates × time past double precision is OVERFLOW, not a hang', () => {
    const g = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 1e308]] });
    expect(() => g.pdf([2])).toThrow(expect.objectContaining({ code: 'OVERFLOW' }));
  });

  it("method 'adaptive' on a discrete graph is BAD_ARGUMENT", () => {
    const d = Graph.fromJSON({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 0.5]] });
    expect(() => d.pmf([3], { method: 'adaptive' })).toThrow(/continuous graphs/);
  });
});
