// Dense n × n matrices (row-major) of a sink-augmented chain, with derivatives along each
// parameter where the likelihood asks (forward mode) and none for the distributions: the
// kernel's products, rows renormalised, and the uniformisation series of the base step, one
// implementation for both.
import { matmulAdd } from '../kernel/dense.js';
import type { Dual } from './dense-rows.js';

/** out += x·y (n × n, row-major), skipping zero entries of x (the chains are sparse at first). */
export function multiplyAdd(x: Float64Array, y: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  return matmulAdd(x, y, n, n, n, out);
}

/** Scales each row of a nonnegative n × n matrix to sum 1 (rows summing to 0 stay). */
export function normaliseRows(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j];
    if (s > 0) for (let j = 0; j < n; j++) a[i * n + j] /= s;
  }
}

/**
 * Σ_n e^{−h} hⁿ/n! Kⁿ (h ≤ 1/2) and its derivative: ∂Kⁿ = ∂Kⁿ⁻¹ K + Kⁿ⁻¹ ∂K. Cut where the
 * terms fall below 1e-18 of the first; with `exact`, where they fall below 1e-18 of the
 * smallest entry summed so far and reach no entry none before reached (two terms running):
 * each entry then holds its own digits, which a density at a time far shorter than its
 * path's jumps is made of (an Erlang of 120 stages at t = 1: entries of 10⁻²⁵⁰). The
 * likelihood asks for it; products of levels keep those digits.
 */
export function seriesMatrix(K: Dual, n: number, h: number, exact = false): Dual {
  let power: Dual = { x: new Float64Array(n * n), dx: K.dx.map(() => new Float64Array(n * n)) };
  for (let i = 0; i < n; i++) power.x[i * n + i] = 1;
  const out: Dual = { x: new Float64Array(n * n), dx: K.dx.map(() => new Float64Array(n * n)) };
  let coeff = Math.exp(-h), stale = 0;
  for (let k = 0; k < (exact ? 400 : 40); k++) {
    let grew = false, smallest = Infinity;
    for (let i = 0; i < n * n; i++) {
      const add = coeff * power.x[i];
      if (add !== 0 && out.x[i] === 0) grew = true;
      const x = (out.x[i] += add);
      if (x > 0 && x < smallest) smallest = x;
    }
    stale = grew ? 0 : stale + 1;
    out.dx.forEach((d, p) => { const pd = power.dx[p]; for (let i = 0; i < n * n; i++) d[i] += coeff * pd[i]; });
    coeff *= h / (k + 1);
    if (coeff === 0 || (exact ? coeff < 1e-18 * smallest && stale >= 2 : coeff < 1e-18 * Math.exp(-h))) break;
    power = { x: multiplyAdd(power.x, K.x, n), dx: power.dx.map((d, p) => multiplyAdd(power.x, K.dx[p], n, multiplyAdd(d, K.x, n))) };
  }
  for (const d of out.dx) projectRows(d, out.x, n);
  return out;
}

/**
 * Makes each row of a derivative d (n × n) sum to 0, as the derivative of a stochastic matrix
 * x does, moving each row's excess onto its entries in proportion to x's (the derivative of
 * rows renormalised to sum 1). Why: a stiff chain's slow leak (10⁻¹⁶ of a fast rate) is held
 * in its derivative only by the row sums, and a diagonal of −(10⁸ + 10⁻⁸)/λ cannot hold it;
 * each product adds roundings of the same size, so the leak's derivative is restored at
 * each one. (dense-scaled.ts does the same with its sink column kept apart.)
 */
export function projectRows(d: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let excess = 0, total = 0;
    for (let j = 0; j < n; j++) { excess += d[i * n + j]; total += x[i * n + j]; }
    if (total > 0 && excess !== 0) for (let j = 0; j < n; j++) d[i * n + j] -= (x[i * n + j] * excess) / total;
  }
}
