// Commands that read a graph JSON file and print a quantity of its distribution.
import { ready } from '../kernel/module.js';
import { Graph } from '../graph/graph.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import type { CliIO } from './io.js';
import { printJSON, type Command } from './command.js';

const theta: FlagSpec = { kind: 'numbers', description: "parameter vector θ as JSON, e.g. '[1]' (needed when the graph has parameters)" };
const rewards: FlagSpec = { kind: 'numbers', description: 'one reward per vertex as JSON (default: all 1, the absorption time)' };
const k: FlagSpec = { kind: 'integer', min: 1, description: 'how many raw moments (default 3)' };
const times: FlagSpec = { kind: 'numbers', description: "time points as JSON, e.g. '[0.5, 1, 2]' (discrete graphs: step counts)" };
const steps: FlagSpec = { kind: 'numbers', description: "step counts as JSON, e.g. '[0, 1, 2]' (discrete graphs)" };

// Errors reading the input are the caller's fault (exit 2), not ours.
const INPUT_ERRORS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR', 'EPERM']);

/** Reads and validates a graph JSON file (`-`: standard input) and loads the kernel. */
export async function readGraph(path: string, io: CliIO): Promise<Graph> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && INPUT_ERRORS.has(code)) throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
    throw e;
  }
  await ready();
  return Graph.fromJSON(text);
}

function graphCommand(summary: string, flags: Record<string, FlagSpec>, compute: (graph: Graph, args: ParsedArgs) => Record<string, unknown>): Command {
  return {
    positionals: ['<graph.json>'],
    summary,
    flags,
    async run(args, io) {
      printJSON(io, compute(await readGraph(args.positionals[0], io), args));
    },
  };
}

const at = (args: ParsedArgs) => ({ theta: args.flags.theta as number[] | undefined, rewards: args.flags.rewards as number[] | undefined });

/** The distribution commands by name. */
export const distributionCommands: Record<string, Command> = {
  moments: graphCommand('raw moments E[T], …, E[T^k] → {"moments":[…]}', { theta, rewards, k }, (graph, args) =>
    ({ moments: graph.moments((args.flags.k as number | undefined) ?? 3, at(args)) })),
  expectation: graphCommand('E[T] (with --rewards: E[accumulated reward]) → {"expectation":x}', { theta, rewards }, (graph, args) =>
    ({ expectation: graph.expectation(at(args)) })),
  variance: graphCommand('Var[T] (with --rewards: of the accumulated reward) → {"variance":x}', { theta, rewards }, (graph, args) =>
    ({ variance: graph.variance(at(args)) })),
  pdf: graphCommand('density at --times (continuous graphs) → {"pdf":[…]}', { theta, times: { ...times, required: true } }, (graph, args) =>
    ({ pdf: Array.from(graph.pdf(args.flags.times as number[], at(args))) })),
  cdf: graphCommand('P(T ≤ t) at --times; discrete graphs: P(τ ≤ k) at --steps → {"cdf":[…]}', { theta, times, steps }, (graph, args) => {
    const { times: t, steps: s } = args.flags;
    if ((t === undefined) === (s === undefined)) throw new UsageError('cdf needs exactly one of --times or --steps');
    if (s !== undefined && !graph.discrete) throw new UsageError('--steps is for discrete graphs; this graph is continuous, use --times');
    return { cdf: Array.from(graph.cdf((t ?? s) as number[], at(args))) };
  }),
  pmf: graphCommand('P(τ = k) at --steps (discrete graphs) → {"pmf":[…]}', { theta, steps: { ...steps, required: true } }, (graph, args) =>
    ({ pmf: Array.from(graph.pmf(args.flags.steps as number[], at(args))) })),
};
