// log L and its exact gradient by dense matrices, for a θ whose chain would need more
// steps than maxSteps (a stiff chain: rates 1e8 beside 1e-8, times of 1e8; or step
// counts of 1e12) but has at most DENSE_MAX_STATES transient states. The cost grows
// with log₂(λ t_max), not with λ t_max, as the distributions' dense path does
// (src/distributions/dense-fallback.ts), and for the same reason without cancellation
// in the values: the chain is augmented with a sink so that every matrix is stochastic.
//
//   continuous: K = I + Q/λ; P₀ = Σ_n e^{−h} hⁿ/n! Kⁿ with h = λΔ ≤ 1/2, P_{j+1} = P_j²;
//     v(t) = α·Π_{bits j of t/Δ} P_j · (the series for the remainder), all commuting;
//   discrete:   T_{j+1} = T_j², v(k) = α·Π_{bits j of k} T_j.
// f(t) = v(t)·s and P(T > t) = Σ transient v(t) (pmf(k) = v(k−1)·s, P(τ > k) = Σ v(k)).
// The gradient is forward mode, one direction per parameter: ∂P₀ by the series'
// product rule, ∂P_{j+1} = ∂P_j P_j + P_j ∂P_j, ∂v' = ∂v P + v ∂P, each ∂P's rows made to
// sum 0 as P's sum 1 (a stiff chain's slow leak lives in those sums). Levels are walked
// once, every observation's vector carried through them together, so memory is one
// level's matrices plus a vector per observation and parameter. Where an observation's
// probability falls below the doubles, the same walk runs in scale (dense-scaled.ts).
import { DENSE_MAX_STATES } from '../distributions/dense-fallback.js';
import { multiplyAdd, normaliseRows, projectRows, seriesMatrix } from '../distributions/dense-matrix.js';
import { carryLevels, levelsUpTo, repeatRows, rowOf, seriesOnRows, withBit, type Dual, type Rows } from '../distributions/dense-rows.js';
import type { Structure } from '../graph/structure.js';
import { chainAt, timeDigits, transientCount, type Chain } from './dense-chain.js';
import { scaledStatesAtSteps, scaledStatesAtTimes, type ScaledRows } from './dense-scaled.js';
import type { CheckedPoints } from './observations.js';

/** Memory for the observations' vectors carried through the levels at once. */
const CHUNK_BYTES = 32 * 1024 * 1024;

// Measured costs (Node, this project's 2-core VM; the table is in docs/evaluators.md). The
// kernel's stepping: about 40 ns plus 2.5 ns per edge-or-state and step, 200 ns plus 6 ns with
// the gradient (its reverse sweep). Dense matrices: about 1 ns per multiply-add in the
// kernel's products, 0.8·(1 + 2p) times that with the gradient (P's products and each ∂P's
// two); about 0.2 ms per level whatever the size (the base series, summed to its smallest
// entry, and the calls around it), half again with the gradient; and 1.7 µs per observation
// and level in JavaScript (gathering the rows a level carries), 1 + p times that with it.
const STEP = { fixed: 40, unit: 2.5 }, STEP_GRADIENT = { fixed: 200, unit: 6 };
const DENSE_NS = 1, LEVEL_NS = 200_000, ROW_LEVEL_NS = 1700, MARGIN = 1.5;

/**
 * The step count past which dense matrices cost less than stepping this structure for these
 * data, with or without the gradient (Infinity when the dense path does not take the
 * structure): J squarings of a K × K matrix, and each observation's vector through the levels
 * its bits select (about J/2) and a short series, against steps × (edges + states). Stepping
 * is kept to MARGIN times the dense estimate: its cost is well predicted, the dense path's
 * (its series' length) within about 2× either way.
 */
export function denseStepCap(structure: Structure, observations: number, gradient: boolean): number {
  if (!denseFits(structure)) return Infinity;
  const K = transientCount(structure) + 1, p = structure.paramLength, step = gradient ? STEP_GRADIENT : STEP;
  const perStep = step.fixed + step.unit * (structure.col.length + structure.vertexCount);
  const products = gradient ? 0.8 * (1 + 2 * p) : 1, levels = gradient ? 1.5 : 1, rows = gradient ? 1 + p : 1;
  const obs = Math.max(1, observations);
  let cap = 1e6;
  for (let i = 0; i < 4; i++) {
    const J = Math.max(1, Math.ceil(Math.log2(2 * cap)));
    const dense = products * DENSE_NS * (J * K * K * K + obs * (J / 2 + 4) * K * K) + levels * LEVEL_NS * J + rows * ROW_LEVEL_NS * obs * (J + 1);
    cap = (MARGIN * dense) / perStep;
  }
  return Math.max(1, Math.ceil(cap));
}

