// The direct path: a graph's rates at one θ and their elimination (made on
// first use), with every quantity computed from them. The user-facing Graph's
// methods are thin calls into this; the direct evaluator uses it row by row.
import type { Elimination } from '../kernel/elimination.js';
import { eliminate } from '../kernel/elimination.js';
import { KernelRates, kernelRatesAt } from '../kernel/rates-at.js';
import type { Csr } from '../graph/rates.js';
import type { StateGraph } from '../graph/state-graph.js';
import type { Structure } from '../graph/structure.js';
import { checkMomentCount, checkTheta } from '../graph/arguments.js';
import { checkFinite, GraphError } from '../errors/index.js';
import * as moments from '../moments/moments.js';
import * as dist from '../distributions/distribution.js';
import type { DistributionLimits } from '../distributions/distribution.js';
import { sampleAbsorption, type SampleOptions } from '../sampling/sample.js';

/** A graph at one θ: the validated rates, and the elimination made from them on first use. */
export class GraphAtTheta {
  /** The rates at θ (validated). */
  readonly csr: Csr;
  /** θ, checked. */
  readonly theta: Float64Array;
  private elim: Elimination | null = null;
  private readonly structure: Structure;

  constructor(readonly graph: StateGraph, theta: ArrayLike<number> | undefined) {
    this.theta = checkTheta(graph.paramLength, theta);
    this.structure = graph.structure();
    this.csr = kernelRatesAt(this.structure, this.theta) ?? graph.csrAt(this.theta);
  }

  /** Whether this is `graph` as it is now (not edited since) at exactly `theta`. */
  matches(graph: StateGraph, theta: ArrayLike<number> | undefined): boolean {
    if (graph !== this.graph || graph.structure() !== this.structure) return false;
    const t = theta ?? [];
    if (t.length !== this.theta.length) return false;
    for (let i = 0; i < t.length; i++) if (!Object.is(t[i], this.theta[i])) return false;
    return true;
  }

  /** The elimination at θ (made once). */
  get elimination(): Elimination {
    this.elim ??= eliminate(this.csr);
    return this.elim;
  }

  /** Raw moments E[R], …, E[R^k] of the reward accumulated under `rewards` (checked by the caller). */
  moments(k: number, rewards: Float64Array): number[] {
    return checkFinite(moments.rewardMoments(this.elimination, this.csr, rewards, checkMomentCount(k)), 'a moment');
  }

  /** Cov(R_A, R_B). */
  covariance(a: Float64Array, b: Float64Array): number {
    return checkFinite([moments.rewardCovariance(this.elimination, this.csr, a, b)], 'the covariance')[0];
  }

  /** Expected total time (discrete: steps) in each vertex. */
  sojournTimes(): Float64Array {
    return checkFinite(moments.sojournTimes(this.elimination), 'a sojourn time');
  }

  /** Expected entries into each vertex. */
  expectedVisits(): Float64Array {
    return checkFinite(moments.expectedVisits(this.elimination, this.csr), 'an expected number of visits');
  }

  /** Density at each time (continuous graphs). */
  pdf(times: ArrayLike<number>, limits: DistributionLimits = {}): Float64Array {
    if (this.csr.discrete) throw new GraphError('WRONG_KIND', 'pdf is for continuous graphs; use pmf for a discrete one');
    return checkFinite(dist.continuousDistribution(this.csr, times, limits).pdf, 'the density');
  }

  /** P(T ≤ t), or P(τ ≤ k) for discrete graphs. */
  cdf(points: ArrayLike<number>, limits: DistributionLimits = {}): Float64Array {
    return this.csr.discrete ? dist.discreteDistribution(this.csr, points, limits).cdf : dist.continuousDistribution(this.csr, points, limits).cdf;
  }

  /** P(τ = k) (discrete graphs). */
  pmf(steps: ArrayLike<number>, limits: DistributionLimits = {}): Float64Array {
    if (!this.csr.discrete) throw new GraphError('WRONG_KIND', 'pmf is for discrete graphs; use pdf for a continuous one');
    return dist.discreteDistribution(this.csr, steps, limits).pmf;
  }

  /** n draws of the accumulated reward. */
  sample(n: number, rewards: Float64Array, options: SampleOptions): Float64Array {
    if (!Number.isInteger(n) || n < 0) throw new GraphError('BAD_ARGUMENT', `sample(n) needs an integer n ≥ 0, got ${n}`);
    return sampleAbsorption(this.csr, n, rewards, options);
  }

  /** Frees the elimination's and the rates' kernel memory now (the rates stay readable). */
  dispose(): void {
    this.elim?.dispose();
    this.elim = null;
    if (this.csr instanceof KernelRates) this.csr.dispose();
  }
}
