// The log-likelihood of times by adaptive uniformisation, and its gradient, against the
// dense oracle (expm and its Fréchet derivative) and against plain uniformisation:
//   log L: relative error ≤ 1e-10; gradient: ≤ 1e-8 of the gradient's largest entry.
// Its gradient differentiates each level's rate λ_k as its argmax state's exit rate, so
// these cases include rates that tie and move together (the coalescent's levels), rates
// that tie and move apart (it must give way to plain uniformisation), and acyclic graphs
// with several parameters.
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphError, ready } from '../../src/index.js';
import { PointLikelihood, type LikelihoodMethod } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints, type TimeObservations } from '../../src/likelihood/observations.js';
import { buildGraph, coalescentSpec, randomSpec, randomTheta, type GraphSpec } from '../correctness/fixtures.js';
import { continuousLogLik } from './oracle.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-10;
const GRADIENT_TOL = 1e-8;

interface Result { logLik: number; gradient: number[]; method: string; levels: number }

function likelihood(spec: GraphSpec, data: TimeObservations, method: LikelihoodMethod, limits = {}) {
  const structure = buildGraph(spec).structure();
  const points = checkObservations(data, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
  return new PointLikelihood(structure, points, limits, method);
}

function evaluate(pl: PointLikelihood, theta: number[]): Result {
  const r = pl.evaluate({ rows: 1, paramLength: theta.length, data: Float64Array.from(theta) }, true);
  const run = pl.lastRun();
  return { logLik: r.logLik[0], gradient: Array.from(r.gradient!), method: run.method, levels: run.levels };
}

function ours(spec: GraphSpec, theta: number[], data: TimeObservations, method: LikelihoodMethod = 'adaptive', limits = {}): Result {
  return evaluate(likelihood(spec, data, method, limits), theta);
}

function expectMatch(got: { logLik: number; gradient: number[] }, want: { logLik: number; gradient: number[] }, what: string) {
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  const scale = Math.max(...want.gradient.map(Math.abs), 1e-300);
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

/** Times spread over the distribution's bulk and tails (in units of its scale). */
const spread = (unit: number) => [0.02, 0.1, 0.35, 0.7, 1.1, 1.9, 3.2, 5].map((x) => x * unit);

/**
 * The spec with its back edges dropped (acyclic, absorption still reachable along
 * v → v + 1) and each vertex's rates scaled so that at `theta` its exit rate is
 * 2^(n − v): every state is slower than those before it, so each level empties its
 * fastest state. (A slow state feeding a fast one keeps λ_k high and the levels many:
 * 'auto' then runs plain uniformisation.)
 */
function fallingAcyclic(spec: GraphSpec, theta: number[]): GraphSpec {
  const n = spec.states.length;
  const edges = spec.edges.filter(([f, t]) => f === 0 || t > f);
  const exit = new Array<number>(n).fill(0);
  for (const [f, , w, c] of edges) exit[f] += w + c.reduce((x, ci, i) => x + ci * theta[i], 0);
  const scale = (f: number) => (f === 0 || exit[f] === 0 ? 1 : 2 ** (n - f) / exit[f]);
  return { ...spec, edges: edges.map(([f, t, w, c]) => [f, t, w * scale(f), c.map((x) => x * scale(f))]) };
}

/** Start → two states (half each) → absorbed, at rates a·θ0 and b·θ(second). */
function twoBranches(a: number, b: number, second: 0 | 1): GraphSpec {
  const c = (x: number, i: 0 | 1) => (i === 0 ? [x, 0] : [0, x]);
  return {
    stateLength: 1, paramLength: 2, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 0.5, [0, 0]], [0, 2, 0.5, [0, 0]], [1, 3, 0, c(a, 0)], [2, 3, 0, c(b, second)]],
  };
}