/** Whether the dense path takes this structure. */
export function denseFits(structure: Structure): boolean {
  return transientCount(structure) <= DENSE_MAX_STATES;
}

/**
 * (P², ∂P P + P ∂P), P's rows renormalised to 1 (see dense-fallback.ts: rounding would grow
 * with each squaring) and the derivative's rows to 0 (projectRows: a stiff chain's leak).
 */
function square(P: Dual, n: number): Dual {
  const x = multiplyAdd(P.x, P.x, n);
  normaliseRows(x, n);
  const dx = P.dx.map((d) => multiplyAdd(P.x, d, n, multiplyAdd(d, P.x, n)));
  for (const d of dx) projectRows(d, x, n);
  return { x, dx };
}

/** α (and ∂α) in each of `count` rows. */
function startRows(c: Chain, count: number): Rows {
  return repeatRows({ x: c.alpha, dx: c.dAlpha }, count, c.n);
}

/**
 * v(t) for each continuous time (any order, t ≥ 0), as rows: the levels P_j walked once,
 * the rows of the times whose t/Δ has bit j carried through P_j together, the remainders by
 * the series (summed to 1e-18 of the density where `isPoint(k)`, else of the mass).
 */
function statesAtTimes(c: Chain, times: number[], tmax: number, isPoint: (k: number) => boolean): Rows {
  const vs = startRows(c, times.length);
  if (tmax === 0) return vs;
  const { J, delta, atLevel, rest, remainder } = timeDigits(c.lambda, times, tmax);
  carryLevels(vs, J + 1, seriesMatrix({ x: c.K, dx: c.dK }, c.n, c.lambda * delta, true), (P) => square(P, c.n), atLevel, c.n);
  const rates = Float64Array.from({ length: c.n }, (_, a) => (a < c.s.length ? c.s[a] : 0)); // the sink absorbs nothing more
  if (remainder.length > 0) seriesOnRows(vs, remainder, remainder.map((k) => c.lambda * rest[k]), { x: c.K, dx: c.dK }, c.n, remainder.map((k) => (isPoint(k) ? rates : null)));
  return vs;
}

/** v(k) for each step count (any order), as rows. */
function statesAtSteps(c: Chain, steps: number[], kmax: number): Rows {
  const vs = startRows(c, steps.length);
  carryLevels(vs, levelsUpTo(kmax), { x: c.K, dx: c.dK }, (P) => square(P, c.n), (j) => withBit(steps, j), c.n);
  return vs;
}

/** f = v·s (with ∂f) over the transient states. */
function absorptionRate(v: Dual, c: Chain): { value: number; grad: number[] } {
  let value = 0;
  for (let a = 0; a < c.s.length; a++) value += v.x[a] * c.s[a];
  const grad = v.dx.map((d, i) => {
    let g = 0;
    for (let a = 0; a < c.s.length; a++) g += d[a] * c.s[a] + v.x[a] * c.ds[i][a];
    return g;
  });
  return { value, grad };
}

/** Σ transient v (with ∂). */
function transientMass(v: Dual, c: Chain): { value: number; grad: number[] } {
  const nt = c.s.length;
  let value = 0;
  for (let a = 0; a < nt; a++) value += v.x[a];
  return { value, grad: v.dx.map((d) => { let g = 0; for (let a = 0; a < nt; a++) g += d[a]; return g; }) };
}

/** The smallest normal double: a probability below it has lost digits (or all of them). */
const MIN_NORMAL = 2 ** -1022;

/** log L and its gradient by dense matrices; `underflow` when some observation's probability was below the normal doubles. */
export interface DenseLogLikelihood {
  logLik: number;
  gradient: Float64Array | null;
  underflow: boolean;
  /** The first such observation: its time (or step count) and whether it was censored. */
  lost?: { at: number; censored: boolean };
}

