// Worker side: what a kernel worker can do, as a table of methods on a graph it
// holds. A new capability (evaluateTrace, say) is one more entry here and one
// more method on Pool; the protocol, caching and fault handling stay as they are.
import type { Graph } from '../graph/graph.js';
import { compile } from '../trace/compile.js';
import type { TraceEvaluator } from '../trace/evaluator.js';
// Installs the trace cache as compile()'s store: in a worker it persists to IndexedDB
// (browsers) or the file store (Node) itself, shared by every worker of the pool.
import '../trace-cache/management.js';
import type { MethodTable, ProgressCallback } from './protocol.js';

/** θ and rewards, as they cross to the worker. */
export interface RewardArgs {
  theta?: ArrayLike<number>;
  rewards?: ArrayLike<number>;
}

/** Arguments of `moments`. */
export interface MomentsArgs extends RewardArgs {
  k: number;
}

/** Arguments of `pdf`, `cdf` and `pmf`. */
export interface DistributionArgs {
  theta?: ArrayLike<number>;
  /** Times (steps, for discrete graphs). */
  times: ArrayLike<number>;
}

/** Arguments of `momentsBatch`: one θ per row of `thetas` (row-major, paramLength per row). */
export interface BatchArgs {
  thetas: Float64Array;
  k: number;
  rewards?: ArrayLike<number>;
}

/** Arguments of `traceGradient`. */
export interface TraceGradientArgs extends RewardArgs {
  k: number;
  /** Differentiate Σ seed[j]·E[T^(j+1)] in one pass. */
  seed?: ArrayLike<number>;
}

const PROGRESS_INTERVAL_MS = 50;

/** Fills one row of k moments per θ row, reporting rows done at most every PROGRESS_INTERVAL_MS. */
function momentsByRow(graph: Graph, args: BatchArgs, report: ProgressCallback, row: (theta: Float64Array) => number[]): Float64Array {
  const { thetas, k } = args;
  const p = graph.paramLength;
  const rows = p === 0 ? 1 : thetas.length / p;
  const out = new Float64Array(rows * k);
  let reported = performance.now();
  for (let r = 0; r < rows; r++) {
    out.set(row(thetas.subarray(r * p, (r + 1) * p)), r * k);
    const now = performance.now();
    if (now - reported >= PROGRESS_INTERVAL_MS) {
      report({ phase: 'evaluate', done: r + 1, total: rows });
      reported = now;
    }
  }
  report({ phase: 'evaluate', done: rows, total: rows });
  return out;
}

// The evaluator of each graph this worker holds, from its structure's trace.
const evaluators = new WeakMap<Graph, Promise<TraceEvaluator>>();

/** The graph's evaluator: its trace from the trace cache (memory, then IndexedDB / files), recorded on a miss. */
async function evaluatorOf(graph: Graph, report: ProgressCallback): Promise<TraceEvaluator> {
  let evaluator = evaluators.get(graph);
  if (!evaluator) {
    report({ phase: 'trace', done: 0, total: 1 });
    evaluator = compile(graph);
    evaluator.catch(() => evaluators.delete(graph));
    evaluators.set(graph, evaluator);
    await evaluator;
    report({ phase: 'trace', done: 1, total: 1 });
  }
  return evaluator;
}

/** Eliminates at θ (cached in the graph), reporting before and after: the kernel call itself is one synchronous step. */
function eliminateReporting(graph: Graph, theta: ArrayLike<number> | undefined, report: ProgressCallback): void {
  const total = graph.vertexCount;
  report({ phase: 'eliminate', done: 0, total });
  graph.eliminationAt(theta);
  report({ phase: 'eliminate', done: total, total });
}

/** Runs `evaluate` as the single unit of an 'evaluate' phase. */
function evaluateReporting<R>(report: ProgressCallback, evaluate: () => R): R {
  report({ phase: 'evaluate', done: 0, total: 1 });
  const result = evaluate();
  report({ phase: 'evaluate', done: 1, total: 1 });
  return result;
}

/** The kernel worker's methods: the modeling API of Graph, run where the graph lives. */
export const kernelMethods = {
  /** Raw moments E[T..T^k] (of the accumulated reward, with rewards). */
  moments(graph: Graph, args: MomentsArgs, report: ProgressCallback): number[] {
    eliminateReporting(graph, args.theta, report);
    return graph.moments(args.k, args);
  },

  /** E[T] (or E[reward]). */
  expectation(graph: Graph, args: RewardArgs, report: ProgressCallback): number {
    eliminateReporting(graph, args.theta, report);
    return graph.expectation(args);
  },

  /** Density of the absorption time. */
  pdf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return evaluateReporting(report, () => graph.pdf(args.times, args));
  },

  /** Distribution function of the absorption time (steps, for discrete graphs). */
  cdf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return evaluateReporting(report, () => graph.cdf(args.times, args));
  },

  /** Probability mass of the number of steps (discrete graphs). */
  pmf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return evaluateReporting(report, () => graph.pmf(args.times, args));
  },

  /** Moments at many θ: row r of the result holds E[T..T^k] at θ = row r of `thetas`. */
  momentsBatch(graph: Graph, args: BatchArgs, report: ProgressCallback): Float64Array {
    return momentsByRow(graph, args, report, (theta) => graph.moments(args.k, { theta, rewards: args.rewards }));
  },

  /** Makes sure the graph's trace is recorded (or loaded) and stored; resolves to the trace's structural hash. */
  async prepareTrace(graph: Graph, _args: Record<string, never>, report: ProgressCallback): Promise<string> {
    return (await evaluatorOf(graph, report)).trace.hash ?? '';
  },

  /** Moments at many θ from the graph's trace (rows as in momentsBatch). */
  async traceMomentsBatch(graph: Graph, args: BatchArgs, report: ProgressCallback): Promise<Float64Array> {
    const evaluator = await evaluatorOf(graph, report);
    return momentsByRow(graph, args, report, (theta) => evaluator.moments(theta, { k: args.k, rewards: args.rewards }));
  },

  /** Moments at θ and their gradients with respect to θ, by reverse mode over the trace. */
  async traceGradient(graph: Graph, args: TraceGradientArgs, report: ProgressCallback): Promise<{ moments: number[]; gradients: Float64Array[] }> {
    const evaluator = await evaluatorOf(graph, report);
    const { moments, gradients } = evaluator.gradient(args.theta, { k: args.k, rewards: args.rewards, seed: args.seed });
    return { moments, gradients };
  },
} satisfies MethodTable;

/** The table of the kernel worker. */
export type KernelMethods = typeof kernelMethods;
