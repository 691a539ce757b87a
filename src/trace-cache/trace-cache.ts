// The trace cache (layer 1): a frecency memory tier of live traces in front of
// IndexedDB (browsers, workers) or a file store (Node), keyed by structural
// hash. Built on the general cache toolkit — one cache implementation in the
// project — with traces stored in their binary format below memory.
import { createCache, type Cache, type CacheInfo } from '../cache/cache.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import { warm } from '../cache/management/warm.js';
import type { FileTier } from '../cache/tiers/file-tier.js';
import type { CacheTier, TierRecord } from '../cache/tiers/tier.js';
import type { ByteSerializer } from '../cache/serializers/serializer.js';
import type { StateGraph } from '../graph/state-graph.js';
import type { TraceStore, TraceStoreOptions } from './trace-store.js';
import { decodeTrace, encodeTrace } from '../trace/format.js';
import { structuralHash, TRACE_FORMAT_VERSION } from '../trace/structural-hash.js';
import { Trace } from '../trace/trace.js';
import { traceSerializer } from './trace-serializer.js';
import { layerRecords, layerTiers, type LayerPersistence } from './persistence.js';

/** Where traces persist below the memory tier. */
export type TracePersistence = LayerPersistence;

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
  /** Root of the layers' file stores (Node); traces go to `<root>/traces`. Default `$PHASEKIT_CACHE_DIR`, else `<XDG cache dir>/phasekit`. */
  root?: string;
  /** Exact directory of this cache's file store, instead of `<root>/<name>`. */
  dir?: string;
  /** IndexedDB factory (tests). Default globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** Keep other tabs coherent and record each structure once across tabs. Default true. */
  sync?: boolean;
  /** A shared tier below the persistent one, made with the trace serializer: `(serializer) => redisTier({ url, serializer })`. */
  remote?: (serializer: ByteSerializer) => CacheTier | undefined;
}

/** Traces by structural hash, recorded at most once per structure across tiers, tabs and restarts. */
export class TraceCache implements TraceStore {
  /** The underlying toolkit cache (live traces in memory, bytes below). */
  readonly cache: Cache<Trace>;
  /** The persistent tier in use. */
  readonly persistence: TracePersistence;

  private readonly fileTier: FileTier | null;
  private closed = false;

  constructor(options: TraceCacheOptions = {}) {
    const name = options.name ?? 'traces';
    // Traces are read synchronously whatever their size, straight into kernel memory (see the
    // trace serializer): the alternative to a hit is recording, a synchronous kernel call as long.
    const { persistence, fileTier, tiers } = layerTiers(name, { ...options, syncReadBytes: Infinity }, traceSerializer);
    this.persistence = persistence;
    this.fileTier = fileTier;
    this.cache = createCache<Trace>({
      name,
      tiers,
      policy: 'frecency',
      maxEntries: options.maxEntries ?? 256,
      maxBytes: options.maxBytes ?? 512 * 1024 * 1024,
      sizeOf: (trace) => trace.stats().bytes,
      // A trace that leaves memory (evicted, deleted, cleared, closed) gives its kernel memory
      // back now. Left to the garbage collector, which knows nothing of kernel memory, a loop
      // over new structures grew the kernel by each evicted trace (1.9 MB per random 5k-vertex
      // graph) without bound. A model still holding the trace records it again on its next use,
      // and offers it back to memory (adopt).
      onRemove: (_key, trace) => trace.release(),
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

  /**
   * The trace for `hash`; on a miss everywhere, `record()` runs once (per process and, with
   * locks, per origin). A stored trace that `verify` rejects (say, one of another structure
   * under this key) is dropped, counted as corrupt and recorded again: never used twice.
   */
  async getOrRecord(hash: string, record: () => Trace, options: TraceStoreOptions = {}): Promise<Trace> {
    const fresh = () => Object.assign(record(), { hash });
    let trace = await this.cache.getOrCompute(hash, fresh, { signal: options.signal });
    if (options.verify && !options.verify(trace)) {
      await this.cache.markCorrupt(hash);
      trace = await this.cache.getOrCompute(hash, fresh, { signal: options.signal });
    }
    trace.adoptAfterRevival(this.adopt);
    return trace;
  }

  // A trace the memory tier evicted (and released) that a model used again, so recorded again:
  // back into memory where it fits without evicting another and no trace of its structure is
  // there by now; not after close (the trace is then the model's alone, as any trace is).
  private readonly adopt = (trace: Trace): void => {
    if (trace.hash && !trace.isReleased && !this.closed) this.cache.adoptInMemory(trace.hash, trace);
  };

  /** The trace of a graph's structure. */
  async traceOf(graph: StateGraph, options: { signal?: AbortSignal } = {}): Promise<Trace> {
    const structure = graph.structure();
    return this.getOrRecord(await structuralHash(structure), () => Trace.record(structure), options);
  }

  /** Layer 1's numbers: entries and bytes per tier, hits, misses, traces recorded (`computed`), evictions, corrupt records. */
  async info(): Promise<CacheInfo & { layer: 1 }> {
    return { layer: 1, ...(await this.cache.info()) };
  }

  /** Removes every trace from every tier (and other tabs' memory). */
  clear(): Promise<void> {
    return this.cache.clear();
  }

  /** Every stored trace as archive records (values are verified trace bytes). */
  exportRecords(): Promise<TierRecord<Uint8Array>[]> {
    return layerRecords(this.cache, TRACE_FORMAT_VERSION, (trace, key) => encodeTrace(trace, key));
  }

  /** Stores archive records from {@link TraceCache.exportRecords}; every trace is verified (checksum, hash) first. Returns how many. */
  async importRecords(records: TierRecord<Uint8Array>[]): Promise<number> {
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
  async prewarm(graphs: Iterable<StateGraph>, options: { signal?: AbortSignal; concurrency?: number } = {}): Promise<{ warmed: number; skipped: number; failed: number; ms: number }> {
    const byHash = new Map<string, StateGraph>();
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
    this.closed = true;
    return this.cache.close();
  }
}

/** A trace cache with its own tiers (see {@link TraceCacheOptions}). */
export function createTraceCache(options: TraceCacheOptions = {}): TraceCache {
  return new TraceCache(options);
}