/** Options of {@link denseLogLikelihood}. */
export interface DenseOptions {
  /** The weights to use (the data's, or a call's). */
  pw?: Float64Array;
  cw?: Float64Array;
  /** Memory for the vectors carried at once (tests make it small). */
  chunkBytes?: number;
  /** Matrices and vectors kept in scale (dense-scaled.ts): exact where probabilities fall below the doubles, at the same cost. */
  scaled?: boolean;
}

/**
 * log L at θ and, with `gradient`, ∂ log L/∂θ, densely: the same quantity as the kernel's
 * (likelihood.c), observations of weight 0 left out, −∞ with a zero gradient where some
 * observation has probability 0.
 */
export function denseLogLikelihood(structure: Structure, data: CheckedPoints, theta: Float64Array, gradient: boolean, options: DenseOptions = {}): DenseLogLikelihood {
  const { pw = data.weights, cw = data.censoredWeights, chunkBytes = CHUNK_BYTES, scaled = false } = options;
  const c = chainAt(structure, theta, gradient);
  const p = structure.paramLength;
  const points: number[] = [], censored: number[] = [];
  data.points.forEach((t, i) => { if (pw[i] > 0) points.push(i); });
  data.censored.forEach((t, i) => { if (cw[i] > 0) censored.push(i); });
  const discrete = structure.discrete;
  // Discrete: pmf(k) = v(k − 1)·s (k ≥ 1), P(τ > k) = Σ v(k).
  const pointAt = points.map((i) => (discrete ? Math.max(0, data.points[i] - 1) : data.points[i]));
  const at = [...pointAt, ...censored.map((i) => data.censored[i])];
  let largest = 0;
  for (const t of at) if (t > largest) largest = t;
  // Observations go through the levels in chunks, so that their vectors take at most about
  // CHUNK_BYTES (each chunk walks the levels again: a large data set costs time, not memory).
  const chunk = Math.max(1, Math.floor(chunkBytes / (8 * c.n * (1 + c.dK.length))));
  // Rows of the scaled path are transient states only (n − 1 of them), each with its exponent.
  const width = scaled ? c.n - 1 : c.n;
  let states: Rows | ScaledRows | null = null, first = 0;
  const stateOf = (k: number): { v: Dual; exponent: number } => {
    if (!states || k >= first + states.count) {
      const part = at.slice(k, k + chunk);
      const isPoint = (i: number) => k + i < points.length;
      if (scaled) states = discrete ? scaledStatesAtSteps(c, part, largest) : scaledStatesAtTimes(c, part, largest, isPoint);
      else states = discrete ? statesAtSteps(c, part, largest) : statesAtTimes(c, part, largest, isPoint);
      first = k;
    }
    return { v: rowOf(states, k - first, width), exponent: 'exps' in states ? states.exps[k - first] : 0 };
  };
  let logLik = 0, underflow = false, lost: DenseLogLikelihood['lost'];
  const grad = new Float64Array(p);
  // The observation's probability is 2^exponent × q.value (exponent 0 unscaled). A value of
  // exactly 0 read at 0 (a density at t = 0, a pmf at 1 step: no start state absorbs at once)
  // is an answer, not an underflow. `observed`: the time or step count, to name it.
  const add = (weight: number, q: { value: number; grad: number[] }, exponent = 0, readAt = 1, observed = readAt, censored = false) => {
    if (q.value < MIN_NORMAL && !(q.value === 0 && readAt === 0) && !underflow) {
      underflow = true;
      lost = { at: observed, censored };
    }
    logLik += weight * (Math.log(q.value) + exponent * Math.LN2);
    if (q.value > 0) q.grad.forEach((g, i) => { grad[i] += (weight * g) / q.value; });
  };
  points.forEach((i, k) => {
    if (discrete && data.points[i] === 0) add(pw[i], { value: c.atom, grad: Array.from(c.dAtom) });
    else { const { v, exponent } = stateOf(k); add(pw[i], absorptionRate(v, c), exponent, at[k], data.points[i]); }
  });
  censored.forEach((i, k) => { const { v, exponent } = stateOf(points.length + k); add(cw[i], transientMass(v, c), exponent, 1, data.censored[i], true); });
  if (logLik === -Infinity || Number.isNaN(logLik)) return { logLik: -Infinity, gradient: gradient ? new Float64Array(p) : null, underflow, lost };
  return { logLik, gradient: gradient ? grad : null, underflow, lost };
}