describe('adaptive log-likelihood = the dense oracle', () => {
  it.each([3, 5, 7, 9])('coalescent n = %i at θ = 0.37, 1, 2.5, with weights and censoring', (n) => {
    const data = { times: spread(1), weights: [1, 2, 1, 3, 1, 0.5, 1, 2], censored: [0.5, 4], censoredWeights: [2, 1] };
    for (const theta of [[0.37], [1], [2.5]]) {
      const got = ours(coalescentSpec(n), theta, data);
      expect(got.method).toBe('adaptive');
      expectMatch(got, continuousLogLik(coalescentSpec(n), theta, data), `coalescent ${n} θ ${theta}`);
    }
  });

  it.each([31, 32, 33, 34, 35, 36])('random acyclic graph seed %i with falling rates, three parameters', (seed) => {
    const theta = randomTheta(seed, 3);
    const spec = fallingAcyclic(randomSpec({ seed, vertices: 12, params: 3, absorbing: 1 + (seed % 2) as 1 | 2, defective: seed % 3 === 0 }), theta);
    const data = { times: spread(0.5), weights: [1, 1, 2, 1, 4, 1, 1, 1], censored: [0.8] };
    const want = continuousLogLik(spec, theta, data);
    const got = ours(spec, theta, data, 'adaptive');
    expect(got.method).toBe('adaptive');
    expect(got.levels).toBeLessThanOrEqual(12);
    expectMatch(got, want, `seed ${seed}`);
    // On 12 states the birth chain costs about what plain stepping does: 'auto' may take either.
    expectMatch(ours(spec, theta, data, 'auto'), want, `seed ${seed} auto`);
  });

  it.each([41, 42])('random acyclic graph seed %i whose slow states feed fast ones: the levels never end, plain uniformisation answers', (seed) => {
    const theta = randomTheta(seed, 2);
    const spec = randomSpec({ seed, vertices: 10, params: 2, absorbing: 1, defective: false });
    const scale = (f: number) => (f === 0 ? 1 : 10 ** ((f * 7) % 3));
    spec.edges = spec.edges.filter(([f, t]) => f === 0 || t > f).map(([f, t, w, c]) => [f, t, w * scale(f), c.map((x) => x * scale(f))]);
    const data = { times: spread(0.5), censored: [1] }, want = continuousLogLik(spec, theta, data);
    for (const method of ['adaptive', 'auto'] as const) {
      const got = ours(spec, theta, data, method);
      expect(got.method).toBe('uniformisation');
      expectMatch(got, want, `seed ${seed} ${method}`);
    }
  });

  it('a far-tail time keeps its relative accuracy (no truncation of the levels)', () => {
    const spec = coalescentSpec(6), theta = [1], data = { times: [0.5, 40], censored: [35] };
    const want = continuousLogLik(spec, theta, data);
    expect(want.logLik).toBeLessThan(-30);
    expectMatch(ours(spec, theta, data), want, 'far tail');
  });

  it('tied exit rates that move apart as θ moves: the gradient falls back to plain uniformisation', () => {
    const spec = twoBranches(1, 1, 1), data = { times: spread(1) };
    const got = ours(spec, [1, 1], data);
    expect(got.method).toBe('uniformisation');
    expectMatch(got, continuousLogLik(spec, [1, 1], data), 'apart');
    // Without a gradient the value is exact either way, so the adaptive path runs.
    const pl = likelihood(spec, data, 'adaptive');
    pl.evaluate({ rows: 1, paramLength: 2, data: Float64Array.of(1, 1) }, false);
    expect(pl.lastRun().method).toBe('adaptive');
  });

  it('tied exit rates that move together keep the adaptive path, and near ties are exact too', () => {
    const data = { times: spread(1) };
    const together = ours(twoBranches(1, 1, 0), [1, 0], data);
    expect(together.method).toBe('adaptive');
    expect(together.levels).toBe(1);
    expectMatch(together, continuousLogLik(twoBranches(1, 1, 0), [1, 0], data), 'together');
    const near = ours(twoBranches(1, 1, 1), [1, 1 + 1e-6], data);
    expect(near.method).toBe('adaptive');
    expectMatch(near, continuousLogLik(twoBranches(1, 1, 1), [1, 1 + 1e-6], data), 'near tie');
  });
});

describe('adaptive against plain uniformisation', () => {
  it("'auto' takes the adaptive path on the coalescent (n = 20) and agrees with plain uniformisation", () => {
    const spec = coalescentSpec(20), data = { times: [0.3, 0.8, 1.2, 2, 3.5, 6], censored: [5] };
    for (const theta of [[0.5], [1], [3]]) {
      const auto = ours(spec, theta, data, 'auto'), plain = ours(spec, theta, data, 'uniformisation');
      expect(auto.method).toBe('adaptive');
      expect(auto.levels).toBeLessThan(40);
      expect(plain.method).toBe('uniformisation');
      expectMatch(auto, plain, `θ ${theta}`);
    }
  });

  it('many θ rows in one batch match row by row, with and without the gradient', () => {
    const pl = likelihood(coalescentSpec(12), { times: spread(1) }, 'auto');
    const thetas = [0.4, 0.9, 1.7, 2.6];
    const batch = pl.evaluate({ rows: 4, paramLength: 1, data: Float64Array.from(thetas) }, true);
    const values = pl.evaluate({ rows: 4, paramLength: 1, data: Float64Array.from(thetas) }, false);
    thetas.forEach((t, r) => {
      const one = evaluate(pl, [t]);
      expect(batch.logLik[r]).toBe(one.logLik);
      expect(values.logLik[r]).toBe(one.logLik);
      expect(batch.gradient![r]).toBe(one.gradient[0]);
    });
  });

  it("'uniformisation' never takes the adaptive path", () => {
    expect(ours(coalescentSpec(20), [1], { times: [1, 2, 6] }, 'uniformisation').method).toBe('uniformisation');
  });

  it('an unknown method is a typed error', () => {
    expect(() => likelihood(coalescentSpec(3), { times: [1] }, 'fast' as LikelihoodMethod)).toThrow(GraphError);
    expect(() => likelihood(coalescentSpec(3), { times: [1] }, 'toString' as LikelihoodMethod)).toThrow(/method must be/);
  });
});
