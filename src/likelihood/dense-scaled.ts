// The dense likelihood far in the tail, where probabilities fall below the doubles (log f
// under about −708). The sink-augmented matrices of dense-likelihood.ts keep rows summing
// to 1, so their transient entries underflow beside the sink's. Here each level's transient
// block is kept as 2^e × (entries whose largest is in [1, 2)) beside its sink column, and
// each observation's vector (transient states) as 2^e × its entries: multiplying by a power
// of two is exact, so the products are the same sums as unscaled ones, only never flushed.
// The sink column stays: rows renormalised to sum 1 with it keep the slow leaks of a stiff
// chain (10⁻¹⁷ of a step) that the transient block's own row sums cannot hold, and a level
// squared 60 times would otherwise decay at the rate of its rounding. A vector carried
// through a level adds the level's exponent; log f = e·ln 2 + log(u·s). A derivative shares
// its value's scale, so ∂ log f = (∂u·s + u·∂s) / (u·s) needs no exponent at all.
import { carryLevels, levelsUpTo, repeatRows, seriesOnRows, withBit, type Dual, type Rows } from '../distributions/dense-rows.js';
import { multiplyAdd, seriesMatrix } from '../distributions/dense-matrix.js';
import { timeDigits, type Chain } from './dense-chain.js';

/** Rows standing for 2^exps[r] × row r. */
export interface ScaledRows extends Rows {
  exps: Float64Array;
}

/** A level: its transient block 2^e × x (derivatives in the same scale) and its sink column (and its derivatives, unscaled). */
interface ScaledMatrix extends Dual {
  e: number;
  sink: Float64Array;
  dsink: Float64Array[];
}

/** x × 2^e, exact while the result is a normal double (0 past the smallest). */
function scaleBy(x: number, e: number): number {
  while (e !== 0 && x !== 0 && Number.isFinite(x)) {
    const step = Math.max(-1000, Math.min(1000, e));
    x *= 2 ** step;
    e -= step;
  }
  return x;
}

/** a[from, to) × 2^s (s may be any integer). */
function timesPowerOfTwo(a: Float64Array, s: number, from = 0, to = a.length): void {
  for (let i = from; i < to; i++) a[i] = scaleBy(a[i], s);
}

/** The power of two that brings the largest |a[i]| of [from, to) into [1, 2); 0 for all zeros. */
function normaliser(a: Float64Array, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) { const v = Math.abs(a[i]); if (v > m) m = v; }
  return m > 0 && Number.isFinite(m) ? -Math.floor(Math.log2(m)) : 0;
}

/** Brings a matrix (and its derivatives) to its normal scale, moving the factor into e. */
function rescale(P: ScaledMatrix): ScaledMatrix {
  const s = normaliser(P.x);
  timesPowerOfTwo(P.x, s);
  for (const d of P.dx) timesPowerOfTwo(d, s);
  P.e -= s;
  return P;
}

/** Brings each listed row (and its derivatives) to its normal scale, moving the factor into its exponent. */
function rescaleRows(rows: ScaledRows, which: Iterable<number>, n: number): void {
  for (const r of which) {
    const s = normaliser(rows.x, r * n, (r + 1) * n);
    timesPowerOfTwo(rows.x, s, r * n, (r + 1) * n);
    for (const d of rows.dx) timesPowerOfTwo(d, s, r * n, (r + 1) * n);
    rows.exps[r] -= s;
  }
}

/**
 * P² and ∂P P + P ∂P, in scale, as dense-likelihood.ts squares: the sink column of P² is
 * T·l + l (its derivative ∂T·l + T·∂l + ∂l); each row, sink included, is renormalised to sum
 * 1 and its derivative's to sum 0 (projectRows).
 */
