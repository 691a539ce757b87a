import type { PolicyName } from './policy/policy.js';
import type { Serializer } from './serializers/serializer.js';
import type { TierSpec } from './tiers/resolve-tiers.js';

/** Options of {@link createCache}. */
/** Why a value left the memory tier (see {@link CacheOptions.onRemove}). */
export type RemovalReason = 'evict' | 'expire' | 'delete' | 'clear' | 'close';

export interface CacheOptions<V = unknown> {
  /** Names the cache: its IndexedDB database, file directory, BroadcastChannel and locks. */
  name: string;
  /** Storage layers, fastest first (default ['memory']). Memory is always in front. */
  tiers?: TierSpec[];
  /** Memory-tier eviction policy (default 'frecency', W-TinyLFU). */
  policy?: PolicyName;
  /** Most entries in the memory tier (default 10 000 unless `maxBytes` is set). */
  maxEntries?: number;
  /** Most bytes in the memory tier, as measured by `sizeOf`. */
  maxBytes?: number;
  /** Default time to live in ms for entries set without one: above 0, or Infinity (the default) for never. */
  ttl?: number;
  /** Bytes a value costs; default: ArrayBuffer/typed arrays by byteLength, strings 2 bytes/char, objects estimated. */
  sizeOf?: (value: V, key: string) => number;
  /**
   * Called when a value leaves the memory tier: to make room ('evict'), its time to live ran
   * out ('expire'), it was deleted or invalidated, here or in another tab ('delete'), the
   * cache was cleared ('clear') or closed ('close'). Lower tiers may still hold it. For values
   * that hold resources (a trace's kernel memory) to give them back. Not called when a key's
   * value is replaced by `set`. An error it throws is reported, not thrown.
   */
  onRemove?: (key: string, value: V, reason: RemovalReason) => void;
  /** How the 'indexeddb' and 'file' tiers store values (defaults: structured clone and binary). */
  serializer?: Serializer;
  /** Data version: entries written under another version are ignored and removed. */
  version?: string | number;
  /** Checks a value loaded from a lower tier; a failing one is dropped, counted as corrupt and treated as a miss. */
  validate?: (value: V, key: string) => boolean;
  /** How often expired entries are swept once some entry has a TTL (default 60 000 ms; 0 disables). */
  sweepIntervalMs?: number;
  /** Keep other tabs' memory tiers coherent and lock computations across tabs (default true). */
  sync?: boolean;
  /** IndexedDB factory for the 'indexeddb' tier (default globalThis.indexedDB). */
  indexedDB?: IDBFactory;
  /** Directory for the 'file' tier (default `<XDG cache dir>/phasekit/<name>`). */
  dir?: string;
}

/** Per-entry options of `set`. */
export interface SetOptions {
  /** Time to live in ms: above 0, or Infinity for never; overrides the cache default. 0, negatives, NaN and non-numbers are BAD_OPTION. */
  ttl?: number;
  /** Labels for `invalidateTag`. */
  tags?: string[];
  /** Keys this value was derived from: invalidating any of them invalidates this entry. */
  dependsOn?: string[];
}

/** Options of `getOrCompute`. */
export interface ComputeOptions extends SetOptions {
  /** Aborts waiting for the cross-tab lock and is passed to the computation. */
  signal?: AbortSignal;
}

/** Default memory capacity when neither maxEntries nor maxBytes is given. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/** Separator between a namespace and the keys inside it; a control character so user keys cannot forge it. */
export const NAMESPACE_SEPARATOR = '\u001f';
