// Layer 2: compiled evaluators by content. The memory tier keeps each entry's
// specification and, once built, its live evaluator (kernel memory and all); the
// persistent tiers (IndexedDB or files, a remote store) keep the specification's
// bytes, for whoever holds only the key: a pool worker, an export. A caller with the
// graph holds the specification already (the key is a hash of it, specKey), so it reads
// nothing back and builds from its own copy; the trace it needs comes from layer 1.
// Entries read by key are verified: layout by the decoder, content by recomputing the
// key from the bytes (keyOfBytes); a record that fails is dropped and counted, never used.
import { createCache, type Cache, type CacheInfo } from '../cache/cache.js';
import { CacheError } from '../cache/errors.js';
import type { VacuumResult } from '../cache/management/vacuum.js';
import type { ByteSerializer } from '../cache/serializers/serializer.js';
import type { FileTier } from '../cache/tiers/file-tier.js';
import type { CacheTier, TierRecord } from '../cache/tiers/tier.js';
import { throwIfAborted, TraceError } from '../errors/index.js';
import type { Evaluator } from '../evaluate/evaluator.js';
import { decodeSpec, EVALUATOR_FORMAT_VERSION, keyOfBytes, type EvaluatorSpec } from '../evaluate/spec.js';
import { layerRecords, layerTiers, type LayerPersistence } from '../trace-cache/persistence.js';

/** One compiled evaluator: its specification (bytes and parsed) and, once built, the live evaluator. */
export interface CompiledEntry {
  bytes: Uint8Array;
  spec: EvaluatorSpec;
  /** Whether the bytes were checked against the key in this process (entries made here are). */
  verified: boolean;
  /** The live evaluator, built on first use. */
  live?: Promise<Evaluator>;
  /** Gives the live evaluator's memory back (set once it is built); it builds itself again when used. */
  release?: () => void;
}

/** Options of {@link EvaluatorCache}. */
export interface EvaluatorCacheOptions {
  /** Cache name: IndexedDB database / directory / tab channel. Default 'evaluators'. */
  name?: string;
  /** The persistent tier. Default: IndexedDB where it exists, else files in Node, else none. */
  persistence?: LayerPersistence;
  /** Live evaluators kept in memory. Default 64. */
  maxEntries?: number;
  /** Root of the layers' file stores (Node): evaluators go to `<root>/evaluators`. Default `$PHASEKIT_CACHE_DIR`, else `<XDG cache dir>/phasekit`. */
  root?: string;
  /** Exact directory of this cache's file store, instead of `<root>/<name>`. */
  dir?: string;
  /** IndexedDB factory (tests). */
  indexedDB?: IDBFactory;
  /** Keep other tabs coherent and plan each evaluator once across tabs. Default true. */
  sync?: boolean;
  /** A shared tier below the persistent one (Redis, HTTP), made with this layer's serializer. */
  remote?: (serializer: ByteSerializer) => CacheTier | undefined;
}

/** Stored as the specification's bytes; parsing checks the layout (the hash is checked on use). */
const entrySerializer: ByteSerializer = {
  name: 'phasekit-evaluator-v1',
  encode: (value) => (value as CompiledEntry).bytes,
  decode: (bytes) => {
    try {
      return { bytes: bytes.slice(), spec: decodeSpec(bytes), verified: false } satisfies CompiledEntry;
    } catch (e) {
      if (e instanceof TraceError) throw new CacheError('CORRUPT', `stored evaluator is unusable: ${e.message}`);
      throw e;
    }
  },
};

/** Whether record bytes give `key` (their layout too far off to have a key gives false). */
function hashesTo(bytes: Uint8Array, key: string): Promise<boolean> {
  return keyOfBytes(bytes).then((actual) => actual === key, () => false);
}

/** Compiled evaluators by content key: memory in front of IndexedDB or files. */
export class EvaluatorCache {
  /** The underlying toolkit cache. */
  readonly cache: Cache<CompiledEntry>;
  /** The persistent tier in use. */
  readonly persistence: LayerPersistence;
  private readonly fileTier: FileTier | null;
  // Names of the tiers below memory: the persistent one first, then a remote one.
  private readonly lowerTiers: string[];

