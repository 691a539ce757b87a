// `phasekit loglik`: the log-likelihood of observed data and its gradient, at one
// θ or a batch of θ rows, through a compiled evaluator (layers 1 and 2 of the
// cache, so a shell loop over θ plans and records once).
import { GraphError } from '../errors/index.js';
import { PoolError } from '../pool/errors.js';
import type { Graph } from '../phase-type/graph.js';
import type { Observations } from '../likelihood/observations.js';
import type { BackendChoice, GpuPrecision } from '../evaluate/evaluator.js';
import { logLikelihood } from '../evaluator-cache/log-likelihood.js';
import { UsageError, type FlagSpec, type JsonValue, type ParsedArgs } from './args.js';
import { printJSON, type Command } from './command.js';
import { inWorker, quiet, readGraph, WORKER_THRESHOLD } from './distribution-commands.js';
import { progressReporter } from './progress.js';

/** The flags of the data: times, steps or counts (shared with `fit`). */
export const dataFlags: Record<string, FlagSpec> = {
  times: { kind: 'numbers', description: 'observed absorption times (continuous graphs), JSON array or @file' },
  steps: { kind: 'numbers', description: 'observed step counts (discrete graphs), JSON array or @file' },
  weights: { kind: 'numbers', description: 'a weight (multiplicity) per time or step (default 1 each)' },
  censored: { kind: 'numbers', description: 'right-censored times or steps: absorption only known to come later' },
  counts: { kind: 'numbers', description: 'observed counts against reward expectations (with --rewards), e.g. the SFS' },
  rewards: { kind: 'json', description: 'one reward vector per count, JSON array of arrays (with --counts)' },
  distribution: { kind: 'string', choices: ['poisson', 'multinomial'], description: 'model of --counts (default poisson)' },
  scale: { kind: 'json', description: 'counts: expectation = scale · E[reward] (default 1)' },
};

const flags: Record<string, FlagSpec> = {
  theta: { kind: 'json', description: "θ as JSON: one vector '[1.2]', or rows '[[1.2], [0.8]]' (needed when the graph has parameters); @file reads a file" },
  ...dataFlags,
  backend: { kind: 'string', choices: ['auto', 'wasm', 'wasm-direct', 'webgpu'], description: 'where to compute (default auto: WebGPU for large batches on a real GPU, else WASM); webgpu without a device exits 3' },
  precision: { kind: 'string', choices: ['f32', 'df64'], description: 'number type of the WebGPU backend (default f32; df64 where the device passes its self-test)' },
  'no-cache': { kind: 'boolean', description: 'plan and record afresh, storing nothing (default: the file stores of layers 1 and 2)' },
  'timeout-ms': { kind: 'integer', min: 1, description: 'run in a worker and stop it after this many ms' },
  quiet,
};

/** The θ flag as a single row or a row-major batch. */
function thetaOf(graph: Graph, value: JsonValue | undefined): { theta?: number[]; thetas?: Float64Array; batch: boolean } {
  if (value === undefined) return { batch: false };
  const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (isNumbers(value)) return { theta: value, batch: false };
  if (Array.isArray(value) && value.length > 0 && value.every(isNumbers)) {
    const rows = value as number[][];
    const bad = rows.findIndex((row) => row.length !== graph.paramLength);
    if (bad >= 0) throw new UsageError(`--theta row ${bad} has ${rows[bad].length} values but the graph has paramLength ${graph.paramLength}`);
    return { thetas: Float64Array.from(rows.flat()), batch: true };
  }
  throw new UsageError("--theta must be a JSON array of numbers ('[1.2]') or of rows ('[[1.2], [0.8]]')");
}

/** The observations the flags describe (exactly one of --times, --steps, --counts). */
export function observationsOf(args: ParsedArgs): Observations {
  const f = args.flags;
  const given = ['times', 'steps', 'counts'].filter((k) => f[k] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of --times, --steps or --counts (got ${given.length ? given.map((k) => `--${k}`).join(' and ') : 'none'})`);
  if (f.counts !== undefined) {
    if (f.rewards === undefined) throw new UsageError('--counts needs --rewards (one reward vector per count)');
    if (f.weights !== undefined || f.censored !== undefined) throw new UsageError('--weights and --censored go with --times or --steps, not --counts');
    const scale = f.scale;
    if (scale !== undefined && typeof scale !== 'number') throw new UsageError('--scale must be a number');
    return { counts: f.counts as number[], rewards: f.rewards as number[][], distribution: f.distribution as 'poisson' | 'multinomial' | undefined, scale };
  }
  for (const k of ['rewards', 'distribution', 'scale']) if (f[k] !== undefined) throw new UsageError(`--${k} goes with --counts`);
  const common = { weights: f.weights as number[] | undefined, censored: f.censored as number[] | undefined };
  return f.times !== undefined ? { times: f.times as number[], ...common } : { steps: f.steps as number[], ...common };
}

/** One line of JSON, never a null: log L = −∞ (data impossible at θ) is bad input, named by row. */
function result(logLik: Float64Array, gradient: Float64Array | null, p: number, batch: boolean): Record<string, unknown> {
  const impossible = Array.from(logLik.keys()).filter((r) => !Number.isFinite(logLik[r]));
  if (impossible.length)
    throw new GraphError('BAD_DATA', `the data have probability 0${batch ? ` at θ row${impossible.length > 1 ? 's' : ''} ${impossible.slice(0, 10).join(', ')}${impossible.length > 10 ? ', …' : ''}` : ' at this θ'} (log-likelihood −∞)`);
  const rows = Array.from(logLik, (_, r) => Array.from(gradient?.subarray(r * p, (r + 1) * p) ?? []));
  return batch ? { loglik: Array.from(logLik), gradient: rows } : { loglik: logLik[0], gradient: rows[0] };
}

/** The `loglik` command. */
export const loglikCommand: Command = {
  positionals: ['<graph.json>'],
  summary: 'log-likelihood of --times / --steps / --counts and its gradient → {"loglik":x,"gradient":[…]} (arrays for θ rows)',
  flags,
  async run(args, io) {
    const progress = progressReporter(io, { quiet: args.flags.quiet === true });
    const graph = await readGraph(args.positionals[0], io, progress);
    const data = observationsOf(args);
    const { theta, thetas, batch } = thetaOf(graph, args.flags.theta as JsonValue | undefined);
    const backend = (args.flags.backend as BackendChoice | undefined) ?? 'auto';
    const precision = args.flags.precision as GpuPrecision | undefined;
    const noCache = args.flags['no-cache'] === true;
    const timeoutMs = args.flags['timeout-ms'] as number | undefined;
    // The GPU is driven from this process (a worker would start a device of its own); --timeout-ms aborts it between dispatches.
    const useWorker = backend !== 'webgpu' && (timeoutMs !== undefined || graph.vertexCount >= WORKER_THRESHOLD);
    const signal = backend === 'webgpu' && timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined;
    const { logLik, gradient } = useWorker
      ? await inWorker(graph, args, io, (pool, g, _a, call) => pool.logLikelihood(g, data, { ...call, theta, thetas, backend }))
      : await logLikelihood(graph, data, { theta, thetas, backend, precision, signal, ...(noCache ? { cache: null, traceStore: null } : {}),
        onProgress: ({ done, total }) => progress.update('evaluating θ rows', done, total, 'rows') }).catch((e: unknown) => {
        if (signal?.aborted) throw new PoolError('TIMEOUT', `the evaluation took longer than --timeout-ms ${timeoutMs}`);
        throw e;
      }).finally(() => progress.end());
    printJSON(io, result(logLik, gradient, graph.paramLength, batch));
  },
};
