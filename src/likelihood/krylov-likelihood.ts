// log L of observed times and its gradient by shift-and-invert Krylov (distributions/
// krylov.ts), for one θ of a continuous chain too large for dense matrices whose stepping
// would pass maxSteps: rates 1e8 beside 1e-8, or slow leaks observed at long times.
//
// The density is f(t) = αᵀe^{tS}s and the survival P(T > t) = αᵀe^{tS}1. Their derivative
// in θ_p comes from the same exponential of the block generator B_p = [[S, S_p], [0, S]]
// (S_p = ∂S/∂θ_p): the row [α, ∂_pα]·e^{tB_p} is [u, ∂_p u] with u(t)ᵀ = αᵀe^{tS}, so
//   ∂_p f = ∂_p u·s + u·∂_p s,   ∂_p P(T > t) = ∂_p u·1,
// exact derivatives of the same quantities (the Fréchet derivative of the exponential),
// not differences. (I − γB_pᵀ)⁻¹ needs no new elimination: block back-substitution,
//   x₁ = Z r₁,   x₂ = Z (r₂ + γ S_pᵀ x₁),   Z = (I − γSᵀ)⁻¹,
// so each parameter costs one more Krylov run of two solves a step with the same
// elimination. log L needs relative accuracy: each run settles to 10⁻¹⁰ of every value,
// down to a floor near rounding; a value within 10³ of that floor is refused, never returned.
import { ratesAt, isTransient, type Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import { stepMatrix, type StepMatrix } from '../distributions/stepper.js';
import { dimensionFor, dot, overGroups, settle, KRYLOV_COST, type KrylovMeter, type KrylovRun, type ShiftInvert } from '../distributions/krylov.js';
import type { CheckedPoints } from './observations.js';

/** Memory for one Krylov basis (the gradient's runs hold vectors twice as long). */
const BASIS_BYTES = 256 * 1024 * 1024;
/** Values and derivatives settle to this fraction of their size… */
const RELATIVE = 1e-10;
/** …or to this absolute floor (times the largest exit rate for densities). */
const FLOOR = 1e-15;
/** A density or survival must be this many floors above 0. */
const RESOLVED = 1e3;

/** log L at θ, with its gradient when asked, or why Krylov could not give it. */
export type KrylovRow = { logLik: number; gradient: Float64Array | null } | { failed: string };

/** ∂S/∂θ_p, ∂s/∂θ_p and ∂α/∂θ_p over the transient states, from the structure's coefficients. */
class Derivatives {
  readonly dExit: Float64Array;
  readonly dAlpha: Float64Array;
  /** Edges S_pᵀ x reads. */
  readonly edges: number;
  /** −Σ of each transient state's out-edge coefficients: S_p's diagonal. */
  private readonly diagonal: Float64Array;

  constructor(private readonly structure: Structure, private readonly chain: StepMatrix, private readonly indexOf: Int32Array, private readonly p: number, transient: (v: number) => boolean) {
    const n = chain.count, P = structure.paramLength, { rowPtr, col, coef } = structure;
    this.dExit = new Float64Array(n);
    this.dAlpha = new Float64Array(n);
    this.diagonal = new Float64Array(n);
    this.edges = structure.col.length;
    for (let j = rowPtr[0]; j < rowPtr[1]; j++) if (indexOf[col[j]] >= 0) this.dAlpha[indexOf[col[j]]] += coef[j * P + p];
    for (let i = 0; i < n; i++) {
      const v = chain.vertexOf[i];
      for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
        const c = coef[j * P + p];
        this.diagonal[i] -= c;
        if (!transient(col[j])) this.dExit[i] += c;
      }
    }
  }

  /** out = S_pᵀ x. */
  transposeTimes(x: Float64Array, out: Float64Array): void {
    const { rowPtr, col, coef, paramLength: P } = this.structure, { vertexOf } = this.chain, p = this.p;
    for (let i = 0; i < x.length; i++) out[i] = this.diagonal[i] * x[i];
    for (let i = 0; i < x.length; i++) {
      const v = vertexOf[i], xi = x[i];
      if (xi === 0) continue;
      for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
        const u = this.indexOf[col[j]];
        if (u >= 0) out[u] += coef[j * P + p] * xi;
      }
    }
  }
}

