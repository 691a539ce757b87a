// The user-facing Graph: the state-space graph (src/graph/) plus its
// distribution, computed at one θ at a time on the direct path. Every method
// here is a thin call into src/evaluate/; the last θ's elimination is kept so
// that moments, covariances and sojourn times at one θ eliminate once.
import { StateGraph, type GraphClass } from '../graph/state-graph.js';
import type { FromJSONOptions, GraphJSON } from '../graph/json.js';
import { kernelIfReady } from '../kernel/module.js';
import { withMemoryRetry } from '../kernel/residency.js';
import { readGraphJSONText } from '../kernel/json-reader.js';

import { forwardMomentsOf, GraphAtTheta } from '../evaluate/graph-at-theta.js';
import type { SampleOptions } from '../sampling/sample.js';
import type { DistributionLimits } from '../distributions/distribution.js';
import type { DistributionReporting } from '../distributions/progress.js';

/** Where a computation is evaluated. */
export interface AtTheta {
  /** Parameter vector θ (paramLength numbers; omit when paramLength is 0). */
  theta?: ArrayLike<number>;
}

/** Options of pdf, cdf and pmf: θ, a bound on the work, and progress reports. */
export interface DistributionOptions extends AtTheta, DistributionLimits, DistributionReporting {}

/** Options of reward-aware computations. */
export interface RewardOptions extends AtTheta {
  /** One reward per vertex (start and absorbing entries are ignored). Default: all 1 (plain absorption time). */
  rewards?: ArrayLike<number>;
}

/** A phase-type distribution as a state-space graph, with its moments, distribution and samples at any θ. */
export class Graph extends StateGraph {
  private last: GraphAtTheta | null = null;

  /**
   * Reads the graph JSON format (../shared/graph-format.md), validating everything. Text is
   * read by the kernel once it is loaded (a fast path for the usual shape); anything it does
   * not handle, and every error, goes through the TypeScript reader.
   */
  static override fromJSON<G extends StateGraph>(this: GraphClass<G>, json: GraphJSON | string, options: FromJSONOptions = {}): G {
    const k = typeof json === 'string' ? kernelIfReady() : null;
    let graph: G | null = null;
    try {
      // fromBuffers copies the kernel's arrays and validates them like any other buffers.
      if (k) graph = readGraphJSONText(k, json as string, (b) => (this as unknown as typeof StateGraph).fromBuffers(b) as G);
    } catch {
      // Parsed but invalid (a repeated state, an edge into the start…): the TypeScript reader names the problem.
    }
    if (graph === null) return StateGraph.fromJSON.call(this, json, options) as G;
    const total = graph.vertexCount + graph.edgeCount;
    options.onProgress?.({ done: total, total });
    return graph;
  }

  /** The graph at θ: validated rates and (on first use) their elimination; kept until θ or the graph changes. */
  at(theta?: ArrayLike<number>): GraphAtTheta {
    if (this.last?.matches(this, theta)) return this.last;
    const next = new GraphAtTheta(this, theta);
    this.last?.dispose();
    this.last = next;
    return next;
  }

  /** E[T] (or E[Σ reward], with rewards). */
  expectation(options: RewardOptions = {}): number {
    return this.moments(1, options)[0];
  }

  /** Var[T] (or of the accumulated reward). */
  variance(options: RewardOptions = {}): number {
    const [m1, m2] = this.moments(2, options);
    return m2 - m1 * m1;
  }

  /** Raw moments E[T], E[T²], …, E[T^k] (of the accumulated reward, with rewards; discrete: of the number of steps). */
  moments(k: number, options: RewardOptions = {}): number[] {
    // A graph whose edges all go forward needs neither rates kept nor an elimination (unless
    // this θ's are kept already): its moments straight from the structure, the same bits.
    const rewards = this.rewardVector(options.rewards);
    const direct = this.last?.matches(this, options.theta) ? null : forwardMomentsOf(this, options.theta, rewards, k);
    return direct ?? this.atTheta(options.theta, (at) => at.moments(k, rewards));
  }

  /** Cov(R_A, R_B) of the rewards accumulated under two reward vectors. */
  covariance(rewardsA: ArrayLike<number>, rewardsB: ArrayLike<number>, options: AtTheta = {}): number {
    return this.atTheta(options.theta, (at) => at.covariance(this.rewardVector(rewardsA), this.rewardVector(rewardsB)));
  }

  /** Expected total time spent in each vertex (discrete: steps); 0 for start and absorbing vertices. */
  sojournTimes(options: AtTheta = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.sojournTimes());
  }

  /** Expected number of entries into each vertex (absorbing ones: the probability of ending there; start: 1). */
  expectedVisits(options: AtTheta = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.expectedVisits());
  }

  /** Density of the absorption time at each time (continuous graphs), by uniformisation. */
  pdf(times: ArrayLike<number>, options: DistributionOptions = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.pdf(times, options));
  }

  /** P(T ≤ t) for continuous graphs, or P(τ ≤ k) for discrete ones (steps). */
  cdf(times: ArrayLike<number>, options: DistributionOptions = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.cdf(times, options));
  }

  /**
   * The density and the cdf at each point from one computation, for the price of one of them:
   * continuous graphs, pdf and P(T ≤ t) at times; discrete ones, pmf and P(τ ≤ k) at steps.
   */
  distribution(points: ArrayLike<number>, options: DistributionOptions = {}): { density: Float64Array; cdf: Float64Array } {
    return this.atTheta(options.theta, (at) => at.distribution(points, options));
  }

  /** P(τ = k) for discrete graphs. */
  pmf(steps: ArrayLike<number>, options: DistributionOptions = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.pmf(steps, options));
  }

  /** n draws of the absorption time (or accumulated reward); seedable. */
  sample(n: number, options: SampleOptions & RewardOptions = {}): Float64Array {
    return this.atTheta(options.theta, (at) => at.sample(n, this.rewardVector(options.rewards), options));
  }

  // `compute` on the graph at θ. Kernel memory ran out: what only speeds things up (this
  // graph's kept elimination and rates, other graphs' too, parameterisations not held) is
  // released, and the call, which has unwound and holds none of it, runs once more.
  // coalescent n = 69's pdf after its E[T] needed this: the kept elimination alone took
  // 1.1 GB of the 4 GiB.
  private atTheta<T>(theta: ArrayLike<number> | undefined, compute: (at: GraphAtTheta) => T): T {
    return withMemoryRetry(() => compute(this.at(theta)), () => this.dispose());
  }

  /** Frees the kernel memory of the kept elimination now (it is also freed by garbage collection). */
  dispose(): void {
    this.last?.dispose();
    this.last = null;
  }
}

