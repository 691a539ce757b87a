// The cache management API, one source of truth per layer: every verb runs over
// the registered layers (1 traces, 2 compiled evaluators, 3 WebGPU pipelines).
import { decodeArchive, encodeArchive } from '../cache/management/archive.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import type { TierRecord } from '../cache/tiers/tier.js';
import { GraphError } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import { traceCache } from '../trace-cache/default-trace-cache.js';
import { LAYER_NAMES, type CacheLayer, type LayerInfo } from '../layer-registry/layer.js';
import { layerNamed, registeredLayers } from './registry.js';

// Archive keys are "<layer>:<key>"; a bare key (archives from before layers) is a trace.
const SEPARATOR = ':';

function checkLayer(layer: string): CacheLayer | 'all' {
  if (layer === 'all' || (LAYER_NAMES as readonly string[]).includes(layer)) return layer as CacheLayer | 'all';
  throw new GraphError('BAD_ARGUMENT', `unknown cache layer '${layer}' (expected one of ${LAYER_NAMES.join(', ')}, all)`);
}

function selected(layer: CacheLayer | 'all') {
  return registeredLayers().filter((l) => layer === 'all' || l.name === layer);
}

/** Numbers for each registered layer: entries and bytes per tier, hits, misses, hit rate, builds, evictions, corrupt records. */
export async function cacheInfo(): Promise<Partial<Record<CacheLayer, LayerInfo>>> {
  const out: Partial<Record<CacheLayer, LayerInfo>> = {};
  for (const l of registeredLayers()) out[l.name] = await l.info();
  return out;
}

/** Empties one layer, or all of them (default). */
export async function clearCache(options: { layer?: CacheLayer | 'all' } = {}): Promise<void> {
  for (const l of selected(checkLayer(options.layer ?? 'all'))) await l.clear();
}

/** Every layer's stored entries as one checksummed file (or one layer's, with `layer`). */
export async function exportCache(options: { layer?: CacheLayer | 'all' } = {}): Promise<Uint8Array> {
  const records: TierRecord<Uint8Array>[] = [];
  for (const l of selected(checkLayer(options.layer ?? 'all')))
    for (const record of await l.exportRecords()) records.push({ ...record, key: `${l.name}${SEPARATOR}${record.key}` });
  return encodeArchive(records);
}

/** Loads a file from {@link exportCache}; every entry is verified by its layer first. Returns the entries imported. */
export async function importCache(bytes: Uint8Array): Promise<number> {
  const byLayer = new Map<CacheLayer, TierRecord<Uint8Array>[]>();
  for (const record of (await decodeArchive(bytes)) as TierRecord<Uint8Array>[]) {
    const at = record.key.indexOf(SEPARATOR);
    const name = (at < 0 ? 'traces' : record.key.slice(0, at)) as CacheLayer;
    const key = at < 0 ? record.key : record.key.slice(at + 1);
    if (!layerNamed(name)) throw new GraphError('BAD_FORMAT', `the archive holds entries of cache layer '${name}', which this phasekit does not have`);
    byLayer.set(name, [...(byLayer.get(name) ?? []), { ...record, key }]);
  }
  let imported = 0;
  for (const [name, records] of byLayer) imported += await layerNamed(name)!.importRecords(records);
  return imported;
}

/** Drops old entries, then the least valuable beyond maxBytes, from every layer's persistent tier. */
export async function vacuum(options: { maxAgeDays?: number; maxBytes?: number; layer?: CacheLayer | 'all' } = {}): Promise<Partial<Record<CacheLayer, VacuumResult[]>>> {
  const out: Partial<Record<CacheLayer, VacuumResult[]>> = {};
  for (const l of selected(checkLayer(options.layer ?? 'all'))) out[l.name] = await l.vacuum(options);
  return out;
}

/** What a prewarm did: counts of entries warmed, skipped, failed, and the time it took. */
export interface PrewarmResult { warmed: number; skipped: number; failed: number; ms: number }

/**
 * Records (or loads) the traces of these graphs now, so later compile() and evaluator calls hit;
 * with the WebGPU layer loaded, also compiles its stored pipelines (reported as `pipelines`).
 */
export async function prewarm(graphs: Iterable<StateGraph>, options: { signal?: AbortSignal } = {}): Promise<PrewarmResult & { pipelines?: PrewarmResult }> {
  const pipelines = layerNamed('pipelines')?.prewarm?.() as Promise<PrewarmResult> | undefined;
  const traces = await traceCache().prewarm(graphs, options);
  return pipelines ? { ...traces, pipelines: await pipelines } : traces;
}
