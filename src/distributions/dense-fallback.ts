// Small stiff chains, where uniformisation would need more steps than the limit
// (λt astronomically large: rates 1e8 beside 1e-8), are computed densely instead,
// at a cost that grows with log(λt), not λt, and without cancellation: every matrix
// is nonnegative and every product adds nonnegative terms, so tiny probabilities
// (an exit rate 1e-16 of the largest) keep full relative precision. Padé scaling and
// squaring of S itself would subtract and lose them.
//
// The chain is augmented with one sink for absorption (rows sum to 1):
//   continuous: K = I + Q/λ; P(Δ) = e^{−λΔ} Σ_n (λΔ)ⁿ/n! Kⁿ for a small base step Δ
//     (λΔ ≤ 1/2, the series cut where its tail is below 1e-18), then P(2^j Δ) by
//     squaring; v(t) = α P(mΔ) P(r) for t = mΔ + r, the remainder applied to v
//     through the series (vector–matrix products only);
//   discrete:   T^(2^j) by squaring; v(k) = α T^k from k's binary digits.
// pdf(t) = v(t)·s, P(T ≤ t) = the sink's mass (plus the atom at 0); pmf(k) = v(k−1)·t,
// P(τ ≤ k) = the sink's mass — read directly, never as 1 − (a sum near 1).
import { largest } from './largest.js';
import type { StepMatrix } from './stepper.js';
import { multiplyAdd, normaliseRows, seriesMatrix } from './dense-matrix.js';
import { carryLevels, levelsUpTo, repeatRows, rowOf, seriesOnRows, withBit, type Dual } from './dense-rows.js';

/** What the dense path reads of a chain: its stepping matrix, exit rates and start. */
export type DenseChain = Pick<StepMatrix, 'count' | 'inPtr' | 'src' | 'p' | 'stay' | 'exit' | 'alpha'>;

/** Transient states beyond which the dense path is not offered (its matrices are n²). */
export const DENSE_MAX_STATES = 128;

interface Mat { n: number; a: Float64Array }

/**
 * The base step Δ = t_max / 2^J with λΔ ≤ 1/2: every t ≤ t_max is a sum of 2^j Δ's and a
 * remainder below Δ.
 */
export function baseStep(lambda: number, tmax: number): { J: number; delta: number } {
  const J = Math.max(0, Math.ceil(Math.log2(Math.max(1, 2 * lambda * tmax))));
  return { J, delta: tmax > 0 ? tmax / 2 ** J : 0 };
}

function matmul(x: Mat, y: Mat): Mat {
  return { n: x.n, a: multiplyAdd(x.a, y.a, x.n) };
}

/**
 * The product of two stochastic matrices, rows renormalised to sum 1: after 2^60 steps'
 * worth of squarings a row-sum error of one rounding would be raised to that power, so
 * it is projected away at every step (all entries are nonnegative: no cancellation).
 */
function square(x: Mat): Mat {
  const out = matmul(x, x);
  normaliseRows(out.a, x.n);
  return out;
}

// A matrix as the rows' carriers take it (no derivatives), and squaring n × n ones so.
const dual = (m: Mat): Dual => ({ x: m.a, dx: [] });
const squaring = (n: number) => (P: Dual): Dual => dual(square({ n, a: P.x }));

/** The stochastic matrix of the chain with a sink at index `count`: the stepping matrix's rows plus the exit column (m.exit are rates; scale is m's λ). */
function augmented(m: DenseChain, scale: number): Mat {
  const n = m.count + 1, a = new Float64Array(n * n);
  for (let t = 0; t < m.count; t++) for (let r = m.inPtr[t]; r < m.inPtr[t + 1]; r++) a[m.src[r] * n + t] += m.p[r];
  for (let i = 0; i < m.count; i++) { a[i * n + i] += m.stay[i]; a[i * n + m.count] = m.exit[i] / scale; }
  a[n * n - 1] = 1;
  return { n, a };
}

