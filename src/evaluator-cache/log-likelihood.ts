// logLikelihood(graph, data): log L and its gradient for one θ or a batch, through
// a compiled evaluator from layer 2 (so repeated calls plan nothing).
import { GraphError } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import type { EvaluationProgress } from '../evaluate/evaluator.js';
import type { LikelihoodLimits } from '../likelihood/point-likelihood.js';
import type { Observations } from '../likelihood/observations.js';
import { checkTheta } from '../graph/arguments.js';
import { createEvaluator, type CreateEvaluatorOptions } from './create-evaluator.js';

/** Options of {@link logLikelihood}. */
export interface LogLikelihoodOptions extends CreateEvaluatorOptions {
  /** One θ (paramLength numbers). Give this or `thetas`; neither for a graph without parameters. */
  theta?: ArrayLike<number>;
  /** A batch of θ: row-major Float64Array, P rows × paramLength. */
  thetas?: Float64Array;
  /** Compute ∂ log L/∂θ too. Default true. */
  gradient?: boolean;
  /** Bounds on the work of one evaluation (times and steps). */
  limits?: LikelihoodLimits;
  /** Rows done of a long batch. */
  onProgress?: EvaluationProgress;
}

/** log L for each θ row (one value per row), and ∂ log L/∂θ (row-major, rows × paramLength) unless `gradient: false`. */
export interface LogLikelihoodResult {
  logLik: Float64Array;
  gradient: Float64Array | null;
}

/** The log-likelihood of `data` under `graph` at one θ or a batch of θ, with exact gradients. */
export async function logLikelihood(graph: StateGraph, data: Observations, options: LogLikelihoodOptions = {}): Promise<LogLikelihoodResult> {
  const { theta, thetas, gradient = true, limits, onProgress, ...create } = options;
  if (theta !== undefined && thetas !== undefined) throw new GraphError('BAD_THETA', 'give theta (one θ) or thetas (a batch), not both');
  const rows = theta !== undefined ? checkTheta(graph.paramLength, theta) : thetas;
  const evaluator = await createEvaluator(graph, { kind: 'loglik', data, limits }, create);
  const { values, gradients } = await evaluator.evaluate({ thetas: rows, gradient, signal: create.signal, onProgress });
  return { logLik: values, gradient: gradients };
}
