// A trace bound to one graph's parameterisation: canonical weights
// w = b + C·θ (parallel edges summed), so θ enters outside the trace and
// gradients with respect to θ follow by the chain rule, θ̄ = Cᵀ w̄.
import { checkFinite, GraphError, TraceError } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import { canonicalRates } from '../graph/rates.js';
import { checkMomentCount, checkTheta, checkThetaRows, thetaRow } from '../graph/arguments.js';
import type { Structure } from '../graph/structure.js';
import type { Trace } from '../trace/trace.js';
import { sameInt32 } from '../kernel/compare.js';
import { withMemoryRetry } from '../kernel/residency.js';
import { kernelParameterisation, type KernelParameterisation } from '../kernel/parameterisation.js';
import { MomentLanes } from '../trace/trace-lanes.js';

/** Where a trace model is evaluated, and with which rewards. */
export interface ModelOptions {
  /** θ (paramLength numbers; omit when paramLength is 0). */
  theta?: ArrayLike<number>;
  /** One reward per vertex. Default all 1 (the absorption time). */
  rewards?: ArrayLike<number>;
}

/** Options of {@link TraceModel.gradient}. */
export interface ModelGradientOptions extends ModelOptions {
  /** Differentiate Σ seed[j]·E[R^(j+1)] in one backward pass instead of each moment separately. */
  seed?: ArrayLike<number>;
  /** Also answer the gradients with respect to each canonical edge weight (a copy of one value per edge and moment). Default false. */
  inputGradients?: boolean;
}

/** Options of {@link TraceModel.momentsBatch}. */
export interface ModelBatchOptions {
  /** θ rows, row-major (see the θ convention in the README); omit when paramLength is 0. */
  thetas?: Float64Array;
  /** One reward per vertex. Default all 1. */
  rewards?: ArrayLike<number>;
}

/** Moments and gradients with respect to θ. */
export interface ThetaGradient {
  /** E[R^1..R^k]. */
  moments: number[];
  /** gradients[j][i] = ∂E[R^(j+1)]/∂θ_i (one entry when seeded). */
  gradients: Float64Array[];
  /** The same with respect to each canonical edge weight, when asked for (options.inputGradients); else empty. */
  inputGradients: Float64Array[];
}

/** One graph's moments and their gradients for any θ, from its structure's trace (made by {@link compile}). */
export class TraceModel {
  /** Length of θ. */
  readonly paramLength: number;
  private readonly coefficients: Float64Array;

  constructor(readonly trace: Trace, private readonly graph: StateGraph, private readonly structure: Structure = graph.structure()) {
    if (!sameStructure(trace, structure))
      throw new TraceError('STRUCTURE_MISMATCH', 'this trace was recorded on a different graph structure');
    this.paramLength = graph.paramLength;
    this.coefficients = structure.coef;
  }

  /** Canonical edge weights at θ (validated like the direct path). */
  weightsAt(theta?: ArrayLike<number>): Float64Array {
    return canonicalRates(this.structure, this.checkedTheta(theta));
  }

  /** Whether this model answers for `graph` as it is now. */
  isFor(graph: StateGraph): boolean {
    return graph === this.graph && graph.structure() === this.structure;
  }

  /** The same trace bound to another graph of the same structure (its own rates). */
  rebind(graph: StateGraph): TraceModel {
    return new TraceModel(this.trace, graph);
  }

  // The evaluator captured the graph's rates when it was made; a graph edited since
  // would be answered from stale rates, so it is refused instead.
  private checkFresh(): void {
    if (this.graph.structure() !== this.structure)
      throw new GraphError('STALE', 'the graph changed after compile(); compile it again for its new edges or rates');
  }

  // θ checked, for a model that still answers for its graph.
  private checkedTheta(theta: ArrayLike<number> | undefined): Float64Array {
    this.checkFresh();
    return checkTheta(this.paramLength, theta);
  }

  /**
   * θ checked, and the weights at θ computed and checked by the kernel straight into the
   * trace's buffer. `inBuffer` is false when the kernel refused them: the JS validator
   * (canonicalRates) then names the edge or vertex at fault.
   */
  private kernelWeights(theta: ArrayLike<number> | undefined): { t: Float64Array; inBuffer: boolean; kp: KernelParameterisation } {
    const t = this.checkedTheta(theta);
    const kp = kernelParameterisation(this.structure);
    return { t, inBuffer: kp.ratesInto(t, this.trace.weightBuffer()), kp };
  }

  /** Raw moments E[R], …, E[R^k] at θ. */
  moments(k: number, options: ModelOptions = {}): number[] {
    // Out of kernel memory: the caches are given back and the call runs once more (as for
    // every computation below that works in the kernel).
    return withMemoryRetry(() => {
      const o = { k, rewards: options.rewards };
      // E[R] of a structure whose edges all go forward (the coalescent) needs neither the tape
      // nor its weights: one pass from the structure, the same bits, a little faster (coalescent
      // n = 20…40: 0.040–3.96 against 0.053–4.27 ms). Higher moments replay the evaluated tape,
      // which beat repeating the forward pass's rates and divisions per moment (n ≤ 35).
      const forward = k === 1 ? this.trace.forwardMoments(this.structure, this.checkedTheta(options.theta), o) : null;
      if (forward) return checkFinite(forward, 'a moment');
      const { t, inBuffer } = this.kernelWeights(options.theta);
      if (inBuffer) return checkFinite(this.trace.momentsFromBuffer(o), 'a moment');
      return checkFinite(this.trace.momentsChecked(canonicalRates(this.structure, t), o), 'a moment');
    });
  }

  /** E[T] (or of the accumulated reward) at θ. */
  expectation(options: ModelOptions = {}): number {
    return this.moments(1, options)[0];
  }

