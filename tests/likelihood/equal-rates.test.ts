// Chains whose states all leave at the largest exit rate (an Erlang: k stages at rate θ).
// Uniformised at λ = that rate, every state's stay-put probability is 0, so the terms of f
// past the fewest jumps are 0 while their derivatives are not (one stay at a state
// differentiates to −1/λ). A window cut where the values end dropped them: at an early time
// the gradient of log f was k/θ where it is k/θ − t (Erlang 120 at t = 30: 120 for 90).
// Against the closed form log f = k log θ + (k − 1) log t − θt − log (k − 1)!, each method:
// log L to 1e−10 relative, the gradient to 1e−8 of its size.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../src/index.js';
import { PointLikelihood, type LikelihoodMethod } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { buildGraph, type GraphSpec } from '../correctness/fixtures.js';

beforeAll(() => ready());

function erlang(k: number): GraphSpec {
  return {
    stateLength: 1, paramLength: 1, discrete: false, states: Array.from({ length: k + 2 }, (_, i) => [i]),
    edges: [[0, 1, 1, [0]], ...Array.from({ length: k }, (_, i) => [i + 1, i + 2, 0, [1]] as [number, number, number, number[]])],
  };
}

function exact(k: number, theta: number, times: number[]) {
  let logFactorial = 0;
  for (let i = 2; i < k; i++) logFactorial += Math.log(i);
  return {
    logLik: times.reduce((s, t) => s + k * Math.log(theta) + (k - 1) * Math.log(t) - theta * t - logFactorial, 0),
    gradient: times.reduce((s, t) => s + k / theta - t, 0),
  };
}

function ours(k: number, theta: number, times: number[], method: LikelihoodMethod, maxSteps?: number) {
  const structure = buildGraph(erlang(k)).structure();
  const points = checkObservations({ times }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
  const pl = new PointLikelihood(structure, points, { maxSteps }, method);
  try {
    const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(theta) }, true);
    return { logLik: r.logLik[0], gradient: r.gradient![0], method: pl.lastRun().method };
  } finally {
    pl.dispose();
  }
}

describe('Erlang chains: every stay-put probability 0 at λ = the common rate', () => {
  const cases: [number, number, number[]][] = [
    [12, 1.7, [0.3, 1, 4, 7, 12, 30]],
    [120, 1, [1, 30, 120, 400]],
  ];
  for (const method of ['uniformisation', 'adaptive', 'auto'] as LikelihoodMethod[]) {
    it.each(cases)(`k = %i, θ = %f: log L and its gradient at early and late times, by ${method}`, (k, theta, times) => {
      const want = exact(k, theta, times), got = ours(k, theta, times, method);
      expect(Math.abs(got.logLik - want.logLik), `log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(1e-10 * Math.abs(want.logLik));
      expect(Math.abs(got.gradient - want.gradient), `∂/∂θ ${got.gradient} vs ${want.gradient}`).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(want.gradient)));
    });
  }

  it.each(cases)('k = %i, θ = %f: the dense path (maxSteps forced low) agrees', (k, theta, times) => {
    const want = exact(k, theta, times), got = ours(k, theta, times, 'auto', 8);
    expect(got.method).toBe('dense');
    expect(Math.abs(got.logLik - want.logLik)).toBeLessThanOrEqual(1e-10 * Math.abs(want.logLik));
    expect(Math.abs(got.gradient - want.gradient)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(want.gradient)));
  });
});
