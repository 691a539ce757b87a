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
// product rule, ∂P_{j+1} = ∂P_j P_j + P_j ∂P_j, ∂v' = ∂v P + v ∂P. Levels are walked
// once, every observation's vector carried through them together, so memory is one
// level's matrices plus a vector per observation and parameter.
import { baseStep, DENSE_MAX_STATES, multiplyAdd, normaliseRows } from '../distributions/dense-fallback.js';
import { carryLevels, levelsUpTo, repeatRows, rowOf, seriesOnRows, withBit, type Dual, type Rows } from '../distributions/dense-rows.js';
import { GraphError } from '../errors/index.js';
import { structureRates, type Structure } from '../graph/structure.js';
import type { CheckedPoints } from './observations.js';

/** Levels (squarings) beyond which the dense path refuses: λ·t_max up to about 1.7e38. */
const MAX_LEVELS = 128;
/** Memory for the observations' vectors carried through the levels at once. */
const CHUNK_BYTES = 32 * 1024 * 1024;

interface Chain {
  /** Augmented size: transient states, then the sink. */
  n: number;
  /** Stochastic matrix (n × n, row-major) and its derivative per parameter. */
  K: Float64Array;
  dK: Float64Array[];
  alpha: Float64Array;
  dAlpha: Float64Array[];
  /** Rates into absorption per transient state, and their derivatives. */
  s: Float64Array;
  ds: Float64Array[];
  lambda: number;
  /** 1 − Σα (the atom at 0) and its derivatives: a discrete observation of 0 steps. */
  atom: number;
  dAtom: Float64Array;
}

/** The number of transient states the dense path would carry (the kernel's count). */
export function transientCount(structure: Structure): number {
  const { rowPtr } = structure;
  let nt = 0;
  for (let v = 1; v < structure.vertexCount; v++) if (rowPtr[v + 1] > rowPtr[v]) nt++;
  return nt;
}

// Measured costs (Node, this project's 2-core VM): the kernel's stepping 3.4–5.5 ns per
// edge-or-state and step; the dense path about 1 ns per multiply-add in the kernel's
// products, plus about 1.7 µs per observation and level in JavaScript (gathering the rows a
// level carries, the series). A stiff 30-state chain with 100 times needed 25 million steps:
// 8.1 s stepped, 7 ms dense.
const STEP_NS = 4.5, DENSE_NS = 1, ROW_LEVEL_NS = 1700;

/**
 * The step count past which dense matrices cost less than stepping this structure for these
 * data (Infinity when the dense path does not take the structure): J squarings of a K × K
 * matrix, and each observation's vector through the levels its bits select (about J/2) and a
 * short series, against steps × (edges + states). The gradient multiplies both by about
 * 1 + paramLength, so it does not enter. A margin of 2 keeps stepping where they are close.
 */
export function denseStepCap(structure: Structure, observations: number): number {
  if (!denseFits(structure)) return Infinity;
  const K = transientCount(structure) + 1, perStep = STEP_NS * (structure.col.length + structure.vertexCount);
  const obs = Math.max(1, observations);
  let cap = 1e6;
  for (let i = 0; i < 4; i++) {
    const J = Math.max(1, Math.ceil(Math.log2(2 * cap)));
    cap = (2 * (DENSE_NS * (J * K * K * K + obs * (J / 2 + 4) * K * K) + ROW_LEVEL_NS * obs * (J + 1))) / perStep;
  }
  return Math.max(1, Math.ceil(cap));
}

/** Whether the dense path takes this structure. */
export function denseFits(structure: Structure): boolean {
  return transientCount(structure) <= DENSE_MAX_STATES;
}

