// The trace cache (layer 1): a frecency memory tier of live traces in front of
// IndexedDB (browsers, workers) or a file store (Node), keyed by structural
// hash. Built on the general cache toolkit — one cache implementation in the
// project — with traces stored in their binary format below memory.
import { createCache, type Cache } from '../cache/cache.js';
import type { CacheStatsSnapshot, TierOccupancy } from '../cache/cache.js';
import { decodeArchive, encodeArchive } from '../cache/management/archive.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import { warm } from '../cache/management/warm.js';
import type { TierSpec } from '../cache/tiers/resolve-tiers.js';
import { FileTier } from '../cache/tiers/file-tier.js';
import type { CacheTier, TierRecord } from '../cache/tiers/tier.js';
import type { ByteSerializer } from '../cache/serializers/serializer.js';
import type { Graph } from '../graph/graph.js';
import type { TraceStore } from '../trace/compile.js';
import { decodeTrace, encodeTrace } from '../trace/format.js';
import { structuralHash, TRACE_FORMAT_VERSION } from '../trace/structural-hash.js';
import { Trace } from '../trace/trace.js';
import { traceSerializer } from './trace-serializer.js';

/** Where traces persist below the memory tier. */
export type TracePersistence = 'indexeddb' | 'file' | 'none';

/** Options of {@link createTraceCache}. */
export interface TraceCacheOptions {
  /** Cache name: the IndexedDB database / file directory / tab channel. Default 'traces'. */
  name?: string;
  /** The persistent tier. Default: 'indexeddb' where IndexedDB exists, else 'file' in Node, else 'none'. */
  persistence?: TracePersistence;
  /** Live traces kept in memory. Default 256. */
  maxEntries?: number;
  /** Bytes of live traces kept in memory (serialised size). Default 512 MiB. */
  maxBytes?: number;
  /** File store directory (Node). Default `$PHASEKIT_CACHE_DIR`, else `<XDG cache dir>/phasekit/traces`. */
  dir?: string;
  /** IndexedDB factory (tests). Default globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** Keep other tabs coherent and record each structure once across tabs. Default true. */
  sync?: boolean;
  /** A shared tier below the persistent one, made with the trace serializer: `(serializer) => redisTier({ url, serializer })`. */
  remote?: (serializer: ByteSerializer) => CacheTier | undefined;
}

/** One layer's numbers, as `cacheInfo()` reports them. */
export interface TraceCacheInfo {
  /** Entries and bytes per tier (memory and the persistent tier), with oldest/newest store times. */
  tiers: Record<string, TierOccupancy>;
  /** Lookups answered from memory or the persistent tier. */
  hits: number;
  misses: number;
  /** hits / (hits + misses); NaN before any lookup. */
  hitRate: number;
  /** Structures eliminated (recorded) by this process. */
  recorded: number;
  evictions: number;
  /** Stored traces that failed verification and were dropped (then recomputed). */
  corrupt: number;
  /** Oldest / newest store time over all tiers (epoch ms). */
  oldest?: number;
  newest?: number;
  /** The toolkit's full counters. */
  stats: CacheStatsSnapshot;
}

function defaultPersistence(): TracePersistence {
  if (typeof indexedDB !== 'undefined') return 'indexeddb';
  if (typeof process !== 'undefined' && process.versions?.node) return 'file';
  return 'none';
}

function defaultDir(): string | undefined {
  return typeof process !== 'undefined' ? process.env?.PHASEKIT_CACHE_DIR || undefined : undefined;
}

/** Traces by structural hash, recorded at most once per structure across tiers, tabs and restarts. */
export class TraceCache implements TraceStore {
  /** The underlying toolkit cache (live traces in memory, bytes below). */
  readonly cache: Cache<Trace>;
  /** The persistent tier in use. */
  readonly persistence: TracePersistence;

  private readonly fileTier: FileTier | null;

  constructor(options: TraceCacheOptions = {}) {
    const name = options.name ?? 'traces';
    this.persistence = options.persistence ?? defaultPersistence();
    this.fileTier = this.persistence === 'file' ? new FileTier({ name, dir: options.dir ?? defaultDir(), serializer: traceSerializer }) : null;
    const local: TierSpec[] = this.fileTier ? ['memory', this.fileTier] : this.persistence === 'none' ? ['memory'] : ['memory', this.persistence];
    const remote = options.remote?.(traceSerializer);
    const tiers = remote ? [...local, remote] : local;
    this.cache = createCache<Trace>({
      name,
      tiers,
      policy: 'frecency',
      maxEntries: options.maxEntries ?? 256,
      maxBytes: options.maxBytes ?? 512 * 1024 * 1024,
      sizeOf: (trace) => trace.stats().bytes,
      serializer: traceSerializer,
      version: TRACE_FORMAT_VERSION,
      // A record must be the trace of the structure its key names.
      validate: (trace, key) => trace.hash === key,
      indexedDB: options.indexedDB,
      sync: options.sync,
    });
  }

