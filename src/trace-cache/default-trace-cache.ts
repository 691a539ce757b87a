// The process-wide trace cache (layer 1), created on first use: compile() and
// the cache management API both reach it through traceCache(), never through a
// side-effect import. In Node it shares traces through the remote store that
// PHASEKIT_CACHE_REMOTE (or PHASEKIT_REDIS_URL) names.
import { lazyRemoteTierFromEnv } from '../cache/remote/lazy-remote-tier.js';
import { TraceCache, type TraceCacheOptions } from './trace-cache.js';

let current: TraceCache | null = null;

/** The process-wide trace cache used by `compile()` (created on first use with default options). */
export function traceCache(): TraceCache {
  current ??= new TraceCache({ remote: (serializer) => lazyRemoteTierFromEnv({ serializer, namespace: 'traces' }) });
  return current;
}

/** Replaces the process-wide trace cache (e.g. another directory or no persistence); returns it. */
export function configureTraceCache(options: TraceCacheOptions): TraceCache {
  void current?.close();
  current = new TraceCache({ remote: (serializer) => lazyRemoteTierFromEnv({ serializer, namespace: 'traces' }), ...options });
  return current;
}

/** Closes the process-wide trace cache; the next use opens a fresh one. */
export async function closeTraceCache(): Promise<void> {
  const closing = current;
  current = null;
  await closing?.close();
}