  /** Var at θ. */
  variance(options: ModelOptions = {}): number {
    const [m1, m2] = this.moments(2, options);
    return m2 - m1 * m1;
  }

  /** Cov of two reward vectors at θ. */
  covariance(rewardsA: ArrayLike<number>, rewardsB: ArrayLike<number>, options: { theta?: ArrayLike<number> } = {}): number {
    return withMemoryRetry(() => this.trace.covariance(this.weightsAt(options.theta), rewardsA, rewardsB));
  }

  /** Moments E[R^1..R^k] at θ and their gradients with respect to θ (reverse mode, chain rule through w = b + Cθ). */
  gradient(k: number, options: ModelGradientOptions = {}): ThetaGradient {
    const out = withMemoryRetry(() => this.gradientOnce(k, options));
    // An overflow is an error on every path (OVERFLOW), never an Infinity or NaN answered.
    checkFinite(out.moments, 'a moment');
    for (const g of out.gradients) checkFinite(g, 'a gradient');
    return out;
  }

  private gradientOnce(k: number, options: ModelGradientOptions): ThetaGradient {
    // ∂E[R]/∂θ of a structure whose edges all go forward (the coalescent): the forward pass
    // and one reverse pass over the edges, without the tape (equal to its gradient to rounding).
    if (k === 1 && options.seed === undefined && options.inputGradients !== true) {
      const forward = this.trace.forwardGradient(this.structure, this.checkedTheta(options.theta), options.rewards);
      if (forward) return { moments: [forward.value], gradients: [forward.gradient], inputGradients: [] };
    }
    const { t, inBuffer, kp } = this.kernelWeights(options.theta);
    // With cycles: the evaluated tape, then solves and one pass over the edges, no reverse pass
    // over the tape (equal to its gradient to rounding; see docs/traces.md for the cost).
    if (inBuffer && options.inputGradients !== true && !this.trace.discrete) {
      const { moments, gradients } = this.trace.momentGradientsFromBuffer({ k, rewards: options.rewards, seed: options.seed },
        { rowPtr: kp.rowPtr, col: kp.col, coef: kp.coef, paramLength: this.paramLength });
      return { moments, gradients, inputGradients: [] };
    }
    const o = { k, rewards: options.rewards, seed: options.seed };
    if (inBuffer) {
      // θ̄ = Cᵀw̄ in the kernel, while w̄ is there.
      const { moments, gradients, thetaGradients } = this.trace.gradientFromBuffer(o, undefined, { coef: kp.coef, paramLength: this.paramLength, inputs: options.inputGradients === true });
      return { moments, gradients: thetaGradients!, inputGradients: gradients };
    }
    const { moments, gradients } = this.trace.gradient(canonicalRates(this.structure, t), o);
    const thetaGradients = gradients.map((wbar) => chainToTheta(wbar, this.coefficients, this.paramLength));
    return { moments, gradients: thetaGradients, inputGradients: options.inputGradients === true ? gradients : [] };
  }

  /** Moments at many θ: row r of the result (k values) is E[R^1..R^k] at θ row r. */
  momentsBatch(k: number, options: ModelBatchOptions = {}): Float64Array {
    checkMomentCount(k);
    const batch = checkThetaRows(this.paramLength, options.thetas);
    const { rows } = batch, rewards = options.rewards;
    const out = new Float64Array(rows * k);
    const one = (r: number) => out.set(this.moments(k, { theta: thetaRow(batch, r), rewards }), r * k);
    this.checkFresh();
    // LANES rows at a time (the same bits as one at a time, faster per row). A row the lanes
    // refuse (a rate fails a check, an inverse meets a non-positive number) is evaluated alone,
    // which names the problem.
    const lanes = rows > 1 && !this.trace.discrete
      ? new MomentLanes({ structure: this.structure, trace: this.trace, parameterisation: () => kernelParameterisation(this.structure) }, k, this.graph.rewardVector(rewards))
      : null;
    try {
      if (lanes) lanes.rows(batch, 0, rows, (r, moments) => out.set(checkFinite(moments, 'a moment'), r * k), one);
      else for (let r = 0; r < rows; r++) one(r);
    } finally {
      lanes?.dispose();
    }
    return out;
  }
}

// The trace each structure last matched: compile() checks a stored trace against the
// structure, then the model it makes checks again; the second comparison of every edge is skipped.
const matched = new WeakMap<Structure, Trace>();

/** Whether `trace` was recorded on `s` (same vertices, kind and canonical edges). */
export function sameStructure(trace: Trace, s: Structure): boolean {
  if (matched.get(s) === trace || (trace.rowPtr === s.rowPtr && trace.col === s.col && trace.vertexCount === s.vertexCount && trace.discrete === s.discrete)) return true;
  if (trace.vertexCount !== s.vertexCount || trace.discrete !== s.discrete || trace.col.length !== s.col.length) return false;
  if (!sameInt32(trace.rowPtr, s.rowPtr) || !sameInt32(trace.col, s.col)) return false;
  matched.set(s, trace);
  return true;
}

/** ∂/∂θ_i = Σ_e C[e, i] · ∂/∂w_e: the chain rule through w = b + Cθ (C row-major, p per edge). */
function chainToTheta(wbar: Float64Array, C: Float64Array, p: number): Float64Array {
  const g = new Float64Array(p);
  if (p === 1) {
    let sum = 0;
    for (let e = 0; e < wbar.length; e++) sum += C[e] * wbar[e];
    g[0] = sum;
    return g;
  }
  for (let e = 0, c = 0; e < wbar.length; e++) {
    const x = wbar[e];
    if (x === 0) { c += p; continue; }
    for (let i = 0; i < p; i++, c++) g[i] += C[c] * x;
  }
  return g;
}
