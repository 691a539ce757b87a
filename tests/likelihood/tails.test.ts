// Densities far in the tails, where the Poisson window's bulk misses what f is made of:
//   - an early time (or a small θ) whose density needs more jumps than the window's right
//     end: the coalescent n = 15 at θ = 0.001, t = 0.1 needs 14 jumps, and λt = 0.01;
//   - a late time whose density sits far left of the window: a state leaving at half the
//     uniformisation rate, at λt = 1,000, has f made of the terms near n = 500.
// Both methods must give log L to 1e-10 relative and its gradient to 1e-8 of its largest
// entry, against oracles exact to about 1e-14 relative there: a Taylor series of e^{St}
// (‖St‖ ≪ 1, every term positive where f first becomes nonzero) and a closed form.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../src/index.js';
import { PointLikelihood, type LikelihoodMethod } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints, type TimeObservations } from '../../src/likelihood/observations.js';
import { buildGraph, coalescentSpec, denseAt, dSdTheta, type GraphSpec } from '../correctness/fixtures.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-10;
const GRADIENT_TOL = 1e-8;

function ours(spec: GraphSpec, theta: number[], data: TimeObservations, method: LikelihoodMethod) {
  const structure = buildGraph(spec).structure();
  const points = checkObservations(data, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
  const pl = new PointLikelihood(structure, points, {}, method);
  const r = pl.evaluate({ rows: 1, paramLength: theta.length, data: Float64Array.from(theta) }, true);
  return { logLik: r.logLik[0], gradient: Array.from(r.gradient!), method: pl.lastRun().method };
}

/**
 * log f(t) and ∂ log f/∂θ for a graph whose start edges do not depend on θ, by the
 * Taylor series of [α, 0]·exp([[St, t·∂S], [0, St]]) (its right half is α·L(St, t·∂S)):
 * exact to rounding when ‖St‖ ≪ 1.
 */
function taylorLogDensity(spec: GraphSpec, theta: number[], t: number): { logLik: number; gradient: number[] } {
  const d = denseAt(spec, theta);
  const m = d.rows.length;
  const p = spec.paramLength;
  const A = d.S.map((row) => row.map((x) => x * t));
  const dExit = Array.from({ length: p }, () => new Array<number>(m).fill(0));
  for (const [f, to, , c] of spec.edges)
    if (f !== 0 && d.rowOf[f] >= 0 && d.rowOf[to] < 0) c.forEach((ci, i) => { dExit[i][d.rowOf[f]] += ci; });
  const times = (v: number[], M: number[][]) => M[0].map((_, j) => v.reduce((s, vi, i) => s + vi * M[i][j], 0));
  const dotv = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);
  let x = d.alpha.slice();
  let ys = Array.from({ length: p }, () => new Array<number>(m).fill(0));
  const E = Array.from({ length: p }, (_, i) => dSdTheta(spec, d, i).map((row) => row.map((v) => v * t)));
  const sumX = x.slice();
  const sumY = ys.map((y) => y.slice());
  for (let k = 1; k <= 80; k++) { // ‖St‖ ≤ 0.1 here: the 80th term is below 1e-100 of the first
    ys = ys.map((y, i) => {
      const xE = times(x, E[i]);
      return times(y, A).map((v, j) => (v + xE[j]) / k);
    });
    x = times(x, A).map((v) => v / k);
    x.forEach((v, j) => { sumX[j] += v; });
    ys.forEach((y, i) => y.forEach((v, j) => { sumY[i][j] += v; }));
  }
  const f = dotv(sumX, d.exit);
  const gradient = sumY.map((y, i) => (dotv(y, d.exit) + dotv(sumX, dExit[i])) / f);
  return { logLik: Math.log(f), gradient };
}

function expectMatch(got: { logLik: number; gradient: number[] }, want: { logLik: number; gradient: number[] }, what: string) {
  expect(Number.isFinite(got.logLik), `${what}: log L ${got.logLik}`).toBe(true);
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  const scale = Math.max(...want.gradient.map(Math.abs));
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

describe('densities the Poisson bulk does not reach', () => {
  it.each<LikelihoodMethod>(['uniformisation', 'adaptive', 'auto'])('an early time that needs more jumps than λt reaches, by %s', (method) => {
    const spec = coalescentSpec(15);
    for (const [theta, t] of [[0.001, 0.1], [0.01, 0.05], [1e-4, 1]] as const) {
      const want = taylorLogDensity(spec, [theta], t);
      expect(want.logLik).toBeLessThan(-60);
      expectMatch(ours(spec, [theta], { times: [t] }, method), want, `${method}, θ ${theta}, t ${t}`);
    }
  });

  it('the early time beside ordinary ones: each term as alone', () => {
    const spec = coalescentSpec(8);
    const early = taylorLogDensity(spec, [0.01], 0.01);
    const alone = ours(spec, [0.01], { times: [300] }, 'uniformisation');
    const both = ours(spec, [0.01], { times: [0.01, 300] }, 'uniformisation');
    expect(Math.abs(both.logLik - (early.logLik + alone.logLik))).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(both.logLik));
    expect(Math.abs(both.gradient[0] - (early.gradient[0] + alone.gradient[0]))).toBeLessThanOrEqual(GRADIENT_TOL * Math.abs(both.gradient[0]));
  });

  // Start → 1 (weight 1 − ε) or 2 (ε); 1 absorbs at 50θ, 2 at 100θ, so plain
  // uniformisation runs at λ = 100θ and v_n on state 1 halves each step.
  const eps = 1e-12;
  const halfRate: GraphSpec = {
    stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 1 - eps, [0]], [0, 2, eps, [0]], [1, 3, 0, [50]], [2, 3, 0, [100]]],
  };
  /** log f and ∂ log f/∂θ of (1 − ε)·50θ e^{−50θt} + ε·100θ e^{−100θt}, in logs. */
  function halfRateExact(theta: number, t: number) {
    const l1 = Math.log1p(-eps) + Math.log(50 * theta) - 50 * theta * t;
    const l2 = Math.log(eps) + Math.log(100 * theta) - 100 * theta * t;
    const hi = Math.max(l1, l2);
    const w1 = Math.exp(l1 - hi), w2 = Math.exp(l2 - hi);
    const d1 = 1 / theta - 50 * t, d2 = 1 / theta - 100 * t;
    return { logLik: hi + Math.log(w1 + w2), gradient: [(w1 * d1 + w2 * d2) / (w1 + w2)] };
  }

  it.each<LikelihoodMethod>(['uniformisation', 'adaptive', 'auto'])('a late time whose density sits far left of the window, by %s', (method) => {
    for (const [theta, t] of [[1, 10], [1, 4], [0.5, 12]] as const) {
      const want = halfRateExact(theta, t);
      expect(want.logLik).toBeLessThan(-150);
      expectMatch(ours(halfRate, [theta], { times: [t] }, method), want, `${method}, θ ${theta}, t ${t}`);
    }
  });
});
