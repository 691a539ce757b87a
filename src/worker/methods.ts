// Worker side: what a kernel worker can do, as a table of methods on a graph it
// holds. A new capability is one more entry here and one more method on Pool;
// the protocol, caching and fault handling stay as they are. Arguments follow
// the library's one convention: θ as `theta` (one) or `thetas` (a batch).
import type { DistributionLimits } from '../distributions/distribution.js';
import type { DistributionOptions, Graph } from '../phase-type/graph.js';
import { checkMomentCount, checkThetaRows, thetaRow } from '../graph/arguments.js';
import { decodeSpec } from '../evaluate/spec.js';
import { outputCount, type Target } from '../evaluate/target.js';
import { evaluatorSpec, liveEvaluator } from '../evaluator-cache/create-evaluator.js';
import { evaluatorCache } from '../evaluator-cache/default-evaluator-cache.js';
import { fitHere, type FitRequest } from '../inference/fit.js';
import type { SvgdResult } from '../inference/result.js';
import { PoolError } from '../pool/errors.js';
import { checkFinite, GraphError } from '../errors/index.js';
import { kernelParameterisation } from '../kernel/parameterisation.js';
import { MomentLanes } from '../trace/trace-lanes.js';
import { LANES } from '../kernel/module.js';
import { describeValue } from '../errors/describe.js';
import { coalescent, rabbits } from '../models/index.js';
import { exploreCoalescent } from '../models/coalescent.js';
import { exploreRabbits } from '../models/rabbits.js';
import type { ExploredModel } from '../models/kernel-explore.js';
import type { ModelArgs } from '../models/in-pool.js';
import type { EvaluateCompiledArgs, PreparedEvaluator, PrepareEvaluatorArgs } from '../pool/pool-evaluator.js';
import type { MethodTable, ProgressCallback } from '../pool/protocol.js';

/** θ and rewards, as they cross to the worker. */
export interface RewardArgs {
  theta?: ArrayLike<number>;
  rewards?: ArrayLike<number>;
}

/** Arguments of `moments`. */
export interface MomentsArgs extends RewardArgs {
  k: number;
}

/** Arguments of `pdf`, `cdf` and `pmf` (with the distribution's work bounds and method). */
export interface DistributionArgs extends DistributionLimits {
  theta?: ArrayLike<number>;
  /** Times (steps, for discrete graphs). */
  points: ArrayLike<number>;
}

/** Arguments of `momentsBatch`: one θ per row of `thetas` (row-major). */
export interface BatchArgs {
  thetas?: Float64Array;
  k: number;
  rewards?: ArrayLike<number>;
}

export type { EvaluateCompiledArgs, PrepareEvaluatorArgs } from '../pool/pool-evaluator.js';

const PROGRESS_INTERVAL_MS = 50;

/**
 * Fills one row of k moments per θ row, reporting rows done at most every PROGRESS_INTERVAL_MS:
 * through `lanes` LANES rows at a time where they apply, else (and for a row they refuse) by `row`.
 */
function momentsByRow(graph: Graph, args: BatchArgs, report: ProgressCallback, row: (theta: Float64Array) => number[], lanes: MomentLanes): Float64Array {
  const k = checkMomentCount(args.k);
  const batch = checkThetaRows(graph.paramLength, args.thetas);
  const out = new Float64Array(batch.rows * k);
  const alone = (r: number) => out.set(row(thetaRow(batch, r)), r * k);
  const step = batch.rows > 1 ? LANES : 1;
  let reported = performance.now();
  for (let r = 0; r < batch.rows; r += step) {
    const to = Math.min(batch.rows, r + step);
    if (step > 1) lanes.rows(batch, r, to, (q, moments) => out.set(checkFinite(moments, 'a moment'), q * k), alone);
    else alone(r);
    const now = performance.now();
    if (now - reported >= PROGRESS_INTERVAL_MS) {
      report({ phase: 'evaluate', done: to, total: batch.rows });
      reported = now;
    }
  }
  report({ phase: 'evaluate', done: batch.rows, total: batch.rows });
  return out;
}

/** Computes moments at θ, reporting the 'eliminate' phase before and after: the kernel call is one synchronous step (a forward graph's is no elimination at all). */
function eliminateReporting<T>(graph: Graph, report: ProgressCallback, compute: () => T): T {
  const total = graph.vertexCount;
  report({ phase: 'eliminate', done: 0, total });
  const out = compute();
  report({ phase: 'eliminate', done: total, total });
  return out;
}

/** A distribution's arguments with its progress (model time reached) reported as the 'evaluate' phase. */
function reportingTime(args: DistributionArgs, report: ProgressCallback): DistributionOptions {
  report({ phase: 'evaluate', done: 0, total: 0 });
  return { ...args, onProgress: ({ done, total }) => report({ phase: 'evaluate', done, total }) };
}

const BUILT_IN = { coalescent, rabbits } as const;
const EXPLORE = { coalescent: exploreCoalescent, rabbits: exploreRabbits } as const;

