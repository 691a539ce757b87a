// svgd(): Bayesian inference of a phase-type model's parameters by Stein
// variational gradient descent. By default the whole loop runs in one worker
// (the kernel's work never blocks the page); 'pool' keeps the loop here and
// splits each iteration's particles across a pool's workers; 'inline' runs all
// of it in this thread.
import { GraphError } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import { checkObservations } from '../likelihood/observations.js';
import type { Pool } from '../pool/pool.js';
import type { Progress } from '../pool/protocol.js';
import { fitHere, type FitRequest } from './fit.js';
import { planSvgd } from './plan.js';
import { svgdResult, type Execution, type SvgdResult } from './result.js';
import { runSvgd, type IterationReport } from './svgd-loop.js';

/** Options of {@link svgd}: the model, its data, and the fit's settings (see {@link FitRequest}). */
export interface SvgdOptions extends FitRequest {
  /** The model: a graph whose rates depend on θ. */
  model: StateGraph;
  /**
   * Where the fit runs. 'worker' (the default): the whole loop in one worker of `pool` (or of a
   * one-worker pool made for the call). 'pool': the loop in this thread, each iteration's
   * particles split across the workers of `pool` (or of a pool made for the call). 'inline':
   * all in this thread. A prior of your own (functions) cannot cross to a worker, so then the
   * default is 'pool'.
   */
  execution?: Execution;
  /** The pool to run in ('worker' and 'pool'); it stays open. */
  pool?: Pool;
  /** Stops the fit with AbortError ('worker': its worker is terminated and replaced). */
  signal?: AbortSignal;
  /** Called after every iteration: iteration, iterations, logPosteriorMean, bandwidth, stepNorm. */
  onProgress?: (progress: SvgdProgress) => void;
}

/** One iteration's report. */
export type SvgdProgress = IterationReport;

// The settings that cross to a worker: plain data, named one by one.
const REQUEST_KEYS = ['data', 'limits', 'backend', 'cache', 'prior', 'particles', 'iterations', 'seed', 'optimizer', 'stepSize', 'schedule',
  'batchSize', 'positiveTransform', 'fixed', 'tolerance', 'patience', 'quantiles', 'historyPoints', 'historyParticles'] as const satisfies readonly (keyof FitRequest)[];

/** Fits the parameters of `options.model` to `options.data` by SVGD; see {@link SvgdOptions} and {@link SvgdResult}. */
export async function svgd(options: SvgdOptions): Promise<SvgdResult> {
  if (typeof options !== 'object' || options === null) throw new GraphError('BAD_ARGUMENT', 'svgd needs an options object: { model, data, prior, particles, iterations, … }');
  const { model, signal, onProgress } = options;
  if (typeof model !== 'object' || model === null || typeof model.structure !== 'function') throw new GraphError('BAD_ARGUMENT', 'svgd needs options.model: a Graph');
  const request: FitRequest = { data: options.data };
  for (const key of REQUEST_KEYS) if (options[key] !== undefined) (request as unknown as Record<string, unknown>)[key] = options[key];
  // Checked here first: bad settings or data fail before any worker starts.
  const plan = planSvgd(request, model.paramLength);
  if (checkObservations(options.data, model).kind === 'counts' && plan.batchSize !== null)
    throw new GraphError('BAD_ARGUMENT', 'batchSize is for times or steps; counts are one observation vector');
  const ownPrior = plan.priors.some((p) => !p.data);
  const execution = options.execution ?? (ownPrior ? 'pool' : 'worker');
  if (execution !== 'worker' && execution !== 'pool' && execution !== 'inline') throw new GraphError('BAD_ARGUMENT', `execution must be 'worker', 'pool' or 'inline', got ${JSON.stringify(execution)}`);
  if (execution === 'worker' && ownPrior) throw new GraphError('BAD_ARGUMENT', "a prior of your own (functions) cannot cross to a worker: use execution 'pool' or 'inline'");
  if (execution === 'pool' && request.cache === false) throw new GraphError('BAD_ARGUMENT', "cache: false is for execution 'worker' or 'inline' (a pool's workers share their evaluators through the cache)");
  // The worker plans again from the same settings: give it the seed drawn here, so both agree.
  request.seed = plan.seed;
  const onIteration = onProgress && ((state: IterationReport) => onProgress(state));

  if (execution === 'inline') return fitHere(model, request, { signal, onIteration }, 'inline');
  // The pool's code loads only when a fit needs one.
  const pool = options.pool ?? (await import('../pool/pool.js')).createPool(execution === 'worker' ? { size: 1 } : {});
  try {
    if (execution === 'worker') {
      const report = onProgress && ((p: Progress) => {
        if (p.phase === 'iterate' && p.state) onProgress({ iteration: p.done, iterations: p.total, ...(p.state as Omit<IterationReport, 'iteration' | 'iterations' | 'particles'>) });
      });
      return await pool.call('svgd', model, request, { signal, onProgress: report });
    }
    const start = performance.now();
    const evaluator = await pool.createEvaluator(model, { kind: 'loglik', data: request.data, limits: request.limits }, { backend: request.backend, signal });
    const loopStart = performance.now();
    const run = await runSvgd(evaluator, plan, { signal, onIteration });
    const end = performance.now();
    return svgdResult(plan, run, { ms: end - start, msPerIteration: (end - loopStart) / run.iterations, backend: evaluator.backend, execution });
  } finally {
    if (!options.pool) await pool.close();
  }
}
