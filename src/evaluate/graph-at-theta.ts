// The direct path: a graph's rates at one θ and their elimination (made on
// first use), with every quantity computed from them. The user-facing Graph's
// methods are thin calls into this; the direct evaluator uses it row by row.
import type { Elimination } from '../kernel/elimination.js';
import { eliminate } from '../kernel/elimination.js';
import { KernelRates, kernelRatesAt, releaseRates, type RatesMemory } from '../kernel/rates-at.js';
import { forwardMoments, forwardMomentsAt } from '../kernel/forward-moments.js';
import type { Csr } from '../graph/rates.js';
import type { StateGraph } from '../graph/state-graph.js';
import type { Structure } from '../graph/structure.js';
import { checkMomentCount, checkTheta } from '../graph/arguments.js';
import { checkFinite, GraphError } from '../errors/index.js';
import * as moments from '../moments/moments.js';
import * as dist from '../distributions/distribution.js';
import type { DistributionLimits } from '../distributions/distribution.js';
import type { DistributionReporting } from '../distributions/progress.js';
import { sampleAbsorption, type SampleOptions } from '../sampling/sample.js';
import { admit, forget, touch, type Resident } from '../kernel/residency.js';

// A memo's kernel memory (its rates and elimination), counted with the other kernel
// residents and released under pressure: the rates are then read from JS and the
// elimination made again on next use. It refers to no graph, so counting it keeps none alive.
interface MemoMemory extends Resident { elim: Elimination | null; rates: RatesMemory | null; handedOut: boolean }
const memos = new FinalizationRegistry<MemoMemory>((memory) => memory.release());
function memoMemory(rates: RatesMemory | null): MemoMemory {
  const memory: MemoMemory = {
    bytes: 0, elim: null, rates, handedOut: false,
    // A handed-out elimination may be kept by the caller: pressure leaves it be.
    pinned: () => memory.handedOut,
    release: () => {
      forget(memory);
      memory.elim?.dispose();
      memory.elim = null;
      memory.handedOut = false;
      if (memory.rates) releaseRates(memory.rates);
    },
  };
  return memory;
}

/**
 * Raw moments E[R], …, E[R^k] of a graph whose edges all go forward (the coalescent), straight
 * from its structure: its rates are computed on the way and nothing is kept (no rates, no
 * elimination), the same bits as {@link GraphAtTheta.moments}. Null where that does not apply
 * or a rate fails its checks (GraphAtTheta then computes them, or names the problem).
 */
export function forwardMomentsOf(graph: StateGraph, theta: ArrayLike<number> | undefined, rewards: Float64Array, k: number): number[] | null {
  const moments = forwardMomentsAt(graph.structure(), checkTheta(graph.paramLength, theta), rewards, checkMomentCount(k));
  return moments && checkFinite(moments, 'a moment');
}

/** A graph at one θ: the validated rates, and the elimination made from them on first use. */
export class GraphAtTheta {
  /** The rates at θ (validated). */
  readonly csr: Csr;
  /** θ, checked. */
  readonly theta: Float64Array;
  private readonly structure: Structure;
  private readonly memory: MemoMemory;

  constructor(readonly graph: StateGraph, theta: ArrayLike<number> | undefined) {
    this.theta = checkTheta(graph.paramLength, theta);
    this.structure = graph.structure();
    this.csr = kernelRatesAt(this.structure, this.theta) ?? graph.csrAt(this.theta);
    this.memory = memoMemory(this.csr instanceof KernelRates ? this.csr.memory : null);
    memos.register(this, this.memory, this);
    this.count();
  }

  // Counts this memo's kernel bytes now (admitting it as the most recently used).
  private count(): void {
    const bytes = (this.csr instanceof KernelRates ? this.csr.kernelBytes : 0) + (this.memory.elim?.kernelBytes() ?? 0);
    if (bytes > 0) admit(this.memory, bytes);
  }

  /** Whether this is `graph` as it is now (not edited since) at exactly `theta`. */
  matches(graph: StateGraph, theta: ArrayLike<number> | undefined): boolean {
    if (graph !== this.graph || graph.structure() !== this.structure) return false;
    const t = theta ?? [];
    if (t.length !== this.theta.length) return false;
    for (let i = 0; i < t.length; i++) if (!Object.is(t[i], this.theta[i])) return false;
    return true;
  }

