// The process-wide evaluator cache (layer 2), created on first use.
import { EvaluatorCache, type EvaluatorCacheOptions } from './evaluator-cache.js';

let current: EvaluatorCache | null = null;

/** The process-wide compiled-evaluator cache used by `createEvaluator()`. */
export function evaluatorCache(): EvaluatorCache {
  current ??= new EvaluatorCache();
  return current;
}

/** Replaces the process-wide evaluator cache; returns it. */
export function configureEvaluatorCache(options: EvaluatorCacheOptions): EvaluatorCache {
  void current?.close();
  current = new EvaluatorCache(options);
  return current;
}
