// Vectors carried through dense matrices together, as the rows of one matrix: one product
// in the kernel (src/kernel/dense.ts) per matrix instead of a vector-matrix product each.
// With derivatives along each parameter (the likelihood's forward mode), or none (the
// distributions). Each row's sums are those of carrying it alone, term by term.
import { matmulAdd } from '../kernel/dense.js';

/** A matrix (or vector) and its derivative per parameter. */
export interface Dual { x: Float64Array; dx: Float64Array[] }

/** Vectors as the rows of one matrix (count × n), with their derivatives. */
export interface Rows { count: number; x: Float64Array; dx: Float64Array[] }

/** Row i of `rows` as a vector (views, not copies). */
export function rowOf(rows: Rows, i: number, n: number): Dual {
  return { x: rows.x.subarray(i * n, (i + 1) * n), dx: rows.dx.map((d) => d.subarray(i * n, (i + 1) * n)) };
}

/** `count` rows, each a copy of v (and of its derivatives). */
export function repeatRows(v: Dual, count: number, n: number): Rows {
  const fill = (a: Float64Array) => { const out = new Float64Array(count * n); for (let i = 0; i < count; i++) out.set(a.subarray(0, n), i * n); return out; };
  return { count, x: fill(v.x), dx: v.dx.map(fill) };
}

/** The rows listed in `which`, gathered into a Rows of their own. */
function gather(rows: Rows, which: number[], n: number): Rows {
  const pick = (a: Float64Array) => {
    const out = new Float64Array(which.length * n);
    which.forEach((r, i) => out.set(a.subarray(r * n, (r + 1) * n), i * n));
    return out;
  };
  return { count: which.length, x: pick(rows.x), dx: rows.dx.map(pick) };
}

/** Writes `part`'s rows back as rows `which` of `rows`. */
function scatter(rows: Rows, which: number[], part: Rows, n: number): void {
  which.forEach((r, i) => {
    rows.x.set(part.x.subarray(i * n, (i + 1) * n), r * n);
    rows.dx.forEach((d, p) => d.set(part.dx[p].subarray(i * n, (i + 1) * n), r * n));
  });
}

/** (X, dX) ← (X·M, dX·M + X·dM), every row at once (the sums as vector by vector: dX·M first). */
function carry(v: Rows, M: Dual, n: number): Rows {
  const x = matmulAdd(v.x, M.x, v.count, n, n, new Float64Array(v.count * n));
  const dx = v.dx.map((d, i) => matmulAdd(v.x, M.dx[i], v.count, n, n, matmulAdd(d, M.x, v.count, n, n, new Float64Array(v.count * n))));
  return { count: v.count, x, dx };
}

/** Carries the rows listed in `which` through M, in place. */
export function carryRows(rows: Rows, which: number[], M: Dual, n: number): void {
  if (which.length === 0) return;
  scatter(rows, which, carry(gather(rows, which, n), M, n), n);
}

/**
 * Carries the rows through levels P_0 = `first`, P_1 = square(P_0), … (`levels` of them): at
 * level j the rows `at(j)` lists, as one product. The binary powers of the dense paths: a row
 * goes through the levels its count has bits in. `carried(which, P)` runs after each product
 * (the likelihood's scaled path moves its rows' scale into their exponents there).
 */
export function carryLevels<M extends Dual>(rows: Rows, levels: number, first: M, square: (P: M) => M, at: (j: number) => number[], n: number,
  carried?: (which: number[], P: M) => void): void {
  let P = first;
  for (let j = 0; j < levels; j++) {
    const which = at(j);
    carryRows(rows, which, P, n);
    carried?.(which, P);
    if (j + 1 < levels) P = square(P);
  }
}

/** The rows whose count has bit j. */
export function withBit(counts: readonly number[], j: number): number[] {
  return counts.flatMap((k, i) => (Math.floor(k / 2 ** j) % 2 === 1 ? [i] : []));
}

/** How many binary levels counts up to `top` need (2^j ≤ top). */
export function levelsUpTo(top: number): number {
  let levels = 0;
  while (2 ** levels <= top) levels++;
  return levels;
}

/**
 * Σ e^{−h} hⁿ/n! v Kⁿ (with its derivative) for the rows listed in `which`, in place, row r
 * with its own h_r ≤ 1/2. Rows leave the product once their terms are spent: below 1e-18 of
 * the first (of the row's own mass). With a `focus` vector f for a row, once what its terms
 * can still add to out·f is below 1e-18 of it instead: a density at a time far shorter than
 * the chain's rates (f the absorption rates) is made of the terms with as many jumps as the
 * path to absorption, far below the row's mass.
 */
export function seriesOnRows(rows: Rows, which: number[], h: number[], K: Dual, n: number, focus?: (Float64Array | null)[]): void {
  let active = which.map((_, i) => i);
  let term = gather(rows, which, n);
  const out = { count: which.length, x: new Float64Array(which.length * n), dx: rows.dx.map(() => new Float64Array(which.length * n)) };
  const coeff = h.map((x) => Math.exp(-x)), floor = h.map((x) => 1e-18 * Math.exp(-x));
  // Per focused row: what a term can add to out·f at most, per unit of coefficient (its mass
  // times f's largest entry: the chain's products never add mass), and out·f so far.
  const reach = which.map((_, i) => {
    const f = focus?.[i];
    if (!f) return 0;
    let mass = 0, top = 0;
    for (let j = 0; j < n; j++) { mass += Math.abs(term.x[i * n + j]); if (f[j] > top) top = f[j]; }
    return mass * top;
  });
  const held = new Float64Array(which.length);
  for (let k = 0; k < (focus ? 400 : 40) && active.length > 0; k++) {
    active.forEach((r, i) => {
      const at = r * n, from = i * n, q = coeff[r], f = focus?.[r];
      for (let j = 0; j < n; j++) out.x[at + j] += q * term.x[from + j];
      out.dx.forEach((d, p) => { const t = term.dx[p]; for (let j = 0; j < n; j++) d[at + j] += q * t[from + j]; });
      if (f) { let sum = 0; for (let j = 0; j < n; j++) sum += out.x[at + j] * f[j]; held[r] = sum; }
      coeff[r] *= h[r] / (k + 1);
    });
    const spent = (r: number) => coeff[r] === 0 || (focus?.[r] ? held[r] > 0 && coeff[r] * reach[r] < 1e-18 * held[r] : coeff[r] < floor[r]);
    const still = active.map((r, i) => (spent(r) ? -1 : i)).filter((i) => i >= 0);
    if (still.length < active.length) term = gather(term, still, n);
    active = still.map((i) => active[i]);
    if (active.length > 0) term = carry(term, K, n);
  }
  scatter(rows, which, out, n);
}