  /** The elimination at θ (made once; disposed when the graph moves to another θ). */
  get elimination(): Elimination {
    this.memory.handedOut = true;
    return this.eliminated();
  }

  /** Eliminates at θ now, if not done yet (for progress reports around the kernel call). */
  prepare(): void {
    this.eliminated();
  }

  // The elimination (released under memory pressure unless handed out, and then made again).
  private eliminated(): Elimination {
    let elim = this.memory.elim;
    if (elim) { touch(this.memory); return elim; }
    elim = this.memory.elim = eliminate(this.csr);
    this.count();
    return elim;
  }

  /** Raw moments E[R], …, E[R^k] of the reward accumulated under `rewards` (checked by the caller). */
  moments(k: number, rewards: Float64Array): number[] {
    const count = checkMomentCount(k);
    // A graph whose edges all go forward needs no elimination (unless one is kept already): the same bits.
    const direct = this.memory.elim ? null : forwardMoments(this.csr, rewards, count);
    return checkFinite(direct ?? moments.rewardMoments(this.eliminated(), this.csr, rewards, count), 'a moment');
  }

  /** Cov(R_A, R_B). */
  covariance(a: Float64Array, b: Float64Array): number {
    return checkFinite([moments.rewardCovariance(this.eliminated(), this.csr, a, b)], 'the covariance')[0];
  }

  /** Expected total time (discrete: steps) in each vertex. */
  sojournTimes(): Float64Array {
    return checkFinite(moments.sojournTimes(this.eliminated()), 'a sojourn time');
  }

  /** Expected entries into each vertex. */
  expectedVisits(): Float64Array {
    return checkFinite(moments.expectedVisits(this.eliminated(), this.csr), 'an expected number of visits');
  }

  /** Density at each time (continuous graphs). */
  pdf(times: ArrayLike<number>, limits: DistributionLimits & DistributionReporting = {}): Float64Array {
    if (this.csr.discrete) throw new GraphError('WRONG_KIND', 'pdf is for continuous graphs; use pmf for a discrete one');
    return this.distribution(times, limits).density;
  }

  /** P(T ≤ t), or P(τ ≤ k) for discrete graphs. */
  cdf(points: ArrayLike<number>, limits: DistributionLimits & DistributionReporting = {}): Float64Array {
    return this.csr.discrete ? dist.discreteDistribution(this.csr, points, limits).cdf : dist.continuousDistribution(this.csr, points, limits).cdf;
  }

  /** The density (continuous: pdf; discrete: pmf) and the cdf at each point, from one computation. */
  distribution(points: ArrayLike<number>, limits: DistributionLimits & DistributionReporting = {}): { density: Float64Array; cdf: Float64Array } {
    if (this.csr.discrete) {
      const { pmf, cdf } = dist.discreteDistribution(this.csr, points, limits);
      return { density: pmf, cdf };
    }
    const { pdf, cdf } = dist.continuousDistribution(this.csr, points, limits);
    return { density: checkFinite(pdf, 'the density'), cdf };
  }

  /** P(τ = k) (discrete graphs). */
  pmf(steps: ArrayLike<number>, limits: DistributionLimits & DistributionReporting = {}): Float64Array {
    if (!this.csr.discrete) throw new GraphError('WRONG_KIND', 'pmf is for discrete graphs; use pdf for a continuous one');
    return this.distribution(steps, limits).density;
  }

  /** n draws of the accumulated reward. */
  sample(n: number, rewards: Float64Array, options: SampleOptions): Float64Array {
    if (!Number.isInteger(n) || n < 0) throw new GraphError('BAD_ARGUMENT', `sample(n) needs an integer n ≥ 0, got ${n}`);
    return sampleAbsorption(this.csr, n, rewards, options);
  }

  /** Frees the elimination's and the rates' kernel memory now (the rates stay readable). */
  dispose(): void {
    memos.unregister(this);
    this.memory.release();
  }
}
