/** What a tier keeps about an entry besides its value. All times are epoch milliseconds. */
export interface TierEntryMeta {
  /** The full cache key (namespace prefix included). */
  key: string;
  /** When the value was computed and first stored. */
  storedAt: number;
  /** When the entry was last read through a cache (maintained via {@link CacheTier.touch}). */
  accessedAt: number;
  /** When the entry stops being valid; 0 for never. */
  expiresAt: number;
  /** Bytes the value occupies (the cache's `sizeOf`, or what the tier actually wrote). */
  size: number;
  /** Reads through a cache since stored, as far as the tier tracks them. */
  hits: number;
  /** Tags given at `set`, for `invalidateTag`. */
  tags?: string[];
  /** Keys this entry was derived from: invalidating one of them invalidates this entry. */
  dependsOn?: string[];
  /** The cache's `version` when written; entries of another version are ignored and removed. */
  version?: string | number;
}

/** A tier's listing together with what else it found, for honest occupancy reports. */
export interface TierScan {
  /** Metadata of every readable entry: what `list()` returns. */
  entries: TierEntryMeta[];
  /** Writes under way (or abandoned, not yet stale): their records and bytes, counted apart from entries. */
  pending: { records: number; bytes: number };
}

/** One stored entry: its metadata and its (decoded) value. */
export interface TierRecord<V = unknown> extends TierEntryMeta {
  /** The value, as the cache's user sees it. */
  value: V;
}

/** A lock held in a shared store; see {@link CacheTier.lock}. */
export interface TierLock {
  /** Gives the lock up if this holder still has it (one whose lease ran out is left to its successor). */
  release(): Promise<void>;
}

/**
 * A storage layer below the memory tier: IndexedDB, a directory, or a remote store.
 * The cache calls these methods only; write a Redis or HTTP tier against this interface.
 *
 * Contract:
 * - Methods are async and may be called concurrently; later calls for one key must win.
 * - `get` returns the decoded value; unreadable data throws CacheError `CORRUPT`
 *   (the cache then deletes it and counts it in `stats().corrupt`).
 * - A full store throws CacheError `QUOTA_EXCEEDED` (or a DOMException named
 *   QuotaExceededError); the cache then evicts from this tier by value and retries once.
 * - Expiry, versions and validation are the cache's business: a tier stores and returns
 *   the metadata it was given and never filters on it.
 * - A tier that cannot reach its store may degrade to a no-op (and say so once) rather
 *   than throw on every call; one that cannot read or write its store throws CacheError
 *   `TIER_UNAVAILABLE` naming the place (a path, a URL), never a raw platform error.
 */
export interface CacheTier {
  /** Unique within one cache; shows in stats ('indexeddb', 'file', 'redis'). */
  readonly name: string;
  /** True when other tabs or processes see the same entries (enables cross-tab locking). */
  readonly shared: boolean;
  /** The entry for `key`, or undefined. */
  get(key: string): Promise<TierRecord | undefined>;
  /** Metadata only, without reading the value. */
  head(key: string): Promise<TierEntryMeta | undefined>;
  /** Stores (or replaces) an entry. */
  set(record: TierRecord): Promise<void>;
  /** Removes these keys; missing keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every entry of this tier. */
  clear(): Promise<void>;
  /** Metadata of every entry, for listing, vacuuming and invalidation scans. */
  list(): Promise<TierEntryMeta[]>;
  /** Records a read at `accessedAt` (bumps `hits`); optional, used for eviction ranking. */
  touch?(key: string, accessedAt: number): Promise<void>;
  /** Keys whose `tags` (or `dependsOn`) contain `value`; optional fast path over scanning `list()`. */
  query?(field: 'tags' | 'dependsOn', value: string): Promise<string[]>;
  /**
   * Single flight across processes, for `getOrCompute`: resolves once this process holds
   * the lock on `key` (it expires by itself if the holder dies), or once an entry for `key`
   * exists in this tier (the lock is then a no-op). Undefined when the store is unreachable:
   * the caller computes alone. Optional; only shared stores (Redis) offer it.
   */
  lock?(key: string, signal?: AbortSignal): Promise<TierLock | undefined>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
  /**
   * Throws CacheError `NOT_SERIALIZABLE` when `set` could not store `value` so that `get`
   * returns an equal one. Optional; the cache calls it before writing any tier.
   */
  checkValue?(value: unknown): void;
  /** `list()` plus writes under way; optional, for `tierOccupancy()`. */
  scan?(): Promise<TierScan>;
  /**
   * Unreadable records the tier found and removed on its own (while listing) since the
   * last call; optional. The cache adds them to `stats().corrupt`.
   */
  takeCorrupt?(): number;
}

/** The metadata part of a record (drops the value). */
export function metaOf(record: TierRecord): TierEntryMeta {
  const { value: _value, ...meta } = record;
  return meta;
}
