// The log-likelihood of observed times (continuous graphs) or steps (discrete
// graphs) and its gradient, for many θ at once, computed in the kernel
// (wasm-src/likelihood.c): one stepping of the chain per θ serves every
// observation, and reverse mode through it gives all of ∂ log L/∂θ.
import { GraphError, KernelError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import { allocate, copyIn, f64View, kernel, type KernelExports } from '../kernel/module.js';
import { holdParameterisation, releaseParameterisation, type KernelParameterisation } from '../kernel/parameterisation.js';
import { withMemoryRetry } from '../kernel/residency.js';
import { canonicalRates, ratesAt, type Csr } from '../graph/rates.js';
import { thetaRow, type ThetaRows } from '../graph/arguments.js';
import type { Structure } from '../graph/structure.js';
import type { CheckedPoints } from './observations.js';
import { transientCount, transientMass } from './dense-chain.js';
import { denseFits, denseStepCap, denseLogLikelihood, type DenseLogLikelihood, type DenseOptions } from './dense-likelihood.js';
import { DENSE_MAX_STATES } from '../distributions/dense-fallback.js';
import { krylovLogLikelihood, type KrylovRow } from './krylov-likelihood.js';
import { KrylovMeter } from '../distributions/krylov.js';
import { cyclingRate, cyclingRateBound } from '../distributions/cycling-rate.js';

/** Bounds on the work of one evaluation. */
export interface LikelihoodLimits {
  /**
   * Most steps of the chain per θ (λ·t_max for times, the largest count for steps). Beyond
   * it, chains of at most 128 transient states are computed with dense matrices (cost
   * growing with log λ·t_max); larger ones stop with WORK_LIMIT. Default 10,000,000.
   */
  maxSteps?: number;
  /** Most bytes kept for the reverse pass per θ (beyond it, √N checkpoints). Default 256 MiB. */
  maxMemoryBytes?: number;
}

/**
 * How log L of times is computed: 'auto' takes adaptive uniformisation where it is exact
 * and cheaper (levels of a chain whose mass leaves its fast states), else plain
 * uniformisation; the other two force one (adaptive still gives way where it cannot be
 * exact or would pass maxMemoryBytes). Steps and discrete graphs always step plainly.
 * 'auto' also leaves stepping for dense matrices (at most 128 transient states) or
 * shift-and-invert Krylov (larger continuous chains, times) where stepping would be long or
 * pass maxSteps.
 */
export type LikelihoodMethod = 'auto' | 'uniformisation' | 'adaptive';

const METHOD_CODE: Record<LikelihoodMethod, number> = { auto: 0, uniformisation: 1, adaptive: 2 };

/** What the last evaluation did (for its last row). */
export interface LikelihoodRun {
  /** Steps of the chain (adaptive: of the birth chain over the levels). */
  steps: number;
  /** The uniformisation rate (adaptive: the largest level rate Λ). */
  lambda: number;
  method: 'uniformisation' | 'adaptive' | 'dense' | 'krylov';
  /** Levels the adaptive path stepped (0 for plain uniformisation). */
  levels: number;
}

/** How errors name a row: the rows evaluated are rows first… of a batch of `of` (one alone is not named). */
export interface RowNaming { first: number; of: number }

/** Log-likelihoods (one per θ row) and, when asked, their gradients (rows × paramLength). */
export interface LikelihoodValues {
  logLik: Float64Array;
  gradient: Float64Array | null;
}

const DEFAULT_MAX_STEPS = 10_000_000;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

const registry = new FinalizationRegistry<number>((ptr) => kernel().pk_lik_free(ptr));
// Kernel row codes the dense path answers: more steps than the cap, the kernel out of memory,
// a probability whose terms lost every digit in the kernel's stepping. Not maxMemoryBytes
// (code 5): that is the caller's bound, and dense matrices would not keep it.
const LOST = 6;
/** The kernel's row code for more steps than maxSteps. */
const PAST_MAX_STEPS = 3;
const DENSE_CODES = new Set([PAST_MAX_STEPS, 4, LOST]);

/**
 * Estimated nanoseconds per unit of stepping work (λ·t × (edges + states)) in the kernel's
 * likelihood here: about 2 for the values, 8 with the gradient (measured 1.7–2.3 and 6–12
 * on chains of 150 and 400 states).
 */
const STEP_NS = { value: 2, gradient: 8 };
/** Estimated stepping time from which 'auto' tries Krylov before stepping a row (50 ms). */
const KRYLOV_FIRST_NS = 5e7;
/**
 * The share of that stepping time Krylov may spend before it gives way to the stepping. Its
 * own estimates run up to 1.9 times short (krylov.ts): a row Krylov gives up on costs about
 * 1.3–1.7 times its stepping alone.
 */
const KRYLOV_FIRST_SHARE = 1 / 3;

/** One θ row's log L and, when asked, its gradient. */
type RowAnswer = { logLik: number; gradient: Float64Array | null };

/** Whether a dense row lost digits to underflow: a probability below the normal doubles, or a gradient not finite. */
const underflowed = (row: DenseLogLikelihood) => row.underflow || (row.gradient !== null && row.gradient.some((g) => !Number.isFinite(g)));

/** The kernel's likelihood of one structure and one data set; evaluate() for any θ rows. */
export class PointLikelihood {
  private readonly k: KernelExports;
  private readonly par: KernelParameterisation;
  private ptr: number;
  /** The kernel's step limit without and with the gradient (see denseStepCap). */
  private readonly caps: { value: number; gradient: number };
  private readonly method: LikelihoodMethod;
  /** How the last row of the last evaluation was computed, where not by the kernel's stepping. */
  private lastOther: 'dense' | 'krylov' | null = null;
  /** Rows the last evaluation computed with dense matrices. */
  denseRows = 0;
  /** Rows the last evaluation computed by Krylov. */
  krylovRows = 0;
  /** The largest observed time (for the stepping estimate of Krylov-first). */
  private readonly lastTime: number;

  constructor(readonly structure: Structure, readonly data: CheckedPoints, readonly limits: LikelihoodLimits = {}, method: LikelihoodMethod = 'auto') {
    const k = (this.k = kernel());
    const maxSteps = limits.maxSteps ?? DEFAULT_MAX_STEPS, maxBytes = limits.maxMemoryBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 2 ** 31 - 1) throw new GraphError('BAD_ARGUMENT', `maxSteps must be an integer in [1, 2³¹ − 1], got ${maxSteps}`);
    if (!Object.hasOwn(METHOD_CODE, method)) throw new GraphError('BAD_ARGUMENT', `method must be 'auto', 'uniformisation' or 'adaptive', got ${describeValue(method)}`);
    if (!(maxBytes > 0) || !Number.isFinite(maxBytes)) throw new GraphError('BAD_ARGUMENT', `maxMemoryBytes must be a finite number > 0, got ${maxBytes}`);
    this.par = holdParameterisation(this, structure);
    this.method = method;
    // 'auto' on a small chain: rows whose stepping would cost more than dense matrices are
    // refused by the kernel as past maxSteps, and go dense (cost then grows with log λt).
    const observations = data.points.length + data.censored.length;
    const cap = (gradient: boolean) => (method === 'auto' ? Math.min(maxSteps, denseStepCap(structure, observations, gradient)) : maxSteps);
    this.caps = { value: cap(false), gradient: cap(true) };
    this.ptr = this.createKernelLikelihood(this.caps.value);
    registry.register(this, this.ptr, this);
    let lastTime = 0;
    for (const t of [data.points, data.censored]) for (let i = 0; i < t.length; i++) lastTime = Math.max(lastTime, t[i]);
    this.lastTime = lastTime;
  }

  private createKernelLikelihood(cap: number): number {
    const k = this.k, { structure, data } = this;
    const ptrs: number[] = [];
    let ptr = 0;
    try {
      const keep = (p: number) => (ptrs.push(p), p);
      const col = keep(copyIn(k, structure.col));
      const [pt, pw, ct, cw] = [data.points, data.weights, data.censored, data.censoredWeights].map((a) => keep(copyIn(k, a)));
      ptr = k.pk_lik_create(structure.vertexCount, this.par.rowPtr, col, structure.discrete ? 1 : 0,
        data.points.length, pt, pw, data.censored.length, ct, cw, cap, this.limits.maxMemoryBytes ?? DEFAULT_MAX_BYTES);
    } finally {
      for (const p of ptrs) k.pk_free(p);
    }
    if (ptr === 0) throw new KernelError('OUT_OF_MEMORY', 'phasekit: the kernel could not allocate the likelihood of this graph and data');
    k.pk_lik_set_method(ptr, METHOD_CODE[this.method]);
    return ptr;
  }

  /**
   * log L at each θ row, and with `gradient` ∂ log L/∂θ (row-major, rows × paramLength).
   * `weights` (checked by {@link checkPointWeights}) replace the data's for this call only.
   */
  evaluate(thetas: ThetaRows, gradient: boolean, weights?: Float64Array, naming: RowNaming = { first: 0, of: thetas.rows }): LikelihoodValues {
    if (this.ptr === 0) throw new KernelError('NOT_READY', 'phasekit: this likelihood was disposed');
    // Out of kernel memory: the caches are given back and the rows run once more (the call
    // restores what it changed, so running it again is safe).
    return withMemoryRetry(() => this.evaluateOnce(thetas, gradient, weights, naming));
  }

  private evaluateOnce(thetas: ThetaRows, gradient: boolean, weights: Float64Array | undefined, naming: RowNaming): LikelihoodValues {
    const first = this.krylovFirst(thetas, gradient, weights);
    if (!first) return this.kernelRows(thetas, gradient, weights, naming);
    // Rows Krylov answered stay; the runs of rows between them are stepped as batches.
    const rows = thetas.rows, d = thetas.paramLength;
    const out = { logLik: new Float64Array(rows), gradient: gradient ? new Float64Array(rows * d) : null };
    let denseRows = 0, krylovRows = 0;
    for (let a = 0; a < rows;) {
      const row = first[a];
      if (row) {
        out.logLik[a] = row.logLik;
        if (out.gradient && row.gradient) out.gradient.set(row.gradient, a * d);
        krylovRows++;
        a++;
        continue;
      }
      let b = a;
      while (b < rows && !first[b]) b++;
      const part = this.kernelRows({ rows: b - a, paramLength: d, data: thetas.data.subarray(a * d, b * d) }, gradient, weights, { first: naming.first + a, of: naming.of });
      out.logLik.set(part.logLik, a);
      if (out.gradient && part.gradient) out.gradient.set(part.gradient, a * d);
      denseRows += this.denseRows;
      krylovRows += this.krylovRows;
      a = b;
    }
    if (first[rows - 1]) this.lastOther = 'krylov';
    this.denseRows = denseRows;
    this.krylovRows = krylovRows;
    return out;
  }

  /**
   * 'auto' on a continuous chain too large for dense matrices: the rows whose stepping would
   * take long (a cycle through fast states, observed late: stepping cannot slow below that
   * cycle's rate) tried by Krylov first, within a share of that stepping's estimated time.
   * Null when no row is; an entry is undefined where the row is left to the stepping (Krylov
   * would cost more, cannot answer, or the θ is one the kernel will name as bad).
   */
  private krylovFirst(thetas: ThetaRows, gradient: boolean, weights: Float64Array | undefined): (RowAnswer | undefined)[] | null {
    if (!this.krylovServes()) return null;
    const work = this.structure.col.length + this.structure.vertexCount;
    let answers: (RowAnswer | undefined)[] | null = null;
    const estimate = (rate: number) => rate * this.lastTime * work * (gradient ? STEP_NS.gradient : STEP_NS.value);
    for (let r = 0; r < thetas.rows; r++) {
      const theta = thetaRow(thetas, r);
      // Far below the threshold by a bound from the structure: no rates to compute (on rabbits
      // N = 200 they were a third of an evaluation).
      if (!(estimate(cyclingRateBound(this.structure, theta)) > KRYLOV_FIRST_NS)) continue;
      let csr: Csr;
      try {
        csr = ratesAt(this.structure, theta);
      } catch (e) {
        if (e instanceof GraphError) continue;
        throw e;
      }
      const ns = estimate(cyclingRate(csr));
      if (!(ns > KRYLOV_FIRST_NS)) continue;
      let row: KrylovRow;
      try {
        row = krylovLogLikelihood(this.structure, this.data, theta, gradient, weights, new KrylovMeter(KRYLOV_FIRST_SHARE * ns), csr);
      } catch (e) {
        if (e instanceof GraphError) continue;
        throw e;
      }
      if ('failed' in row) continue;
      (answers ??= new Array(thetas.rows))[r] = row;
    }
    return answers;
  }

  // The rows stepped by the kernel; those it refuses go dense (small chains) or to Krylov.
  private kernelRows(thetas: ThetaRows, gradient: boolean, weights: Float64Array | undefined, naming: RowNaming): LikelihoodValues {
    const k = this.k, d = thetas.paramLength, rows = thetas.rows, m = this.structure.col.length;
    const ptrs: number[] = [];
    const alloc = (bytes: number) => { const p = allocate(k, bytes); ptrs.push(p); return p; };
    // The data's own weights are staged before the call's go in, so that restoring them cannot fail.
    let own: [number, number] | null = null;
    try {
      if (weights) {
        const split = this.data.points.length;
        own = this.stageWeights(alloc, this.data.weights, this.data.censoredWeights);
        k.pk_lik_set_weights(this.ptr, ...this.stageWeights(alloc, weights.subarray(0, split), weights.subarray(split)));
      }
      const th = alloc(8 * Math.max(1, rows * d)), w = alloc(8 * Math.max(1, m)), wbar = alloc(8 * Math.max(1, m));
      const ll = alloc(8 * rows), grad = gradient ? alloc(8 * Math.max(1, rows * d)) : 0, status = alloc(4 * rows);
      f64View(k, th, rows * d).set(thetas.data);
      k.pk_lik_set_max_steps(this.ptr, gradient ? this.caps.gradient : this.caps.value);
      k.pk_lik_batch(this.ptr, d, this.par.base, this.par.coef, this.par.loopBase, this.par.loopCoef, this.par.hasOut,
        rows, th, w, wbar, ll, grad, status);
      const codes = new Int32Array(k.memory.buffer, status, rows).slice();
      const out = { logLik: f64View(k, ll, rows).slice(), gradient: gradient ? f64View(k, grad, rows * d).slice() : null };
      this.lastOther = null;
      this.denseRows = 0;
      this.krylovRows = 0;
      for (let r = 0; r < rows; r++) {
        // −∞ from the kernel is an answer (a density at t = 0, a pmf of 0): a probability it
        // lost, one that is positive, comes as LOST.
        if (codes[r] === 0) continue;
        // A start that leads only to absorption at this θ: T = 0 surely, so every density and
        // survival at t > 0 is exactly 0, an answer (as a density at t = 0 is), not a loss.
        if (codes[r] !== 1 && !this.structure.discrete && transientMass(this.structure, thetaRow(thetas, r)) === 0) {
          out.logLik[r] = -Infinity;
          out.gradient?.fill(0, r * d, (r + 1) * d);
          continue;
        }
        if (codes[r] === PAST_MAX_STEPS && this.krylovServes()) {
          const row = this.krylovRow(thetas, r, gradient, weights, naming);
          out.logLik[r] = row.logLik;
          if (out.gradient && row.gradient) out.gradient.set(row.gradient, r * d);
          this.lastOther = r === rows - 1 ? 'krylov' : null;
          this.krylovRows++;
          continue;
        }
        if (!DENSE_CODES.has(codes[r]) || !denseFits(this.structure)) {
          // On a small chain, a row past maxSteps (or past what dense matrices cost), or past the
          // kernel's memory: dense matrices, at a cost in log λt.
          this.refuse(thetas, r, codes[r], naming);
        }
        const split = this.data.points.length;
        const pw = weights?.subarray(0, split), cw = weights?.subarray(split);
        // Far in the tail (log f below about −708) dense matrices underflow: the row again,
        // its matrices and vectors kept in scale (exact there, at the same cost in log λt). A
        // row the kernel LOST holds a probability below what its stepping keeps: in scale at once.
        const lost = codes[r] === LOST;
        let row = this.denseRow(thetas, r, gradient, naming, { pw, cw, scaled: lost });
        if (underflowed(row)) {
          if (!lost) row = this.denseRow(thetas, r, gradient, naming, { pw, cw, scaled: true });
          // A continuous density is positive at every t > 0 (each transient state reaches
          // absorption): 0 here is a loss, not an answer. A pmf can be 0: it stands.
          if (!this.structure.discrete && underflowed(row)) this.refuseUnderflow(r, naming, row);
        }
        out.logLik[r] = row.logLik;
        if (out.gradient && row.gradient) out.gradient.set(row.gradient, r * d);
        this.lastOther = r === rows - 1 ? 'dense' : null;
        this.denseRows++;
      }
      return out;
    } finally {
      if (own) k.pk_lik_set_weights(this.ptr, ...own);
      for (const p of ptrs) k.pk_free(p);
    }
  }

  // Weights of the points and of the censored points, copied into kernel memory.
  private stageWeights(alloc: (bytes: number) => number, pw: Float64Array, cw: Float64Array): [number, number] {
    const a = alloc(8 * Math.max(1, pw.length)), b = alloc(8 * Math.max(1, cw.length));
    f64View(this.k, a, pw.length).set(pw);
    f64View(this.k, b, cw.length).set(cw);
    return [a, b];
  }

  /** What the last evaluation (of its last row) did. */
  lastRun(): LikelihoodRun {
    const ptr = this.ptr, levels = this.k.pk_lik_levels(ptr);
    if (this.lastOther) return { steps: 0, lambda: this.k.pk_lik_lambda(ptr), method: this.lastOther, levels: 0 };
    return { steps: this.k.pk_lik_steps(ptr), lambda: this.k.pk_lik_lambda(ptr), method: levels > 0 ? 'adaptive' : 'uniformisation', levels };
  }

  /** Frees kernel memory now. */
  dispose(): void {
    if (this.ptr === 0) return;
    registry.unregister(this);
    this.k.pk_lik_free(this.ptr);
    this.ptr = 0;
    releaseParameterisation(this);
  }

  // Rows of times past maxSteps on a continuous chain too large for dense matrices ('auto'):
  // Krylov, whose cost does not grow with λt.
  private krylovServes(): boolean {
    return this.method === 'auto' && !this.structure.discrete && this.data.kind === 'times' && !denseFits(this.structure);
  }

  // One row by Krylov; where it cannot answer, WORK_LIMIT saying why, the row named as in the batch.
  private krylovRow(thetas: ThetaRows, r: number, gradient: boolean, weights: Float64Array | undefined, naming: RowNaming): RowAnswer {
    const where = naming.of > 1 ? `θ row ${naming.first + r}: ` : '';
    let row: KrylovRow;
    try {
      row = krylovLogLikelihood(this.structure, this.data, thetaRow(thetas, r), gradient, weights);
    } catch (e) {
      if (e instanceof GraphError && naming.of > 1) throw new GraphError(e.code, where + e.message, { vertex: e.vertex, edge: e.edge });
      throw e;
    }
    if ('failed' in row)
      throw new GraphError('WORK_LIMIT', `${where}the likelihood needs more than maxSteps = ${this.limits.maxSteps ?? DEFAULT_MAX_STEPS} steps of the chain, with ${transientCount(this.structure)} transient states it is too large for dense matrices (at most ${DENSE_MAX_STATES}), and shift-and-invert Krylov ${row.failed}; raise limits.maxSteps, or rescale time`);
    return row;
  }

  // One row by dense matrices; its errors name the row as in the batch.
  private denseRow(thetas: ThetaRows, r: number, gradient: boolean, naming: RowNaming, options: DenseOptions) {
    try {
      return denseLogLikelihood(this.structure, this.data, thetaRow(thetas, r), gradient, options);
    } catch (e) {
      if (e instanceof GraphError && naming.of > 1) throw new GraphError(e.code, `θ row ${naming.first + r}: ${e.message}`);
      throw e;
    }
  }

  // A continuous row whose density lost every digit even in scale: its states' probabilities
  // spread wider than the doubles (2¹⁰⁷⁴ between the largest and those that absorb).
  private refuseUnderflow(r: number, naming: RowNaming, row: DenseLogLikelihood): never {
    const where = naming.of > 1 ? `θ row ${naming.first + r}: ` : '';
    const what = row.lost ? `the ${row.lost.censored ? 'survival' : 'density'} at ${row.lost.censored ? 'censored ' : ''}time ${row.lost.at}` : 'a density here';
    throw new GraphError('WORK_LIMIT', `${where}${what} is too small to represent even with dense matrices kept in scale (the probabilities of the chain's states at that time spread wider than doubles hold: a time far shorter or longer than the chain's rates); rescale the rates or time`);
  }

  // Which observation row r lost (the kernel keeps it for the last row it ran): the row again, alone.
  private lostAt(thetas: ThetaRows, r: number): number {
    const k = this.k, d = thetas.paramLength, m = this.structure.col.length, ptrs: number[] = [];
    const alloc = (bytes: number) => { const p = allocate(k, bytes); ptrs.push(p); return p; };
    try {
      const th = alloc(8 * Math.max(1, d)), w = alloc(8 * Math.max(1, m)), ll = alloc(8), status = alloc(4);
      f64View(k, th, d).set(thetaRow(thetas, r));
      k.pk_lik_batch(this.ptr, d, this.par.base, this.par.coef, this.par.loopBase, this.par.loopCoef, this.par.hasOut, 1, th, w, w, ll, 0, status);
      return k.pk_lik_lost_at(this.ptr);
    } finally {
      for (const p of ptrs) k.pk_free(p);
    }
  }

  // A row the kernel refused: the JavaScript validator names the problem.
  private refuse(thetas: ThetaRows, r: number, code: number, naming: RowNaming): never {
    const where = naming.of > 1 ? `θ row ${naming.first + r}: ` : '';
    if (code === 1) {
      try {
        canonicalRates(this.structure, thetaRow(thetas, r));
      } catch (e) {
        if (e instanceof GraphError) throw new GraphError(e.code, where + e.message, { vertex: e.vertex, edge: e.edge });
        throw e;
      }
      throw new GraphError('BAD_THETA', `${where}the rates at this θ fail the graph format's checks`);
    }
    const limits = { maxSteps: this.limits.maxSteps ?? DEFAULT_MAX_STEPS, maxMemoryBytes: this.limits.maxMemoryBytes ?? DEFAULT_MAX_BYTES };
    if (code === 3) throw new GraphError('WORK_LIMIT', `${where}the likelihood needs more than maxSteps = ${limits.maxSteps} steps of the chain (largest exit rate × largest time), and with ${transientCount(this.structure)} transient states it is too large for dense matrices (at most ${DENSE_MAX_STATES}); raise limits.maxSteps, or rescale time`);
    if (code === 5) throw new GraphError('WORK_LIMIT', `${where}the gradient needs more than maxMemoryBytes = ${limits.maxMemoryBytes} bytes even with checkpoints; raise limits.maxMemoryBytes`);
    if (code === LOST) {
      const at = this.lostAt(thetas, r), censored = at >= this.data.points.length;
      const t = censored ? this.data.censored[at - this.data.points.length] : this.data.points[at];
      const mu = this.k.pk_lik_lambda(this.ptr) * t;
      const why = `largest exit rate × time ${mu > 0 ? mu.toExponential(2) : 'under 5e-324'}: its terms lost every digit, a time far shorter or longer than the chain's rates`;
      throw new GraphError('WORK_LIMIT', `${where}the ${censored ? 'survival at censored' : 'density at'} time ${t} is beyond the kernel's stepping (${why}), and with ${transientCount(this.structure)} transient states the chain is too large for dense matrices (at most ${DENSE_MAX_STATES}); rescale time`);
    }
    throw new KernelError('OUT_OF_MEMORY', `${where}the kernel ran out of memory computing the likelihood`);
  }
}
