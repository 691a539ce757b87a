// `phasekit fit`: the posterior of a graph's parameters given data, by SVGD
// (src/inference), in a worker by default so that Ctrl-C really stops it;
// progress on stderr, one line of JSON on stdout.
import type { BackendChoice } from '../evaluate/evaluator.js';
import { svgd } from '../inference/svgd.js';
import type { Execution } from '../inference/result.js';
import type { OptimizerName } from '../inference/optimizers.js';
import type { Prior } from '../inference/priors.js';
import { UsageError, type FlagSpec } from './args.js';
import { printJSON, type Command } from './command.js';
import { readGraph } from './distribution-commands.js';
import { dataFlags, observationsOf } from './likelihood-commands.js';

const flags: Record<string, FlagSpec> = {
  ...dataFlags,
  particles: { kind: 'integer', min: 1, description: 'particles drawn from the prior (default 100)' },
  iterations: { kind: 'integer', min: 1, description: 'iterations at most (default 500)' },
  seed: { kind: 'integer', min: 0, description: 'seed of the prior draws and mini-batches: the same seed, the same answer (default: drawn, and printed)' },
  prior: { kind: 'json', description: 'one prior per parameter, e.g. \'[{"gamma": {"shape": 2, "rate": 1}}]\' (gamma, logNormal, halfNormal, uniform), or one for all (default logNormal(0, 2))' },
  fixed: { kind: 'json', description: 'parameters held fixed: e.g. \'[1, null, null]\' fixes θ0 at 1' },
  'batch-size': { kind: 'integer', min: 1, description: 'observations per iteration (mini-batches; default all)' },
  optimizer: { kind: 'string', choices: ['adam', 'adagrad'], description: 'default adam' },
  'step-size': { kind: 'json', description: 'step size (Adam: relative to the particles\' spread, default 0.3; AdaGrad: default 1)' },
  backend: { kind: 'string', choices: ['auto', 'wasm', 'wasm-direct', 'webgpu'], description: 'where log-likelihoods are computed (default auto)' },
  execution: { kind: 'string', choices: ['worker', 'pool', 'inline'], description: 'the loop in a worker (default), here with batches split across a pool, or all here' },
  'no-cache': { kind: 'boolean', description: 'plan afresh, storing nothing (default: the file stores of layers 1 and 2)' },
};

/** Arrays of numbers for JSON (typed arrays would print as objects). */
const list = (x: Float64Array) => Array.from(x);

/** The `fit` command. */
export const fitCommand: Command = {
  positionals: ['<graph.json>'],
  summary: 'posterior of θ given --times / --steps / --counts, by SVGD → {"mean":[…],"sd":[…],"quantiles":{…},"iterations":K,"ms":t}',
  flags,
  async run(args, io) {
    const graph = await readGraph(args.positionals[0], io);
    const f = args.flags;
    const stepSize = f['step-size'];
    if (stepSize !== undefined && typeof stepSize !== 'number') throw new UsageError('--step-size must be a number');
    if (f.fixed !== undefined && !Array.isArray(f.fixed)) throw new UsageError("--fixed must be a JSON array such as '[1, null]'");
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    let last = 0;
    try {
      const r = await svgd({
        model: graph, data: observationsOf(args),
        prior: f.prior as Prior | Prior[] | undefined, fixed: f.fixed as (number | null)[] | undefined,
        particles: f.particles as number | undefined, iterations: f.iterations as number | undefined, seed: f.seed as number | undefined,
        batchSize: f['batch-size'] as number | undefined, optimizer: f.optimizer as OptimizerName | undefined, stepSize,
        backend: f.backend as BackendChoice | undefined, execution: f.execution as Execution | undefined, cache: f['no-cache'] === true ? false : undefined,
        signal: controller.signal,
        onProgress: ({ iteration, iterations, logPosteriorMean, bandwidth, stepNorm }) => {
          const now = Date.now();
          if (now - last < 500 && iteration < iterations) return;
          last = now;
          io.stderr(`phasekit: iteration ${iteration}/${iterations} log-posterior ${logPosteriorMean.toPrecision(6)} bandwidth ${bandwidth.toPrecision(3)} step ${stepNorm.toPrecision(3)}\n`);
        },
      });
      const quantiles = Object.fromEntries(Object.entries(r.quantiles).map(([q, v]) => [q, list(v)]));
      printJSON(io, { mean: list(r.mean), sd: list(r.sd), quantiles, iterations: r.diagnostics.iterations, ms: Math.round(r.diagnostics.ms), seed: r.diagnostics.seed });
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
