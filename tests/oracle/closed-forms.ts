/** Closed-form reference distributions in (α, S) form for oracle self-tests. */
import type { Matrix } from './linalg.js';

/** Erlang(k, λ) as k exponential stages in series. */
export function erlang(k: number, lambda: number): { alpha: number[]; S: Matrix } {
  return hypoexponential(new Array<number>(k).fill(lambda));
}

/** Hypoexponential with stage rates λ_1..λ_n in series. */
export function hypoexponential(rates: number[]): { alpha: number[]; S: Matrix } {
  const n = rates.length;
  const S: Matrix = rates.map((l, i) => {
    const row = new Array<number>(n).fill(0);
    row[i] = -l;
    if (i + 1 < n) row[i + 1] = l;
    return row;
  });
  const alpha = new Array<number>(n).fill(0);
  alpha[0] = 1;
  return { alpha, S };
}

/** Erlang(k, λ) density. */
export function erlangPdf(k: number, lambda: number, t: number): number {
  let f = 1;
  for (let i = 2; i < k; i++) f *= i;
  return (lambda ** k * t ** (k - 1) * Math.exp(-lambda * t)) / f;
}

/** Erlang(k, λ) distribution function. */
export function erlangCdf(k: number, lambda: number, t: number): number {
  let term = 1;
  let s = 0;
  for (let j = 0; j < k; j++) {
    if (j > 0) term *= (lambda * t) / j;
    s += term;
  }
  return 1 - Math.exp(-lambda * t) * s;
}

/** E[T^m] of Erlang(k, λ) = (k+m−1)! / ((k−1)! λ^m). */
export function erlangMoment(k: number, lambda: number, m: number): number {
  let p = 1;
  for (let i = k; i < k + m; i++) p *= i;
  return p / lambda ** m;
}