  /** The file store's directory (Node), or undefined for other persistence. */
  async directory(): Promise<string | undefined> {
    return this.fileTier?.directory();
  }

  /** The trace for `hash`; on a miss everywhere, `record()` runs once (per process and, with locks, per origin). */
  getOrRecord(hash: string, record: () => Trace, options: { signal?: AbortSignal } = {}): Promise<Trace> {
    return this.cache.getOrCompute(hash, () => Object.assign(record(), { hash }), { signal: options.signal });
  }

  /** The trace of a graph's structure. */
  async traceOf(graph: Graph, options: { signal?: AbortSignal } = {}): Promise<Trace> {
    const structure = graph.structure();
    return this.getOrRecord(await structuralHash(structure), () => Trace.record(structure), options);
  }

  /** Entries, bytes, hits, misses, hit rate, recordings, evictions, corrupt records, oldest/newest. */
  async info(): Promise<TraceCacheInfo> {
    const stats = this.cache.stats();
    const tiers = await this.cache.tierOccupancy();
    const times = Object.values(tiers).flatMap((t) => [t.oldest, t.newest]).filter((x): x is number => x !== undefined);
    return {
      tiers, stats,
      hits: stats.hits, misses: stats.misses, hitRate: stats.hitRate,
      recorded: stats.computations, evictions: stats.evictions, corrupt: stats.corrupt,
      ...(times.length ? { oldest: Math.min(...times), newest: Math.max(...times) } : {}),
    };
  }

  /** Removes every trace from every tier (and other tabs' memory). */
  clear(): Promise<void> {
    return this.cache.clear();
  }

  /** Every stored trace in one archive (the toolkit's checksummed container; values are trace bytes). */
  async export(): Promise<Uint8Array> {
    const records: TierRecord<Uint8Array>[] = [];
    const now = Date.now();
    for (const key of await this.cache.keys()) {
      const trace = await this.cache.get(key);
      if (!trace) continue;
      const bytes = encodeTrace(trace, key);
      records.push({ key, value: bytes, storedAt: now, accessedAt: now, expiresAt: 0, size: bytes.byteLength, hits: 0, version: TRACE_FORMAT_VERSION });
    }
    return encodeArchive(records);
  }

  /** Loads an archive from {@link TraceCache.export}; every trace is verified (checksum, hash) first. Returns how many. */
  async import(archive: Uint8Array): Promise<number> {
    const records = await decodeArchive(archive);
    let imported = 0;
    for (const record of records) {
      const { trace, hash } = decodeTrace(record.value as Uint8Array); // throws TraceError on a bad trace
      if (hash !== record.key) continue;
      await this.cache.set(hash, trace);
      imported++;
    }
    return imported;
  }

  /** Drops persisted traces not used for `maxAgeDays`, then the least valuable beyond `maxBytes`. */
  vacuum(options: { maxAgeDays?: number; maxBytes?: number } = {}): Promise<VacuumResult[]> {
    return this.cache.vacuum(options);
  }

  /** Records (or loads) the traces of these graphs ahead of use. */
  async prewarm(graphs: Iterable<Graph>, options: { signal?: AbortSignal; concurrency?: number } = {}): Promise<{ warmed: number; skipped: number; failed: number; ms: number }> {
    const byHash = new Map<string, Graph>();
    for (const graph of graphs) byHash.set(await structuralHash(graph.structure()), graph);
    return warm(this.cache, {
      keys: byHash.keys(),
      load: (hash) => Object.assign(Trace.record(byHash.get(hash)!.structure()), { hash }),
      concurrency: options.concurrency ?? 1,
      signal: options.signal,
    });
  }

  /** Stops timers and closes the persistent tier. */
  close(): Promise<void> {
    return this.cache.close();
  }
}

/** A trace cache with its own tiers (see {@link TraceCacheOptions}). */
export function createTraceCache(options: TraceCacheOptions = {}): TraceCache {
  return new TraceCache(options);
}
