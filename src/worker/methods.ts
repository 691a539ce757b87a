// Worker side: what a kernel worker can do, as a table of methods on a graph it
// holds. A new capability is one more entry here and one more method on Pool;
// the protocol, caching and fault handling stay as they are. Arguments follow
// the library's one convention: θ as `theta` (one) or `thetas` (a batch).
import type { Graph } from '../phase-type/graph.js';
import { checkMomentCount, checkThetaRows, thetaRow } from '../graph/arguments.js';
import { compile } from '../evaluate/compile.js';
import type { TraceModel } from '../evaluate/trace-model.js';
import { structuralHash } from '../trace/structural-hash.js';
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

/** Arguments of `pdf`, `cdf` and `pmf`. */
export interface DistributionArgs {
  theta?: ArrayLike<number>;
  /** Times (steps, for discrete graphs). */
  points: ArrayLike<number>;
}

/** Arguments of `momentsBatch` and `traceMomentsBatch`: one θ per row of `thetas` (row-major). */
export interface BatchArgs {
  thetas?: Float64Array;
  k: number;
  rewards?: ArrayLike<number>;
}

/** Arguments of `traceGradient`. */
export interface EvaluateArgs extends MomentsArgs {
  /** Differentiate Σ seed[j]·E[T^(j+1)] in one pass. */
  seed?: ArrayLike<number>;
}

const PROGRESS_INTERVAL_MS = 50;

/** Fills one row of k moments per θ row, reporting rows done at most every PROGRESS_INTERVAL_MS. */
function momentsByRow(graph: Graph, args: BatchArgs, report: ProgressCallback, row: (theta: Float64Array) => number[]): Float64Array {
  const k = checkMomentCount(args.k);
  const batch = checkThetaRows(graph.paramLength, args.thetas);
  const out = new Float64Array(batch.rows * k);
  let reported = performance.now();
  for (let r = 0; r < batch.rows; r++) {
    out.set(row(thetaRow(batch, r)), r * k);
    const now = performance.now();
    if (now - reported >= PROGRESS_INTERVAL_MS) {
      report({ phase: 'evaluate', done: r + 1, total: batch.rows });
      reported = now;
    }
  }
  report({ phase: 'evaluate', done: batch.rows, total: batch.rows });
  return out;
}

// This worker's trace models, by structural hash (content, not graph identity):
// a graph sent again, or another graph of the same structure, finds its model here.
const models = new Map<string, Promise<TraceModel>>();

/** The graph's trace model: its trace from the trace cache (memory, then IndexedDB / files), recorded on a miss. */
async function modelOf(graph: Graph, report: ProgressCallback): Promise<TraceModel> {
  const hash = await structuralHash(graph.structure());
  let model = models.get(hash);
  if (!model) {
    report({ phase: 'trace', done: 0, total: 1 });
    model = compile(graph);
    model.catch(() => models.delete(hash));
    models.set(hash, model);
    await model;
    report({ phase: 'trace', done: 1, total: 1 });
  }
  // A model is bound to the graph it was made for: rebind it when another graph of the structure asks.
  const made = await model;
  return made.isFor(graph) ? made : made.rebind(graph);
}

/** Eliminates at θ (kept by the graph), reporting before and after: the kernel call itself is one synchronous step. */
function eliminateReporting(graph: Graph, theta: ArrayLike<number> | undefined, report: ProgressCallback): void {
  const total = graph.vertexCount;
  report({ phase: 'eliminate', done: 0, total });
  void graph.at(theta).elimination;
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
    return evaluateReporting(report, () => graph.pdf(args.points, args));
  },

  /** Distribution function of the absorption time (steps, for discrete graphs). */
  cdf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return evaluateReporting(report, () => graph.cdf(args.points, args));
  },

  /** Probability mass of the number of steps (discrete graphs). */
  pmf(graph: Graph, args: DistributionArgs, report: ProgressCallback): Float64Array {
    return evaluateReporting(report, () => graph.pmf(args.points, args));
  },

  /** Moments at many θ by direct elimination: row r of the result holds E[T..T^k] at θ row r. */
  momentsBatch(graph: Graph, args: BatchArgs, report: ProgressCallback): Float64Array {
    return momentsByRow(graph, args, report, (theta) => graph.moments(args.k, { theta, rewards: args.rewards }));
  },

  /** Makes sure the graph's trace is recorded (or loaded) and stored; resolves to the trace's structural hash. */
  async prepareTrace(graph: Graph, _args: Record<string, never>, report: ProgressCallback): Promise<string> {
    return (await modelOf(graph, report)).trace.hash ?? '';
  },

  /** Moments at many θ from the graph's trace (rows as in momentsBatch). */
  async traceMomentsBatch(graph: Graph, args: BatchArgs, report: ProgressCallback): Promise<Float64Array> {
    const model = await modelOf(graph, report);
    return momentsByRow(graph, args, report, (theta) => model.moments(args.k, { theta, rewards: args.rewards }));
  },

  /** Moments at θ and their gradients with respect to θ, by reverse mode over the trace. */
  async traceGradient(graph: Graph, args: EvaluateArgs, report: ProgressCallback): Promise<{ moments: number[]; gradients: Float64Array[] }> {
    const model = await modelOf(graph, report);
    const { moments, gradients } = model.gradient(args.k, { theta: args.theta, rewards: args.rewards, seed: args.seed });
    return { moments, gradients };
  },
} satisfies MethodTable;

/** The table of the kernel worker. */
export type KernelMethods = typeof kernelMethods;