/** The augmented chain at θ; with `gradient`, its derivatives along each parameter (else none are carried). */
function chainAt(structure: Structure, theta: Float64Array, gradient: boolean): Chain {
  const { rowPtr, col, coef, vertexCount, discrete } = structure;
  const p = gradient ? structure.paramLength : 0, stride = structure.paramLength;
  const { w } = structureRates(structure, theta);
  const tidx = new Int32Array(vertexCount).fill(-1);
  let nt = 0;
  for (let v = 1; v < vertexCount; v++) if (rowPtr[v + 1] > rowPtr[v]) tidx[v] = nt++;
  const n = nt + 1, sink = nt;
  let lambda = 1;
  if (!discrete) {
    lambda = 0;
    for (let v = 1; v < vertexCount; v++) {
      let e = 0;
      for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) e += w[j];
      if (tidx[v] >= 0 && e > lambda) lambda = e;
    }
    if (lambda === 0) lambda = 1;
  }
  const K = new Float64Array(n * n), s = new Float64Array(nt), alpha = new Float64Array(n);
  const dK = Array.from({ length: p }, () => new Float64Array(n * n));
  const ds = Array.from({ length: p }, () => new Float64Array(nt));
  const dAlpha = Array.from({ length: p }, () => new Float64Array(n));
  const dAtom = new Float64Array(p);
  let mass = 0;
  for (let j = rowPtr[0]; j < rowPtr[1]; j++) {
    const b = tidx[col[j]];
    if (b < 0) continue;
    alpha[b] += w[j];
    mass += w[j];
    for (let i = 0; i < p; i++) { dAlpha[i][b] += coef[j * stride + i]; dAtom[i] -= coef[j * stride + i]; }
  }
  for (let v = 1; v < vertexCount; v++) {
    const a = tidx[v];
    if (a < 0) continue;
    let exit = 0;
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const b = tidx[col[j]], to = b >= 0 ? b : sink;
      exit += w[j];
      K[a * n + to] += w[j] / lambda;
      if (b < 0) s[a] += w[j];
      for (let i = 0; i < p; i++) {
        const c = coef[j * stride + i];
        if (c === 0) continue;
        dK[i][a * n + to] += c / lambda;
        dK[i][a * n + a] -= c / lambda;
        if (b < 0) ds[i][a] += c;
      }
    }
    K[a * n + a] += 1 - exit / lambda;
  }
  K[n * n - 1] = 1;
  return { n, K, dK, alpha, dAlpha, s, ds, lambda, atom: 1 - mass, dAtom };
}

/** (P², ∂P P + P ∂P), P's rows renormalised to 1 (see dense-fallback.ts: rounding would grow with each squaring). */
function square(P: Dual, n: number): Dual {
  const x = multiplyAdd(P.x, P.x, n);
  normaliseRows(x, n);
  const dx = P.dx.map((d) => multiplyAdd(P.x, d, n, multiplyAdd(d, P.x, n)));
  return { x, dx };
}

/** Σ_n e^{−h} hⁿ/n! Kⁿ (h ≤ 1/2) and its derivative: ∂Kⁿ = ∂Kⁿ⁻¹ K + Kⁿ⁻¹ ∂K. */
function seriesMatrix(c: Chain, h: number): Dual {
  const n = c.n;
  let power: Dual = { x: new Float64Array(n * n), dx: c.dK.map(() => new Float64Array(n * n)) };
  for (let i = 0; i < n; i++) power.x[i * n + i] = 1;
  const out: Dual = { x: new Float64Array(n * n), dx: c.dK.map(() => new Float64Array(n * n)) };
  let coeff = Math.exp(-h);
  for (let k = 0; k < 40; k++) {
    for (let i = 0; i < n * n; i++) out.x[i] += coeff * power.x[i];
    out.dx.forEach((d, p) => { const pd = power.dx[p]; for (let i = 0; i < n * n; i++) d[i] += coeff * pd[i]; });
    coeff *= h / (k + 1);
    if (coeff < 1e-18 * Math.exp(-h)) break;
    power = { x: multiplyAdd(power.x, c.K, n), dx: power.dx.map((d, p) => multiplyAdd(power.x, c.dK[p], n, multiplyAdd(d, c.K, n))) };
  }
  return out;
}

