// Commands that read a graph JSON file and print a quantity of its distribution.
// Quantities that depend on θ through moments (moments, expectation, variance) go
// through the trace cache by default, so a shell loop over θ records each structure
// once (--no-cache: eliminate directly, store nothing). Long work shows progress on
// stderr (a bar on a terminal); --quiet silences it.
import { ready } from '../kernel/module.js';
import { Graph } from '../phase-type/graph.js';
import type { DistributionProgress } from '../distributions/progress.js';
import type { DistributionLimits } from '../distributions/distribution.js';
import { GraphError } from '../errors/index.js';
import { compile } from '../evaluate/compile.js';
import { createPool, type CallOptions, type Pool } from '../pool/pool.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import type { CliIO } from './io.js';
import { printJSON, type Command } from './command.js';
import { progressReporter, type ProgressReporter } from './progress.js';

const theta: FlagSpec = { kind: 'numbers', description: "parameter vector θ as JSON, e.g. '[1]' (needed when the graph has parameters)" };
const rewards: FlagSpec = { kind: 'numbers', description: 'one reward per vertex as JSON (default: all 1, the absorption time)' };
const k: FlagSpec = { kind: 'integer', min: 1, description: 'how many raw moments (default 3)' };
const method: FlagSpec = { kind: 'string', choices: ['auto', 'uniformization', 'adaptive', 'dense', 'krylov'], description: 'auto, uniformization, adaptive, dense or krylov (default auto; adaptive and krylov for continuous graphs)' };
const maxSteps: FlagSpec = { kind: 'integer', min: 1, description: 'most steps of the chain before another method or WORK_LIMIT (default: by the graph\'s size)' };
/** The distribution flags every one of pdf, cdf and pmf takes. */
const distributionFlags = { theta, method, 'max-steps': maxSteps };
const times: FlagSpec = { kind: 'numbers', description: "time points as JSON, e.g. '[0.5, 1, 2]' (discrete graphs: step counts)" };
const steps: FlagSpec = { kind: 'numbers', description: "step counts as JSON, e.g. '[0, 1, 2]' (discrete graphs)" };
const noCache: FlagSpec = { kind: 'boolean', description: 'eliminate directly and store nothing (default: the trace cache, $PHASEKIT_CACHE_DIR/traces)' };
/** --quiet, shared by every command that reads a graph. */
export const quiet: FlagSpec = { kind: 'boolean', description: 'no progress on stderr' };

// Errors reading the input are the caller's fault (exit 2), not ours.
const INPUT_ERRORS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR', 'EPERM']);

/** Reads and validates a graph JSON file (`-`: standard input) and loads the kernel, reporting progress. */
export async function readGraph(path: string, io: CliIO, progress?: ProgressReporter): Promise<Graph> {
  let text: string;
  try {
    text = await io.readFile(path, progress && ((read, total) => progress.update('reading graph JSON', read, total, 'bytes')));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && INPUT_ERRORS.has(code)) throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
    // JavaScript strings stop at 512 MiB (V8): such a file cannot be parsed as one JSON text here.
    if (code === 'ERR_STRING_TOO_LONG' || (e instanceof RangeError && /string length/i.test(e.message)))
      throw new UsageError(`${path} is larger than the longest string JavaScript can hold (512 MiB); build the graph in code (Graph.fromCallback or the built-in models) instead of reading it as JSON`);
    throw e;
  }
  await ready();
  if (text.length > 8 << 20) progress?.update('parsing graph JSON', 0, 0);
  const graph = Graph.fromJSON(text, { onProgress: progress && (({ done, total }) => progress.update('building the graph', done, total, 'vertices and edges')) });
  progress?.end();
  return graph;
}

const timeoutMs: FlagSpec = { kind: 'integer', min: 1, description: 'run in a worker and stop it after this many ms (large graphs always run in a worker)' };

/** Graphs from this size on are computed in a worker thread, where a timeout or Ctrl-C really stops the kernel. */
export const WORKER_THRESHOLD = 200_000;

export type Remote<R = Record<string, unknown>> = (pool: Pool, graph: Graph, args: ParsedArgs, options: CallOptions) => Promise<R>;

/** Runs `remote` on a one-worker pool: progress on stderr, Ctrl-C aborts, --timeout-ms limits. */
export async function inWorker<R>(graph: Graph, args: ParsedArgs, io: CliIO, remote: Remote<R>): Promise<R> {
  // A timeout is the caller's limit: no retry on a fresh worker (which would double it).
  const pool = createPool({ size: 1, retries: 0 });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = progressReporter(io, { quiet: args.flags.quiet === true });
  const names = { graph: 'sending the graph to the worker', eliminate: 'eliminating', trace: 'preparing the trace', evaluate: 'evaluating', iterate: 'iterating' } as const;
  try {
    return await remote(pool, graph, args, {
      signal: controller.signal,
      timeoutMs: args.flags['timeout-ms'] as number | undefined,
      onProgress: ({ phase, done, total }) => progress.update(names[phase], done, phase === 'eliminate' ? 0 : total),
    });
  } finally {
    progress.end();
    process.off('SIGINT', onSigint);
    await pool.close();
  }
}

type Local = (graph: Graph, args: ParsedArgs, progress: ProgressReporter) => Promise<Record<string, unknown>> | Record<string, unknown>;

