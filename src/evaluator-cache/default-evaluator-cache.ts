// The process-wide evaluator cache (layer 2), created on first use; in Node it
// shares through the remote store PHASEKIT_CACHE_REMOTE (or PHASEKIT_REDIS_URL) names.
import { lazyRemoteTierFromEnv } from '../cache/remote/lazy-remote-tier.js';
import { EvaluatorCache, type EvaluatorCacheOptions } from './evaluator-cache.js';

const fromEnv: EvaluatorCacheOptions['remote'] = (serializer) => lazyRemoteTierFromEnv({ serializer, namespace: 'evaluators' });

let current: EvaluatorCache | null = null;

/** The process-wide compiled-evaluator cache used by `createEvaluator()`. */
export function evaluatorCache(): EvaluatorCache {
  current ??= new EvaluatorCache({ remote: fromEnv });
  return current;
}

/** Replaces the process-wide evaluator cache; returns it. */
export function configureEvaluatorCache(options: EvaluatorCacheOptions): EvaluatorCache {
  void current?.close();
  current = new EvaluatorCache({ remote: fromEnv, ...options });
  return current;
}

/** Closes the process-wide evaluator cache; the next use opens a fresh one. */
export async function closeEvaluatorCache(): Promise<void> {
  const closing = current;
  current = null;
  await closing?.close();
}