/** α (and ∂α) in each of `count` rows. */
function startRows(c: Chain, count: number): Rows {
  return repeatRows({ x: c.alpha, dx: c.dAlpha }, count, c.n);
}

/**
 * v(t) for each continuous time (any order, t ≥ 0), as rows: the levels P_j walked once,
 * the rows of the times whose t/Δ has bit j carried through P_j together, the remainders by
 * the series.
 */
function statesAtTimes(c: Chain, times: number[], tmax: number): Rows {
  const vs = startRows(c, times.length);
  if (tmax === 0) return vs;
  // Every t ≤ tmax is Σ (bits)·2^j Δ + r, r < Δ.
  const { J, delta } = baseStep(c.lambda, tmax);
  if (J > MAX_LEVELS) throw new GraphError('WORK_LIMIT', `the likelihood's largest exit rate × largest time is ${(c.lambda * tmax).toExponential(2)}, beyond what dense matrices take (${MAX_LEVELS} squarings, about 1.7e38); rescale time`);
  const rest = times.slice();
  const bits = times.map(() => new Uint8Array(J + 1));
  for (let j = J; j >= 0; j--) {
    const span = delta * 2 ** j;
    rest.forEach((r, k) => { if (r >= span) { bits[k][j] = 1; rest[k] = r - span; } });
  }
  carryLevels(vs, J + 1, seriesMatrix(c, c.lambda * delta), (P) => square(P, c.n), (j) => times.flatMap((_, k) => (bits[k][j] ? [k] : [])), c.n);
  const remainder = times.flatMap((_, k) => (rest[k] > 0 ? [k] : []));
  if (remainder.length > 0) seriesOnRows(vs, remainder, remainder.map((k) => c.lambda * rest[k]), { x: c.K, dx: c.dK }, c.n);
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
}

/**
 * log L at θ and, with `gradient`, ∂ log L/∂θ, densely: the same quantity as the kernel's
 * (likelihood.c), observations of weight 0 left out, −∞ with a zero gradient where some
 * observation has probability 0. `pw`, `cw`: the weights to use (the data's, or a call's);
 * `chunkBytes`: memory for the vectors carried at once (tests make it small).
 */
export function denseLogLikelihood(structure: Structure, data: CheckedPoints, theta: Float64Array, gradient: boolean,
  pw = data.weights, cw = data.censoredWeights, chunkBytes = CHUNK_BYTES): DenseLogLikelihood {
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
  let states: Rows | null = null, first = 0;
  const stateOf = (k: number): Dual => {
    if (!states || k >= first + states.count) {
      const part = at.slice(k, k + chunk);
      states = discrete ? statesAtSteps(c, part, largest) : statesAtTimes(c, part, largest);
      first = k;
    }
    return rowOf(states, k - first, c.n);
  };
  let logLik = 0, underflow = false;
  const grad = new Float64Array(p);
  const add = (weight: number, q: { value: number; grad: number[] }) => {
    if (q.value < MIN_NORMAL) underflow = true;
    logLik += weight * Math.log(q.value);
    if (q.value > 0) q.grad.forEach((g, i) => { grad[i] += (weight * g) / q.value; });
  };
  points.forEach((i, k) => {
    if (discrete && data.points[i] === 0) add(pw[i], { value: c.atom, grad: Array.from(c.dAtom) });
    else add(pw[i], absorptionRate(stateOf(k), c));
  });
  censored.forEach((i, k) => add(cw[i], transientMass(stateOf(points.length + k), c)));
  if (logLik === -Infinity || Number.isNaN(logLik)) return { logLik: -Infinity, gradient: gradient ? new Float64Array(p) : null, underflow };
  return { logLik, gradient: gradient ? grad : null, underflow };
}