function graphCommand(summary: string, flags: Record<string, FlagSpec>, compute: Local, remote: Remote): Command {
  return {
    positionals: ['<graph.json>'],
    summary,
    flags: { ...flags, 'timeout-ms': timeoutMs, quiet },
    async run(args, io) {
      const progress = progressReporter(io, { quiet: args.flags.quiet === true });
      const graph = await readGraph(args.positionals[0], io, progress);
      const useWorker = args.flags['timeout-ms'] !== undefined || graph.vertexCount >= WORKER_THRESHOLD;
      if (useWorker) return printJSON(io, await inWorker(graph, args, io, remote));
      try {
        printJSON(io, await compute(graph, args, progress));
      } finally {
        progress.end();
      }
    },
  };
}

const at = (args: ParsedArgs) => ({ theta: args.flags.theta as number[] | undefined, rewards: args.flags.rewards as number[] | undefined });
/** θ, the method and maxSteps of a distribution command. */
const limitsOf = (args: ParsedArgs): DistributionLimits & { theta?: number[] } => ({
  theta: at(args).theta,
  method: args.flags.method as DistributionLimits['method'],
  maxSteps: args.flags['max-steps'] as number | undefined,
});
const kOf = (args: ParsedArgs) => (args.flags.k as number | undefined) ?? 3;

/** Raw moments at θ: through the trace cache, or with --no-cache by direct elimination. */
async function momentsOf(graph: Graph, k: number, args: ParsedArgs, progress: ProgressReporter): Promise<number[]> {
  if (args.flags['no-cache'] === true) {
    progress.update('eliminating', 0, 0);
    return graph.moments(k, at(args));
  }
  progress.update('preparing the trace (trace cache)', 0, 0);
  const model = await compile(graph);
  return model.moments(k, at(args));
}

/** A distribution's progress on the bar: the time (steps) reached of the largest asked. */
const reportTime = (graph: Graph, progress: ProgressReporter) => ({ done, total }: DistributionProgress) =>
  progress.update('evaluating', done, total, graph.discrete ? 'steps' : 'of model time');

/** The distribution commands by name. */
export const distributionCommands: Record<string, Command> = {
  moments: graphCommand('raw moments E[T], …, E[T^k] → {"moments":[…]}', { theta, rewards, k, 'no-cache': noCache },
    async (graph, args, progress) => ({ moments: await momentsOf(graph, kOf(args), args, progress) }),
    async (pool, graph, args, o) => ({ moments: await pool.moments(graph, kOf(args), { ...o, ...at(args) }) })),
  expectation: graphCommand('E[T] (with --rewards: E[accumulated reward]) → {"expectation":x}', { theta, rewards, 'no-cache': noCache },
    async (graph, args, progress) => ({ expectation: (await momentsOf(graph, 1, args, progress))[0] }),
    async (pool, graph, args, o) => ({ expectation: await pool.expectation(graph, { ...o, ...at(args) }) })),
  variance: graphCommand('Var[T] (with --rewards: of the accumulated reward) → {"variance":x}', { theta, rewards, 'no-cache': noCache },
    async (graph, args, progress) => {
      const [m1, m2] = await momentsOf(graph, 2, args, progress);
      return { variance: m2 - m1 * m1 };
    },
    async (pool, graph, args, o) => {
      const [m1, m2] = await pool.moments(graph, 2, { ...o, ...at(args) });
      return { variance: m2 - m1 * m1 };
    }),
  pdf: graphCommand('density at --times (continuous graphs) → {"pdf":[…]}', { ...distributionFlags, times: { ...times, required: true } }, (graph, args, progress) =>
    ({ pdf: Array.from(graph.pdf(args.flags.times as number[], { ...limitsOf(args), onProgress: reportTime(graph, progress) })) }),
  async (pool, graph, args, o) => {
    if (graph.discrete) throw new GraphError('WRONG_KIND', 'pdf is for continuous graphs; use pmf for a discrete one');
    return { pdf: Array.from(await pool.pdf(graph, args.flags.times as number[], { ...o, ...limitsOf(args) })) };
  }),
  cdf: graphCommand('P(T ≤ t) at --times; discrete graphs: P(τ ≤ k) at --steps → {"cdf":[…]}', { ...distributionFlags, times, steps }, (graph, args, progress) =>
    ({ cdf: Array.from(graph.cdf(cdfPoints(graph, args), { ...limitsOf(args), onProgress: reportTime(graph, progress) })) }),
  async (pool, graph, args, o) => ({ cdf: Array.from(await pool.cdf(graph, cdfPoints(graph, args), { ...o, ...limitsOf(args) })) })),
  pmf: graphCommand('P(τ = k) at --steps (discrete graphs) → {"pmf":[…]}', { ...distributionFlags, steps: { ...steps, required: true } }, (graph, args, progress) =>
    ({ pmf: Array.from(graph.pmf(args.flags.steps as number[], { ...limitsOf(args), onProgress: reportTime(graph, progress) })) }),
  async (pool, graph, args, o) => {
    if (!graph.discrete) throw new GraphError('WRONG_KIND', 'pmf is for discrete graphs; use pdf for a continuous one');
    return { pmf: Array.from(await pool.pmf(graph, args.flags.steps as number[], { ...o, ...limitsOf(args) })) };
  }),
};

/** The points of `cdf`: exactly one of --times or --steps (--steps only for discrete graphs). */
function cdfPoints(graph: Graph, args: ParsedArgs): number[] {
  const { times: t, steps: s } = args.flags;
  if ((t === undefined) === (s === undefined)) throw new UsageError('cdf needs exactly one of --times or --steps');
  if (s !== undefined && !graph.discrete) throw new UsageError('--steps is for discrete graphs; this graph is continuous, use --times');
  return (t ?? s) as number[];
}
