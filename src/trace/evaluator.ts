// A trace bound to one graph's parameterisation: canonical weights
// w = b + C·θ (parallel edges summed), so θ enters outside the trace and
// gradients with respect to θ follow by the chain rule, θ̄ = Cᵀ w̄.
import { GraphError, TraceError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import { canonicalRates, checkTheta } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import type { Trace, TraceGradientOptions, TraceMomentOptions } from './trace.js';
import { KernelParameterisation } from '../kernel/parameterisation.js';

/** Moments and gradients with respect to θ. */
export interface ThetaGradient {
  /** E[R^1..R^k]. */
  moments: number[];
  /** gradients[j][i] = ∂E[R^(j+1)]/∂θ_i (one entry when seeded). */
  gradients: Float64Array[];
  /** The same with respect to each canonical edge weight. */
  inputGradients: Float64Array[];
}

/** Evaluates one graph's moments for any θ from its structure's trace. */
export class TraceEvaluator {
  /** Length of θ. */
  readonly paramLength: number;
  private readonly coefficients: Float64Array;
  private kernelRates: KernelParameterisation | undefined;

  constructor(readonly trace: Trace, private readonly graph: Graph, private readonly structure: Structure = graph.structure()) {
    if (!sameStructure(trace, structure))
      throw new TraceError('STRUCTURE_MISMATCH', 'this trace was recorded on a different graph structure');
    this.paramLength = graph.paramLength;
    this.coefficients = structure.coef;
  }

  /** Canonical edge weights at θ (validated like the direct path). */
  weightsAt(theta?: ArrayLike<number>): Float64Array {
    this.checkFresh();
    return canonicalRates(this.structure, checkTheta(this.paramLength, theta));
  }

  // The evaluator captured the graph's rates when it was made; a graph edited since
  // would be answered from stale rates, so it is refused instead.
  private checkFresh(): void {
    if (this.graph.structure() !== this.structure)
      throw new GraphError('STALE', 'the graph changed after compile(); compile it again for its new edges or rates');
  }

  /** Raw moments at θ. */
  moments(theta: ArrayLike<number> | undefined, options: TraceMomentOptions = {}): number[] {
    this.checkFresh();
    const t = checkTheta(this.paramLength, theta);
    this.kernelRates ??= new KernelParameterisation(this.structure);
    // Fast path: weights computed and checked in the kernel; the JS validator explains failures.
    if (this.kernelRates.ratesInto(t, this.trace.weightBuffer())) return this.trace.momentsFromBuffer(options);
    return this.trace.momentsChecked(canonicalRates(this.structure, t), options);
  }

  /** E[T] (or of the accumulated reward) at θ. */
  expectation(theta?: ArrayLike<number>, options: Omit<TraceMomentOptions, 'k'> = {}): number {
    return this.moments(theta, { ...options, k: 1 })[0];
  }

  /** Var at θ. */
  variance(theta?: ArrayLike<number>, options: Omit<TraceMomentOptions, 'k'> = {}): number {
    const [m1, m2] = this.moments(theta, { ...options, k: 2 });
    return m2 - m1 * m1;
  }

  /** Cov of two reward vectors at θ. */
  covariance(theta: ArrayLike<number> | undefined, rewardsA: ArrayLike<number>, rewardsB: ArrayLike<number>): number {
    return this.trace.covariance(this.weightsAt(theta), rewardsA, rewardsB);
  }

  /** Moments and their gradients with respect to θ (reverse mode, chain rule through w = b + Cθ). */
  gradient(theta: ArrayLike<number> | undefined, options: TraceGradientOptions = {}): ThetaGradient {
    const { moments, gradients } = this.trace.gradient(this.weightsAt(theta), options);
    const p = this.paramLength, C = this.coefficients;
    const thetaGradients = gradients.map((wbar) => {
      const g = new Float64Array(p);
      for (let e = 0; e < wbar.length; e++) for (let i = 0; i < p; i++) g[i] += C[e * p + i] * wbar[e];
      return g;
    });
    return { moments, gradients: thetaGradients, inputGradients: gradients };
  }

  /** Moments for many θ at once: rows of `thetas` (each paramLength long) → rows of k moments. */
  momentsBatch(thetas: ArrayLike<ArrayLike<number>> | Float64Array, options: TraceMomentOptions = {}): Float64Array {
    const k = options.k ?? 1, p = this.paramLength;
    const rows = thetas instanceof Float64Array ? (p === 0 ? 0 : thetas.length / p) : thetas.length;
    if (thetas instanceof Float64Array && p > 0 && thetas.length % p !== 0)
      throw new GraphError('BAD_THETA', `a flat batch of θ needs a multiple of paramLength = ${p} values, got ${thetas.length}`);
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      const theta = thetas instanceof Float64Array ? thetas.subarray(i * p, (i + 1) * p) : thetas[i];
      out.set(this.moments(theta, options), i * k);
    }
    return out;
  }
}

function sameStructure(trace: Trace, s: Structure): boolean {
  if (trace.vertexCount !== s.vertexCount || trace.discrete !== s.discrete || trace.col.length !== s.col.length) return false;
  for (let i = 0; i < s.rowPtr.length; i++) if (trace.rowPtr[i] !== s.rowPtr[i]) return false;
  for (let i = 0; i < s.col.length; i++) if (trace.col[i] !== s.col[i]) return false;
  return true;
}