  constructor(options: EvaluatorCacheOptions = {}) {
    const name = options.name ?? 'evaluators';
    const { persistence, fileTier, tiers } = layerTiers(name, options, entrySerializer);
    this.persistence = persistence;
    this.fileTier = fileTier;
    this.lowerTiers = tiers.slice(1).map((tier) => (typeof tier === 'string' ? tier : tier.name));
    this.cache = createCache<CompiledEntry>({
      name,
      tiers,
      policy: 'frecency',
      maxEntries: options.maxEntries ?? 64,
      sizeOf: (entry) => entry.bytes.byteLength,
      // An entry's evaluator gives its kernel memory back when the entry leaves memory (evicted,
      // deleted, cleared, closed), not at garbage collection.
      onRemove: (_key, entry) => entry.release?.(),
      serializer: entrySerializer,
      version: EVALUATOR_FORMAT_VERSION,
      indexedDB: options.indexedDB,
      sync: options.sync,
    });
  }

  /**
   * The entry for `key`: memory's, else `make()`'s (from the caller's specification, whose
   * key `key` is), stored in each persistent tier that lacks it. A stored record is not read
   * back: it can only hold these bytes, and reading, checking and decoding them cost more
   * than planning from the specification in hand. A made entry not yet `verified` is checked
   * against the key first (TraceError CHECKSUM_MISMATCH).
   */
  getOrStore(key: string, make: () => CompiledEntry, options: { signal?: AbortSignal } = {}): Promise<CompiledEntry> {
    throwIfAborted(options.signal, 'getOrStore');
    return this.cache.getOrStore(key, async () => {
      const entry = make();
      if (!entry.verified) {
        if (!(await hashesTo(entry.bytes, key))) throw new TraceError('CHECKSUM_MISMATCH', `evaluator bytes do not hash to their key ${key.slice(0, 12)}…`);
        entry.verified = true;
      }
      return entry;
    });
  }

  /**
   * The stored entry for `key` from the fastest tier holding it, or undefined. One whose
   * bytes do not hash to `key` is dropped and counted as corrupt: never used.
   */
  async get(key: string): Promise<CompiledEntry | undefined> {
    const entry = await this.cache.get(key);
    if (!entry || entry.verified) return entry;
    if (await hashesTo(entry.bytes, key)) {
      entry.verified = true;
      return entry;
    }
    await this.cache.markCorrupt(key);
    return undefined;
  }

  /** The file store's directory (Node), or undefined for other persistence. */
  async directory(): Promise<string | undefined> {
    return this.fileTier?.directory();
  }

  /** Layer 2's numbers: entries and bytes per tier, hits, misses, evaluators planned (`computed`), evictions, corrupt records. */
  async info(): Promise<CacheInfo & { layer: 2 }> {
    return { layer: 2, ...(await this.cache.info()) };
  }

  /** Removes every entry from every tier. */
  clear(): Promise<void> {
    return this.cache.clear();
  }

  /** Every stored evaluator as archive records (values: specification bytes). */
  exportRecords(): Promise<TierRecord<Uint8Array>[]> {
    // Read through get(): a record that fails its hash is dropped here, not exported.
    return layerRecords({ keys: () => this.cache.keys(), get: (key) => this.get(key) }, EVALUATOR_FORMAT_VERSION, (entry) => entry.bytes);
  }

  /** Stores archive records after checking each (layout and SHA-256 against its key); returns how many. Throws TraceError on a bad one. */
  async importRecords(records: TierRecord<Uint8Array>[]): Promise<number> {
    let imported = 0;
    for (const record of records) {
      const bytes = record.value as Uint8Array;
      const spec = decodeSpec(bytes);
      if (!(await hashesTo(bytes, record.key))) throw new TraceError('CHECKSUM_MISMATCH', `evaluator ${record.key.slice(0, 12)}… does not hash to its key`);
      await this.cache.set(record.key, { bytes, spec, verified: true });
      imported++;
    }
    return imported;
  }

  /**
   * Drops persisted evaluators not used for `maxAgeDays`, then the least valuable beyond
   * `maxBytes`. The persistent tier's records are read and checked against their keys first
   * (a caller holding the graph never reads its record back, so a damaged one is found here),
   * those that fail removed and counted as corrupt. A remote tier is vacuumed without reading.
   */
  async vacuum(options: { maxAgeDays?: number; maxBytes?: number } = {}): Promise<VacuumResult[]> {
    const verify = (entry: CompiledEntry, key: string) => hashesTo(entry.bytes, key);
    const results: VacuumResult[] = [];
    for (const [i, tier] of this.lowerTiers.entries()) results.push(...(await this.cache.vacuum({ ...options, tier, verify: i === 0 && this.persistence !== 'none' ? verify : undefined })));
    return results;
  }

  /** Stops timers and closes the persistent tier. */
  close(): Promise<void> {
    return this.cache.close();
  }
}
