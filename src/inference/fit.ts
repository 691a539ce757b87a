// A fit in this thread: the log-likelihood's evaluator through layer 2 (so a
// second fit of the same model and data plans and records nothing), then the
// SVGD loop on it. Both svgd({ execution: 'inline' }) and the worker method
// `svgd` run this.
import type { StateGraph } from '../graph/state-graph.js';
import type { BackendChoice } from '../evaluate/evaluator.js';
import { needsElimination } from '../evaluate/target.js';
import { createEvaluator } from '../evaluator-cache/create-evaluator.js';
import { evaluatorCache } from '../evaluator-cache/default-evaluator-cache.js';
import type { Observations } from '../likelihood/observations.js';
import type { LikelihoodLimits } from '../likelihood/point-likelihood.js';
import { traceCache } from '../trace-cache/default-trace-cache.js';
import { planSvgd, type SvgdSettings } from './plan.js';
import { svgdResult, type SvgdResult } from './result.js';
import { runSvgd, type LoopHooks } from './svgd-loop.js';

/** A fit's request: the settings, the data and how to evaluate; plain data (it crosses to a worker as it is). */
export interface FitRequest extends SvgdSettings {
  /** Observations: times or steps (weighted, censored), or counts against rewards (the SFS). */
  data: Observations;
  /** Bounds on the work of one log-likelihood evaluation (times and steps). */
  limits?: LikelihoodLimits;
  /** Where log-likelihoods are computed. Default 'auto'. */
  backend?: BackendChoice;
  /** Evaluators and traces through the cache layers 1 and 2 (default true); false plans afresh and stores nothing. */
  cache?: boolean;
}

/** Builds (or finds) the evaluator and runs the fit in this thread. */
export async function fitHere(graph: StateGraph, request: FitRequest, hooks: LoopHooks, execution: 'inline' | 'worker'): Promise<SvgdResult> {
  const start = performance.now();
  const plan = planSvgd(request, graph.paramLength);
  const cached = request.cache !== false;
  const built = () => [evaluatorCache().cache.stats().computations, traceCache().cache.stats().computations];
  const before = cached ? built() : [0, 0];
  const evaluator = await createEvaluator(graph, { kind: 'loglik', data: request.data, limits: request.limits }, {
    backend: request.backend, signal: hooks.signal, ...(cached ? {} : { cache: null, traceStore: null }),
  });
  const after = cached ? built() : [1, needsElimination(evaluator.target) ? 1 : 0];
  try {
    const loopStart = performance.now();
    const run = await runSvgd(evaluator, plan, hooks);
    const end = performance.now();
    return svgdResult(plan, run, {
      ms: end - start, msPerIteration: (end - loopStart) / run.iterations, backend: evaluator.backend, execution,
      planned: after[0] - before[0], recorded: after[1] - before[1],
    });
  } finally {
    evaluator.dispose(); // a cached evaluator's dispose() does nothing
  }
}