/** The absolute floors the runs settle to (besides RELATIVE of each value). */
interface Tolerances { pdf: number; cdf: number }

/**
 * log L = Σ w_i log f(t_i) + Σ w_j log P(T > c_j) at θ and its gradient, by Krylov.
 * `weights` replace the data's (points then censored) when given; with a `meter`, the run
 * stops (failed) once its estimated work passes the meter's budget. `csr`: the rates at θ,
 * where the caller has them already.
 */
export function krylovLogLikelihood(structure: Structure, data: CheckedPoints, theta: Float64Array, gradient: boolean, weights?: Float64Array, meter?: KrylovMeter, csr: Csr = ratesAt(structure, theta)): KrylovRow {
  // A rate of 0 at θ drops its edge, and the chain's edges no longer match the coefficients.
  if (csr.col !== structure.col) return { failed: 'has rates of 0 at this θ' };
  const chain = stepMatrix(csr, 1);
  const n = chain.count, P = structure.paramLength;
  const indexOf = new Int32Array(csr.vertexCount).fill(-1);
  chain.vertexOf.forEach((v, i) => { indexOf[v] = i; });
  // log L needs each value to a relative accuracy, whatever its size: the runs settle to
  // RELATIVE of each value, down to a floor near rounding (FLOOR of the largest exit rate).
  const tolerances = { pdf: FLOOR * chain.exit.reduce((a, b) => Math.max(a, b), 0), cdf: FLOOR };
  const split = data.points.length;
  const times = Float64Array.from([...data.points, ...data.censored]);
  // value[i] = f(t_i) or P(T > t_i); slope[p·T + i] its derivative in θ_p.
  const value = new Float64Array(times.length), slope = new Float64Array(gradient ? P * times.length : 0);
  const derivatives = gradient ? Array.from({ length: P }, (_, p) => new Derivatives(structure, chain, indexOf, p, (v) => isTransient(csr, v))) : [];
  const ones = new Float64Array(n).fill(1);
  const total = (x: Float64Array) => x.reduce((a, b) => a + b, 0);
  // At t = 0 there is no exponential: u(0) = α.
  times.forEach((t, i) => {
    if (t > 0) return;
    value[i] = i < split ? dot(chain.alpha, chain.exit) : total(chain.alpha);
    derivatives.forEach((d, p) => { slope[p * times.length + i] = i < split ? dot(d.dAlpha, chain.exit) + dot(chain.alpha, d.dExit) : total(d.dAlpha); });
  });
  // A density of 0 at t = 0 (exact: no start state absorbs at once) decides alone: −∞ with a
  // zero gradient, as the kernel has it, and no Krylov run is needed.
  const w = weights ?? Float64Array.from([...data.weights, ...data.censoredWeights]);
  if (times.some((t, i) => t === 0 && w[i] > 0 && value[i] === 0)) return { logLik: -Infinity, gradient: gradient ? new Float64Array(P) : null };
  const single = dimensionFor(n, BASIS_BYTES), double = dimensionFor(2 * n, BASIS_BYTES);
  if (single < 1 || (gradient && double < 1)) return { failed: `has no room for a basis of ${n} states` };
  const failed = overGroups(csr, chain, times, (z, members) => {
    const at = members.map((i) => times[i]);
    const own = settle({
      start: chain.alpha, apply: (x, out) => z.apply(x, out), functionals: [chain.exit, ones],
      tolerances: [tolerances.pdf, tolerances.cdf], relative: [RELATIVE, RELATIVE], plausible: plausibleWithin(tolerances),
    }, z.gamma, at, single, z.meter);
    if (typeof own === 'string') return own;
    members.forEach((i, k) => { value[i] = i < split ? own[0][k] : own[1][k]; });
    // A value the logarithm cannot use fails the row now, before its derivatives' runs.
    for (const i of members) {
      const why = unresolved(i, times, split, w, value, tolerances);
      if (why !== undefined) return why;
    }
    for (let p = 0; p < derivatives.length; p++) {
      const both = settle(blockRun(chain, derivatives[p], z, tolerances), z.gamma, at, double, z.meter);
      if (typeof both === 'string') return `${both} (the derivative in θ${p})`;
      members.forEach((i, k) => { slope[p * times.length + i] = i < split ? both[2][k] : both[3][k]; });
    }
    return undefined;
  }, { meter, largestFirst: true });
  if (failed !== undefined) return { failed };
  return sumOfLogs({ times, split, weights: w, value, slope, P, gradient, tolerances });
}

