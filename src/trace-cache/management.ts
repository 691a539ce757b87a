// The cache management API, one source of truth per layer. Layer 1 is the
// trace cache; 'all' means every layer phasekit keeps (today: traces).
import { setDefaultTraceStore } from '../trace/compile.js';
import type { Graph } from '../graph/graph.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import { TraceCache, type TraceCacheInfo, type TraceCacheOptions } from './trace-cache.js';

/** Cache layers phasekit keeps. */
export type CacheLayer = 'traces';

let defaultTraces: TraceCache | null = null;

setDefaultTraceStore(() => traceCache());

/** The process-wide trace cache used by `compile()` (created on first use with default options). */
export function traceCache(): TraceCache {
  if (!defaultTraces) {
    defaultTraces = new TraceCache();
    setDefaultTraceStore(defaultTraces);
  }
  return defaultTraces;
}

/** Replaces the process-wide trace cache (e.g. another directory or no persistence); returns it. */
export function configureTraceCache(options: TraceCacheOptions): TraceCache {
  void defaultTraces?.close();
  defaultTraces = new TraceCache(options);
  setDefaultTraceStore(defaultTraces);
  return defaultTraces;
}

/** Numbers for each layer. */
export async function cacheInfo(): Promise<Record<CacheLayer, TraceCacheInfo>> {
  return { traces: await traceCache().info() };
}

/** Empties one layer, or all of them. */
export async function clearCache(options: { layer?: CacheLayer | 'all' } = {}): Promise<void> {
  const layer = options.layer ?? 'all';
  if (layer === 'traces' || layer === 'all') await traceCache().clear();
}

/** Every layer's entries as one file. */
export function exportCache(): Promise<Uint8Array> {
  return traceCache().export();
}

/** Loads a file from {@link exportCache} (verified); returns the entries imported. */
export function importCache(bytes: Uint8Array): Promise<number> {
  return traceCache().import(bytes);
}

/** Drops old entries, then the least valuable beyond maxBytes, from the persistent tiers. */
export function vacuum(options: { maxAgeDays?: number; maxBytes?: number } = {}): Promise<VacuumResult[]> {
  return traceCache().vacuum(options);
}

/** Records (or loads) the traces of these graphs now, so later compile() calls hit. */
export function prewarm(graphs: Iterable<Graph>, options: { signal?: AbortSignal } = {}): Promise<{ warmed: number; skipped: number; failed: number; ms: number }> {
  return traceCache().prewarm(graphs, options);
}