/** α on the augmented states (nothing in the sink: the atom at zero is added apart). */
function start(m: DenseChain): Float64Array {
  const v = new Float64Array(m.count + 1);
  v.set(m.alpha);
  return v;
}

/**
 * The state distribution at each time (any order), on the transient states then the sink
 * (absorbed mass, the atom at zero excluded); `m` made with scale λ ≥ every exit rate,
 * `lambda` that λ.
 */
export function denseStates(m: DenseChain, lambda: number, times: Float64Array): Float64Array[] {
  const K = augmented(m, lambda), n = K.n;
  const tmax = largest(times);
  // Every t ≤ tmax is mΔ + r with m < 2^(J+1).
  const { J, delta } = baseStep(lambda, tmax);
  const vs = repeatRows({ x: start(m), dx: [] }, times.length, n);
  if (delta > 0) {
    const steps = Array.from(times, (t) => Math.floor(t / delta));
    const rest = Array.from(times, (t, i) => t - steps[i] * delta);
    // Level j carries, as one product, the rows of the times whose step count has bit j.
    // P(Δ): the series' dropped tail (< 1e-18) goes back proportionally, as P(Δ) is stochastic.
    const P0 = seriesMatrix(dual(K), n, lambda * delta);
    normaliseRows(P0.x, n);
    carryLevels(vs, J + 1, P0, squaring(n), (j) => withBit(steps, j), n);
    const remainder = rest.flatMap((r, i) => (r > 0 ? [i] : []));
    if (remainder.length > 0) seriesOnRows(vs, remainder, remainder.map((i) => lambda * rest[i]), { x: K.a, dx: [] }, n);
  }
  return Array.from(times, (_, i) => rowOf(vs, i, n).x);
}

/** pdf and P(T ≤ t) at each time (any order); `m` made with scale λ ≥ every exit rate, `lambda` that λ. */
export function denseContinuous(m: StepMatrix, lambda: number, times: Float64Array): { pdf: Float64Array; cdf: Float64Array } {
  const sink = m.count;
  const atom = 1 - m.alpha.reduce((x, y) => x + y, 0);
  const pdf = new Float64Array(times.length), cdf = new Float64Array(times.length);
  denseStates(m, lambda, times).forEach((v, i) => {
    let f = 0;
    for (let s = 0; s < sink; s++) f += v[s] * m.exit[s];
    pdf[i] = f;
    cdf[i] = Math.min(1, v[sink] + atom);
  });
  return { pdf, cdf };
}

/** pmf and P(τ ≤ k) at each step count (any order), by binary powers of T; `m` made with scale 1. */
export function denseDiscrete(m: StepMatrix, steps: Float64Array): { pmf: Float64Array; cdf: Float64Array } {
  const T = augmented(m, 1), n = T.n, sink = m.count;
  const atom = 1 - m.alpha.reduce((x, y) => x + y, 0);
  // pmf(k) = v(k − 1)·exit and P(τ ≤ k) = v(k)[sink]: rows for k − 1, then rows for k, each
  // carried through the powers T^(2^j) its count has bit j in, one product per power.
  const counts = [...Array.from(steps, (k) => Math.max(0, k - 1)), ...Array.from(steps)];
  const vs = repeatRows({ x: start(m), dx: [] }, counts.length, n);
  carryLevels(vs, levelsUpTo(largest(counts)), dual(T), squaring(n), (j) => withBit(counts, j), n);
  const pmf = new Float64Array(steps.length), cdf = new Float64Array(steps.length);
  steps.forEach((k, i) => {
    if (k === 0) { pmf[i] = atom; cdf[i] = atom; return; }
    const before = rowOf(vs, i, n).x;
    let f = 0;
    for (let s = 0; s < sink; s++) f += before[s] * m.exit[s];
    pmf[i] = f;
    cdf[i] = Math.min(1, rowOf(vs, steps.length + i, n).x[sink] + atom);
  });
  return { pmf, cdf };
}