function square(P: ScaledMatrix, n: number): ScaledMatrix {
  const x = multiplyAdd(P.x, P.x, n);
  const dx = P.dx.map((d) => multiplyAdd(P.x, d, n, multiplyAdd(d, P.x, n)));
  const e = 2 * P.e;
  const sink = sinkOfSquare(P.x, P.sink, P.sink, P.e, n);
  const dsink = P.dx.map((d, p) => {
    const a = sinkOfSquare(d, P.sink, P.dsink[p], P.e, n), b = sinkOfSquare(P.x, P.dsink[p], new Float64Array(n), P.e, n);
    return a.map((v, i) => v + b[i]);
  });
  for (let i = 0; i < n; i++) {
    let mass = 0;
    for (let k = 0; k < n; k++) mass += x[i * n + k];
    const total = scaleBy(mass, e) + sink[i];
    if (!(total > 0)) continue;
    for (let k = 0; k < n; k++) x[i * n + k] /= total;
    sink[i] /= total;
    dx.forEach((d, p) => {
      let excess = 0;
      for (let k = 0; k < n; k++) excess += d[i * n + k];
      excess = scaleBy(excess, e) + dsink[p][i];
      if (excess === 0) return;
      for (let k = 0; k < n; k++) d[i * n + k] -= x[i * n + k] * excess;
      dsink[p][i] -= sink[i] * excess;
    });
  }
  return rescale({ x, dx, e, sink, dsink });
}

/** (A·l)_i × 2^e + c_i: the sink column of a product whose transient block is A (scaled by 2^e). */
function sinkOfSquare(A: Float64Array, l: Float64Array, c: Float64Array, e: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += A[i * n + k] * l[k];
    out[i] = scaleBy(sum, e) + c[i];
  }
  return out;
}

/** The transient block (nt × nt) of an augmented n × n matrix and of its derivatives, with its sink column. */
function transientBlock(P: Dual, n: number): Dual & { sink: Float64Array; dsink: Float64Array[] } {
  const nt = n - 1;
  const block = (a: Float64Array) => {
    const out = new Float64Array(nt * nt);
    for (let i = 0; i < nt; i++) out.set(a.subarray(i * n, i * n + nt), i * nt);
    return out;
  };
  const column = (a: Float64Array) => Float64Array.from({ length: nt }, (_, i) => a[i * n + nt]);
  return { x: block(P.x), dx: P.dx.map(block), sink: column(P.x), dsink: P.dx.map(column) };
}

/** A level from an augmented matrix, in scale. */
function level(P: Dual, n: number): ScaledMatrix {
  return rescale({ ...transientBlock(P, n), e: 0 });
}

/** α (and ∂α) over the transient states in each of `count` rows, each in its normal scale. */
function startRows(c: Chain, count: number): ScaledRows {
  const nt = c.n - 1;
  const rows = repeatRows({ x: c.alpha.subarray(0, nt), dx: c.dAlpha.map((d) => d.subarray(0, nt)) }, count, nt);
  const scaled = { ...rows, exps: new Float64Array(count) };
  rescaleRows(scaled, scaled.exps.keys(), nt);
  return scaled;
}

/** A vector carried through a level adds the level's exponent, and is brought back to its normal scale. */
function carried(rows: ScaledRows, n: number): (which: number[], P: ScaledMatrix) => void {
  return (which, P) => {
    for (const r of which) rows.exps[r] += P.e;
    rescaleRows(rows, which, n);
  };
}

/** v(t) over the transient states for each continuous time, in scale (as statesAtTimes of dense-likelihood.ts). */
export function scaledStatesAtTimes(c: Chain, times: number[], tmax: number, isPoint: (k: number) => boolean): ScaledRows {
  const nt = c.n - 1, vs = startRows(c, times.length);
  if (tmax === 0) return vs;
  const { J, delta, atLevel, rest, remainder } = timeDigits(c.lambda, times, tmax);
  const base = level(seriesMatrix({ x: c.K, dx: c.dK }, c.n, c.lambda * delta, true), c.n);
  carryLevels(vs, J + 1, base, (P) => square(P, nt), atLevel, nt, carried(vs, nt));
  if (remainder.length > 0) {
    // The remainder (below one base step) by the series on the transient block of K: its
    // leak over so short a time is below the rounding of what it multiplies.
    seriesOnRows(vs, remainder, remainder.map((k) => c.lambda * rest[k]), transientBlock({ x: c.K, dx: c.dK }, c.n), nt, remainder.map((k) => (isPoint(k) ? c.s : null)));
    rescaleRows(vs, remainder, nt);
  }
  return vs;
}

/** v(k) over the transient states for each step count, in scale. */
export function scaledStatesAtSteps(c: Chain, steps: number[], kmax: number): ScaledRows {
  const nt = c.n - 1, vs = startRows(c, steps.length);
  carryLevels(vs, levelsUpTo(kmax), level({ x: c.K, dx: c.dK }, c.n), (P) => square(P, nt), (j) => withBit(steps, j), nt, carried(vs, nt));
  return vs;
}
