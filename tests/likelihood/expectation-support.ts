// Shared by the expectation tests: reward expectations, their gradients and counts'
// log-likelihoods by dense matrices, independent of src/ (E[R] = α U r and ∂E[R]/∂θ =
// α U (∂S/∂θ) U r with U = (−S)⁻¹; the Poisson and multinomial terms written out from their
// definitions), and each row of a batch evaluated alone, for the lanes' bitwise checks.
import { expect } from 'vitest';
import type { Evaluator, GraphError } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import { MOMENT_TOL, dSdTheta, denseAt, expectRelClose, onRows, type GraphSpec } from '../correctness/fixtures.js';

// Gradients: within this of the exact one, relative to the gradient's largest entry (or, for a
// sum that cancels, to its largest term).
export const GRADIENT_TOL = 1e-9;

export function expectGradientClose(got: ArrayLike<number>, want: number[], what: string, floor = 0): void {
  expect(got.length, what).toBe(want.length);
  const scale = Math.max(floor, ...want.map(Math.abs));
  want.forEach((w, i) => {
    const err = Math.abs(got[i] - w);
    if (!(err <= GRADIENT_TOL * scale)) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${w} (error ${err.toExponential(2)} > ${GRADIENT_TOL} × ${scale.toExponential(2)})`);
  });
}

/** E[R_j] and ∂E[R_j]/∂θ from dense matrices, for rewards given per spec vertex. */
export function oracle(spec: GraphSpec, theta: number[], rewards: number[][]): { values: number[]; gradients: number[][] } {
  const d = denseAt(spec, theta);
  const dS = theta.map((_, i) => dSdTheta(spec, d, i));
  return {
    values: rewards.map((r) => C.expectation(d.alpha, d.S, onRows(d, r))),
    gradients: rewards.map((r) => dS.map((dSi) => C.rewardExpectationDerivative(d.alpha, d.S, dSi, onRows(d, r)))),
  };
}

/** Counts for m classes, some 0. */
export function someCounts(m: number, seed: number): number[] {
  return Array.from({ length: m }, (_, j) => ((seed + 3 * j) % 5 === 0 ? 0 : 1 + ((seed * 7 + j * 13) % 40)));
}

/** Poisson or multinomial log L and ∂ log L/∂μ, written out here from their definitions (the log y! terms cancel in comparisons, so they are left out on both sides by differencing). */
export function countTerms(y: number[], mu: number[], distribution: 'poisson' | 'multinomial'): { ll: number; dmu: number[] } {
  if (distribution === 'poisson') return { ll: y.reduce((s, yj, j) => s + yj * Math.log(mu[j]) - mu[j], 0), dmu: y.map((yj, j) => yj / mu[j] - 1) };
  const N = y.reduce((a, b) => a + b, 0), M = mu.reduce((a, b) => a + b, 0);
  return { ll: y.reduce((s, yj, j) => s + (yj === 0 ? 0 : yj * Math.log(mu[j] / M)), 0), dmu: y.map((yj, j) => yj / mu[j] - N / M) };
}

/** Bitwise equality (Object.is per entry: −0 and NaN distinguished). */
export const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** Each row of `thetas` evaluated alone (a batch of one row takes no lanes), or the first error. */
export async function alone(ev: Evaluator, thetas: number[][], gradient: boolean): Promise<{ values: number[]; gradients: number[] }[] | GraphError> {
  const rows: { values: number[]; gradients: number[] }[] = [];
  for (const theta of thetas) {
    const e = await ev.evaluate({ thetas: Float64Array.from(theta), gradient }).catch((error: unknown) => error as GraphError);
    if (e instanceof Error) return e;
    rows.push({ values: Array.from(e.values), gradients: Array.from(e.gradients ?? []) });
  }
  return rows;
}

/** Each output's gradient at θ against central differences of the values (step 1e-6), within 1e-6 of the value's size. */
export async function expectCentralDifferences(ev: Evaluator, theta: number[], what: string): Promise<void> {
  const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
  const h = 1e-6, p = theta.length;
  for (let i = 0; i < p; i++) {
    const up = theta.slice(), down = theta.slice();
    up[i] += h;
    down[i] -= h;
    const [a, b] = await Promise.all([up, down].map((t) => ev.evaluate({ thetas: Float64Array.from(t) })));
    for (let j = 0; j < values.length; j++) {
      const fd = (a.values[j] - b.values[j]) / (2 * h);
      expect(Math.abs(gradients![j * p + i] - fd), `${what} ∂E[R_${j}]/∂θ_${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(values[j])));
    }
  }
}

/**
 * Counts' log L (scale·E[R_j] the means) and its gradient at rows `thetas` against the oracle's:
 * log L up to its constant log y! (and log N!) terms, compared by differences with the first
 * row; the gradient by the chain rule written out here.
 */
export function expectCountsMatchOracle(spec: GraphSpec, rewards: number[][], data: { counts: number[]; scale: number; distribution: 'poisson' | 'multinomial' },
  thetas: number[][], values: Float64Array, gradients: Float64Array, name: string): void {
  const { counts, scale, distribution } = data, p = spec.paramLength;
  const constant = values[0] - countTerms(counts, oracle(spec, thetas[0], rewards).values.map((e) => scale * e), distribution).ll;
  thetas.forEach((theta, r) => {
    const want = oracle(spec, theta, rewards);
    const { ll, dmu } = countTerms(counts, want.values.map((e) => scale * e), distribution);
    expect(Math.abs(values[r] - constant - ll), `${name} θ=${theta} log L`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(ll)));
    const grad = theta.map((_, i) => dmu.reduce((sum, d, j) => sum + d * scale * want.gradients[j][i], 0));
    // The multinomial's depends on ratios only: with one parameter scaling every rate it is 0 up to rounding.
    const terms = Math.max(...theta.map((_, i) => dmu.reduce((sum, d, j) => sum + Math.abs(d * scale * want.gradients[j][i]), 0)));
    expectGradientClose(gradients.subarray(r * p, (r + 1) * p), grad, `${name} θ=${theta} ∂ log L`, terms);
  });
}

/** Expectations (m per row) and their gradients at rows `thetas` against the oracle's (MOMENT_TOL; GRADIENT_TOL). */
export function expectExpectationsMatchOracle(spec: GraphSpec, rewards: number[][], thetas: number[][], values: Float64Array, gradients: Float64Array, name: string): void {
  const m = rewards.length, p = spec.paramLength;
  thetas.forEach((theta, r) => {
    const want = oracle(spec, theta, rewards);
    expectRelClose(values.subarray(m * r, m * (r + 1)), want.values, MOMENT_TOL, `${name} θ=${theta} E[R]`);
    want.gradients.forEach((w, j) => {
      const at = (m * r + j) * p;
      expectGradientClose(gradients.subarray(at, at + p), w, `${name} θ=${theta} ∂E[R_${j}]`);
    });
  });
}
