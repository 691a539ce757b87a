// What a fit returns: the particles as θ rows, their mean, standard deviation
// and quantiles per parameter, the thinned history, and diagnostics.
import type { Backend } from '../evaluate/evaluator.js';
import type { SvgdPlan } from './plan.js';
import { columnMeans, columnQuantiles, columnSds, type History } from './summary.js';
import type { StopReason, SvgdRun } from './svgd-loop.js';

/** Where a fit ran: the whole loop in one worker, the loop here with each batch split across a pool, or all here. */
export type Execution = 'worker' | 'pool' | 'inline';

/** How a fit went. */
export interface SvgdDiagnostics {
  /** Iterations run. */
  iterations: number;
  /** 'converged': particles stopped moving (tolerance, patience); 'iterations': the budget ran out. */
  stopped: StopReason;
  /** The seed used (pass it again for the same answer). */
  seed: number;
  particles: number;
  /** Parameters fitted (not fixed). */
  freeParameters: number;
  /** The transform of each fitted parameter to the unconstrained space. */
  transforms: string[];
  /** Observations per iteration, or null for all of them. */
  batchSize: number | null;
  /** The last iteration's mean log-posterior (θ space, particles it started from), bandwidth and step norm. */
  logPosteriorMean: number;
  bandwidth: number;
  stepNorm: number;
  /** Particle evaluations that failed over the run (see SvgdRun). */
  failedEvaluations: number;
  /** Milliseconds of the fit, and per iteration (the loop alone). */
  ms: number;
  msPerIteration: number;
  backend: Backend;
  execution: Execution;
  /** Evaluators planned and traces recorded for this fit (0 and 0 when layers 1 and 2 had them); absent with execution 'pool'. */
  planned?: number;
  recorded?: number;
}

/** The posterior as SVGD's particles see it. */
export interface SvgdResult {
  /** Final particles, θ rows: P × paramLength, row-major (fixed parameters in place). */
  particles: Float64Array;
  /** Posterior mean of each parameter. */
  mean: Float64Array;
  /** Posterior standard deviation of each parameter (0 for fixed ones). */
  sd: Float64Array;
  /** Quantiles by probability ('0.025', '0.5', '0.975' by default): one value per parameter. */
  quantiles: Record<string, Float64Array>;
  /** The run, thinned. */
  history: History;
  diagnostics: SvgdDiagnostics;
}

/** The result of a finished run. */
export function svgdResult(plan: SvgdPlan, run: SvgdRun, where: Pick<SvgdDiagnostics, 'ms' | 'msPerIteration' | 'backend' | 'execution' | 'planned' | 'recorded'>): SvgdResult {
  const { P, paramLength: p } = plan;
  const mean = columnMeans(run.thetas, P, p), sd = columnSds(run.thetas, P, p, mean);
  // Fixed parameters exactly (an average of equal values need not be that value to the last bit).
  const free = new Set(plan.free);
  for (let i = 0; i < p; i++) if (!free.has(i)) { mean[i] = plan.template[i]; sd[i] = 0; }
  const values = columnQuantiles(run.thetas, P, p, plan.quantiles);
  const quantiles: Record<string, Float64Array> = {};
  plan.quantiles.forEach((q, k) => { quantiles[String(q)] = values[k]; });
  return {
    particles: run.thetas, mean, sd, quantiles, history: run.history,
    diagnostics: {
      iterations: run.iterations, stopped: run.stopped, seed: plan.seed, particles: P, freeParameters: plan.free.length,
      transforms: plan.transforms.map((t) => t.name), batchSize: plan.batchSize,
      logPosteriorMean: run.last.logPosteriorMean, bandwidth: run.last.bandwidth, stepNorm: run.last.stepNorm,
      failedEvaluations: run.failedEvaluations, ...where,
    },
  };
}
