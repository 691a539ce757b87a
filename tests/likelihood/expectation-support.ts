// Shared by the expectation tests: reward expectations, their gradients and counts'
// log-likelihoods by dense matrices, independent of src/ (E[R] = α U r and ∂E[R]/∂θ =
// α U (∂S/∂θ) U r with U = (−S)⁻¹; the Poisson and multinomial terms written out from their
// definitions), and each row of a batch evaluated alone, for the lanes' bitwise checks.
import { expect } from 'vitest';
import type { Evaluator, GraphError } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import { dSdTheta, denseAt, onRows, type GraphSpec } from '../correctness/fixtures.js';

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
