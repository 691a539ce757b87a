// The process-wide trace cache (layer 1), created on first use: compile() and
// the cache management API both reach it through traceCache(), never through a
// side-effect import.
import { TraceCache, type TraceCacheOptions } from './trace-cache.js';

let current: TraceCache | null = null;

/** The process-wide trace cache used by `compile()` (created on first use with default options). */
export function traceCache(): TraceCache {
  current ??= new TraceCache();
  return current;
}

/** Replaces the process-wide trace cache (e.g. another directory or no persistence); returns it. */
export function configureTraceCache(options: TraceCacheOptions): TraceCache {
  void current?.close();
  current = new TraceCache(options);
  return current;
}