/** The kernel worker's methods: the modeling API of Graph, run where the graph lives. */
export const kernelMethods = {
  /** Builds a built-in model here (called through Pool.build, which has this worker keep it). */
  model(_graph: Graph | undefined, args: ModelArgs, report: ProgressCallback): Graph | ExploredModel {
    const name = args?.name;
    if (name !== 'coalescent' && name !== 'rabbits')
      throw new GraphError('BAD_ARGUMENT', `phasekit: no built-in model ${describeValue(name)} can be built in a worker (coalescent, rabbits)`);
    const options = { onProgress: ({ done, total }: { done: number; total: number }) => report({ phase: 'graph', done, total }) };
    // Left in kernel memory: the worker sends a copy first and makes its own after (GraphStore.keep).
    return EXPLORE[name](args.size, options) ?? BUILT_IN[name](args.size, options);
  },

  /** Raw moments E[T..T^k] (of the accumulated reward, with rewards). */
  moments(graph: Graph, args: MomentsArgs, report: ProgressCallback): number[] {
    return eliminateReporting(graph, report, () => graph.moments(args.k, args));
  },

  /** E[T] (or E[reward]). */
  expectation(graph: Graph, args: RewardArgs, report: ProgressCallback): number {
    return eliminateReporting(graph, report, () => graph.expectation(args));
  },

  /** Density of the absorption time. */
  pdf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return graph.pdf(args.points, reportingTime(args, report));
  },

  /** Distribution function of the absorption time (steps, for discrete graphs). */
  cdf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return graph.cdf(args.points, reportingTime(args, report));
  },

  /** Probability mass of the number of steps (discrete graphs). */
  pmf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return graph.pmf(args.points, reportingTime(args, report));
  },

  /** Density (pdf or pmf) and cdf from one computation. */
  distribution(graph: Graph, args: DistributionArgs, report: ProgressCallback): { density: Float64Array; cdf: Float64Array } {
    return graph.distribution(args.points, reportingTime(args, report));
  },

  /**
   * Moments at many θ, computed directly: row r of the result holds E[T..T^k] at θ row r. A graph
   * whose edges all go forward takes its rows four at a time (the forward pass in kernel lanes,
   * the same bits); others are eliminated row by row.
   */
  momentsBatch(graph: Graph, args: BatchArgs, report: ProgressCallback): Float64Array {
    const structure = graph.structure();
    // Forward lanes only (no trace here): a graph with an edge back goes row by row.
    const lanes = new MomentLanes({ structure, trace: null, parameterisation: () => kernelParameterisation(structure) },
      checkMomentCount(args.k), graph.rewardVector(args.rewards));
    try {
      return momentsByRow(graph, args, report, (theta) => graph.moments(args.k, { theta, rewards: args.rewards }), lanes);
    } finally {
      lanes.dispose();
    }
  },

  /**
   * Plans (or loads from layer 2) the evaluator of `target` on the graph, with its trace
   * when it eliminates, storing both in the shared tiers; answers its key and bytes.
   */
  async prepareEvaluator(graph: Graph, args: PrepareEvaluatorArgs, report: ProgressCallback): Promise<PreparedEvaluator> {
    report({ phase: 'trace', done: 0, total: 1 });
    const { spec, bytes, key } = await evaluatorSpec(graph, args.target as Target, args.backend);
    const entry = await evaluatorCache().getOrStore(key, () => ({ bytes, spec, verified: true }));
    await liveEvaluator(entry, key);
    report({ phase: 'trace', done: 1, total: 1 });
    return { key, spec: bytes, backend: spec.backend, paramLength: spec.structure.paramLength, outputs: outputCount(spec.target), target: spec.target };
  },

  /** Evaluates θ rows on a compiled evaluator named by its key (from layer 2, or from `spec` bytes sent along). */
  async evaluateCompiled(_graph: Graph | undefined, args: EvaluateCompiledArgs, report: ProgressCallback): Promise<{ values: Float64Array; gradients: Float64Array | null }> {
    const cache = evaluatorCache();
    let entry = await cache.get(args.key);
    if (!entry) {
      const bytes = args.spec;
      if (!bytes) throw new PoolError('UNKNOWN_EVALUATOR', `phasekit: this worker does not hold evaluator ${args.key.slice(0, 12)}… (send its bytes)`);
      entry = await cache.getOrStore(args.key, () => ({ bytes, spec: decodeSpec(bytes), verified: false }));
    }
    const evaluator = await liveEvaluator(entry, args.key);
    const { values, gradients } = await evaluator.evaluate({
      thetas: args.thetas, gradient: args.gradient, weights: args.weights,
      onProgress: ({ done, total }) => report({ phase: 'evaluate', done, total }),
    });
    return { values, gradients };
  },

  /** Fits the graph's parameters to data by SVGD, the whole loop in this worker; reports every iteration ('iterate'). */
  svgd(graph: Graph, args: FitRequest, report: ProgressCallback): Promise<SvgdResult> {
    return fitHere(graph, args, {
      onIteration: ({ iteration, iterations, logPosteriorMean, bandwidth, stepNorm }) =>
        report({ phase: 'iterate', done: iteration, total: iterations, state: { logPosteriorMean, bandwidth, stepNorm } }),
    }, 'worker');
  },
} satisfies MethodTable;

/** The table of the kernel worker. */
export type KernelMethods = typeof kernelMethods;