/** Answers a density and a survival can have, up to the floors. */
const plausibleWithin = (t: Tolerances) => ([f, survival]: number[][]): boolean =>
  f.every((x) => x >= -t.pdf) && survival.every((x) => x >= -t.cdf && x <= 1 + t.cdf);

/**
 * The Krylov run of the block generator B_p = [[S, S_p], [0, S]] from [α, ∂_pα]: functionals
 * f, P(T > t), ∂_p f and ∂_p P(T > t). (I − γB_pᵀ)⁻¹ by block back-substitution with Z.
 */
function blockRun(chain: StepMatrix, d: Derivatives, z: ShiftInvert, t: Tolerances): KrylovRun {
  const n = chain.count, x1 = new Float64Array(n), r2 = new Float64Array(n), x2 = new Float64Array(n);
  const ones = new Float64Array(n).fill(1), zeros = new Float64Array(n);
  return {
    start: concat(chain.alpha, d.dAlpha),
    apply: (r, out) => {
      // S_pᵀ x₁ reads every edge's coefficient: charged as vector work.
      z.meter?.charge(KRYLOV_COST.multiplyAdd * (d.edges + 3 * n));
      z.apply(r.subarray(0, n), x1);
      d.transposeTimes(x1, r2);
      for (let i = 0; i < n; i++) r2[i] = r[n + i] + z.gamma * r2[i];
      z.apply(r2, x2);
      out.set(x1, 0);
      out.set(x2, n);
    },
    functionals: [concat(chain.exit, zeros), concat(ones, zeros), concat(d.dExit, chain.exit), concat(zeros, ones)],
    tolerances: [t.pdf, t.cdf, t.pdf, t.cdf],
    relative: [RELATIVE, RELATIVE, RELATIVE, RELATIVE],
    plausible: plausibleWithin(t),
  };
}

/**
 * Σ w log value and its gradient Σ w·slope/value over the observations of weight > 0; a
 * value within RESOLVED of its floor fails.
 */
function sumOfLogs(o: { times: Float64Array; split: number; weights: Float64Array; value: Float64Array; slope: Float64Array; P: number; gradient: boolean; tolerances: Tolerances }): KrylovRow {
  const { times, split, weights: w, value, slope, P, tolerances } = o, T = times.length;
  let logLik = 0;
  const grad = o.gradient ? new Float64Array(P) : null;
  for (let i = 0; i < T; i++) {
    if (w[i] === 0) continue;
    const why = unresolved(i, times, split, w, value, tolerances);
    if (why !== undefined) return { failed: why };
    logLik += w[i] * Math.log(value[i]);
    if (grad) for (let p = 0; p < P; p++) grad[p] += (w[i] * slope[p * T + i]) / value[i];
  }
  return { logLik, gradient: grad };
}

/** Why observation i's value cannot go into the logarithm (within RESOLVED of its floor, where its weight counts), or undefined. */
function unresolved(i: number, times: Float64Array, split: number, w: Float64Array, value: Float64Array, tolerances: Tolerances): string | undefined {
  if (w[i] === 0) return undefined;
  const floor = i < split ? tolerances.pdf : tolerances.cdf;
  if (value[i] > (times[i] === 0 ? 0 : RESOLVED * floor)) return undefined;
  return `gives the ${i < split ? 'density' : 'survival'} at ${i < split ? '' : 'censored '}time ${times[i]} as ${value[i].toExponential(2)}, too close to its absolute tolerance ${floor.toExponential(1)} for its logarithm`;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
