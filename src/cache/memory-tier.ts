import { CacheError } from './errors.js';
import { KeyIndex } from './key-index.js';
import { createPolicy } from './policy/create-policy.js';
import type { EvictionPolicy, PolicyName } from './policy/policy.js';
import { estimateSize } from './size.js';

/** Why an entry left the memory tier on its own. */
export type MemoryRemovalReason = 'evict' | 'expire';

/** Options for {@link MemoryTier}. */
export interface MemoryTierOptions<V> {
  /** Most entries held at once (default unbounded; set this or `maxBytes`). */
  maxEntries?: number;
  /** Most bytes held at once, as measured by `sizeOf` (default unbounded). */
  maxBytes?: number;
  /** Eviction policy (default 'frecency'). */
  policy?: PolicyName;
  /** Bytes one entry costs; default {@link estimateSize}. Only called when a byte budget is set or this is given. */
  sizeOf?: (value: V, key: string) => number;
  /** Called when an entry is evicted or found expired (not on delete/clear). */
  onRemove?: (key: string, value: V, reason: MemoryRemovalReason) => void;
}

/** Per-write options of {@link MemoryTier.set}. */
export interface MemorySetOptions {
  /** Absolute expiry time in epoch ms; 0 or absent: never. */
  expiresAt?: number;
  /** When the value was first stored, epoch ms; 0 or absent: unknown (the raw tier reads no clock on writes). */
  storedAt?: number;
  /** Byte size when already known (skips `sizeOf`). */
  size?: number;
}

/** What the memory tier knows about one resident entry besides its value. */
export interface MemoryEntryInfo {
  /** Absolute expiry in epoch ms, 0 for never. */
  expiresAt: number;
  /** When stored, epoch ms. */
  storedAt: number;
  /** Bytes counted against the budget (0 when no budget is tracked). */
  size: number;
  /** Hits since stored. */
  hits: number;
}

const INITIAL_SLOTS = 1024;

/**
 * The in-process front tier: a {@link KeyIndex} from key to slot and one typed array per field
 * (expiry, store time, size, hits), ordered by a pluggable {@link EvictionPolicy}. Reads are
 * synchronous and allocation-free. A field costs nothing while unused: a free slot holds 0
 * in every array, so a write that stores 0 (no TTL, no store time, no byte budget) touches
 * none of them, and TTL checks read no clock while no entry has a TTL.
 */
export class MemoryTier<V = unknown> {
  /** Entry capacity (Infinity when unbounded). */
  readonly maxEntries: number;
  /** Byte capacity (Infinity when unbounded). */
  readonly maxBytes: number;
  /** Entries evicted by the policy so far. */
  evictions = 0;
  /** Entries dropped because their TTL had passed. */
  expirations = 0;

  private readonly index: KeyIndex;
  // Whether the policy counts keys by hash: the index then computes it, once for both.
  private readonly hashesKeys: boolean;
  private valueList: (V | undefined)[] = [];
  // Per slot; separate arrays so that a hit touches only the compact hit counts.
  private expiresAt: Float64Array;
  private storedAt: Float64Array;
  private sizes: Float64Array;
  private hits: Float64Array;
  private readonly free: number[] = [];
  private nextSlot = 0;
  private trackedBytes = 0;
  // Entries with an expiry; while 0 every expiresAt is 0 and no clock is read.
  private withTtl = 0;
  // Whether any write gave a store time; until then every storedAt is 0.
  private storesTimes = false;
  // Whether any hit was counted; until then every hit count is 0 and evictions write none.
  private countsHits = false;
  private readonly tracksBytes: boolean;
  private readonly policy: EvictionPolicy;
  private readonly sizeOf: (value: V, key: string) => number;
  private readonly onRemove: MemoryTierOptions<V>['onRemove'];

  constructor(options: MemoryTierOptions<V> = {}) {
    this.maxEntries = positiveOrInfinity(options.maxEntries, 'maxEntries');
    this.maxBytes = positiveOrInfinity(options.maxBytes, 'maxBytes');
    this.tracksBytes = Number.isFinite(this.maxBytes) || options.sizeOf !== undefined;
    this.sizeOf = options.sizeOf ?? estimateSize;
    this.onRemove = options.onRemove;
    const slots = Math.min(INITIAL_SLOTS, this.maxEntries + 1);
    this.expiresAt = new Float64Array(slots);
    this.storedAt = new Float64Array(slots);
    this.sizes = new Float64Array(slots);
    this.hits = new Float64Array(slots);
    this.policy = createPolicy(options.policy ?? 'frecency', slots, Number.isFinite(this.maxEntries) ? this.maxEntries : undefined);
    this.hashesKeys = this.policy.usesKeyHash;
    this.index = new KeyIndex({ slots, hashed: this.hashesKeys });
  }

  /** Name of the eviction policy in use. */
  get policyName(): PolicyName {
    return this.policy.name;
  }

  /** Number of resident entries (expired ones not yet swept included). */
  get size(): number {
    return this.index.size;
  }

  /** Bytes held: tracked when a budget or `sizeOf` is set, estimated on demand otherwise. */
  get bytes(): number {
    if (this.tracksBytes) return this.trackedBytes;
    let bytes = 0;
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key !== undefined) bytes += this.sizeOf(this.valueList[slot] as V, key);
    }
    return bytes;
  }

  /** The value for `key`, counting a hit; undefined when absent or expired. */
  get(key: string): V | undefined {
    const slot = this.index.read(key);
    if (slot === -1) {
      this.policy.recordMiss(key, this.hashesKeys ? this.index.hashOf(key) : 0);
      return undefined;
    }
    if (this.withTtl !== 0 && this.isExpired(slot, Date.now())) {
      this.expire(slot);
      return undefined;
    }
    this.policy.touch(slot);
    this.hits[slot]++;
    this.countsHits = true;
    return this.valueList[slot];
  }

  /** The value for `key` without counting a hit or changing its rank. */
  peek(key: string): V | undefined {
    const slot = this.index.read(key);
    if (slot === -1 || (this.withTtl !== 0 && this.isExpired(slot, Date.now()))) return undefined;
    return this.valueList[slot];
  }

  /** True when `key` is resident and unexpired; does not count as a hit. */
  has(key: string): boolean {
    const slot = this.index.read(key);
    return slot !== -1 && !(this.withTtl !== 0 && this.isExpired(slot, Date.now()));
  }

  /**
   * Stores `value`, evicting by policy until the budgets hold. Returns false (and
   * stores nothing) when the single value is larger than `maxBytes`.
   */
  set(key: string, value: V, options?: MemorySetOptions): boolean {
    let size = 0;
    if (this.tracksBytes) {
      size = options?.size ?? this.sizeOf(value, key);
      if (size > this.maxBytes) {
        this.delete(key);
        return false;
      }
    }
    const expiresAt = options?.expiresAt ?? 0;
    const storedAt = options?.storedAt ?? 0;
    let slot = this.index.find(key);
    if (slot !== -1) {
      this.valueList[slot] = value;
      this.policy.touch(slot);
      if (this.tracksBytes) {
        this.trackedBytes += size - this.sizes[slot];
        this.sizes[slot] = size;
      }
      // Reads of the old expiry and store time only once some entry has one.
      if (this.withTtl !== 0 || expiresAt !== 0) {
        this.withTtl += (expiresAt !== 0 ? 1 : 0) - (this.expiresAt[slot] !== 0 ? 1 : 0);
        this.expiresAt[slot] = expiresAt;
      }
      if (this.storesTimes || storedAt !== 0) this.writeStoredAt(slot, storedAt);
    } else {
      slot = this.allocate();
      this.index.add(key, slot);
      this.valueList[slot] = value;
      // A fresh slot holds 0 in every field: only non-zero values are written.
      if (size !== 0) {
        this.trackedBytes += size;
        this.sizes[slot] = size;
      }
      if (expiresAt !== 0) {
        this.withTtl++;
        this.expiresAt[slot] = expiresAt;
      }
      if (storedAt !== 0) this.writeStoredAt(slot, storedAt);
      this.policy.insert(slot, key, this.hashesKeys ? this.index.hashOf(key) : 0);
    }
    while (this.index.size > this.maxEntries || this.trackedBytes > this.maxBytes) {
      const victim = this.policy.evict();
      if (victim === -1) break;
      this.evictions++;
      this.release(victim, 'evict');
    }
    return true;
  }

  /** Whether a new entry of this value would fit without evicting any (and key is not resident). */
  hasRoomFor(key: string, value: V): boolean {
    if (this.index.find(key) !== -1 || this.index.size + 1 > this.maxEntries) return false;
    return !this.tracksBytes || this.trackedBytes + this.sizeOf(value, key) <= this.maxBytes;
  }

  /** Removes `key`; true when it was resident. */
  delete(key: string): boolean {
    const slot = this.index.find(key);
    if (slot === -1) return false;
    this.policy.remove(slot);
    this.release(slot);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.index.clear();
    this.policy.clear();
    this.valueList = [];
    this.free.length = 0;
    this.nextSlot = 0;
    this.trackedBytes = 0;
    this.withTtl = 0;
    this.storesTimes = false;
    this.countsHits = false;
    for (const field of [this.expiresAt, this.storedAt, this.sizes, this.hits]) field.fill(0);
  }

  /** Expiry, store time, size and hits of a resident, unexpired entry. */
  info(key: string): MemoryEntryInfo | undefined {
    const slot = this.index.read(key);
    if (slot === -1 || this.isExpired(slot, Date.now())) return undefined;
    return { expiresAt: this.expiresAt[slot], storedAt: this.storedAt[slot], size: this.sizes[slot], hits: this.hits[slot] };
  }

  /** Unexpired resident keys, in no particular order. */
  *keys(): IterableIterator<string> {
    const now = Date.now();
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key !== undefined && !this.isExpired(slot, now)) yield key;
    }
  }

  /** Unexpired resident [key, value] pairs, in no particular order. */
  *entries(): IterableIterator<[string, V]> {
    const now = Date.now();
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key !== undefined && !this.isExpired(slot, now)) yield [key, this.valueList[slot] as V];
    }
  }

  /** Drops every expired entry now; returns how many. */
  sweep(now = Date.now()): number {
    if (this.withTtl === 0) return 0;
    let dropped = 0;
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] !== undefined && this.isExpired(slot, now)) {
        this.expire(slot);
        dropped++;
      }
    }
    return dropped;
  }

  /** The `n` resident keys with most hits, most first. */
  hottest(n: number): { key: string; hits: number }[] {
    const ranked: { key: string; hits: number }[] = [];
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key !== undefined) ranked.push({ key, hits: this.hits[slot] });
    }
    ranked.sort((a, b) => b.hits - a.hits);
    return ranked.slice(0, n);
  }

  /** Store times of the oldest and newest resident entries with a known store time (undefined when none). */
  ageRange(): { oldest: number; newest: number } | undefined {
    let oldest = Infinity;
    let newest = -Infinity;
    const keys = this.index.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] === undefined) continue;
      const at = this.storedAt[slot];
      if (at === 0) continue;
      if (at < oldest) oldest = at;
      if (at > newest) newest = at;
    }
    return newest === -Infinity ? undefined : { oldest, newest };
  }

  private isExpired(slot: number, now: number): boolean {
    const at = this.expiresAt[slot];
    return at !== 0 && at <= now;
  }

  private writeStoredAt(slot: number, storedAt: number): void {
    this.storesTimes = true;
    this.storedAt[slot] = storedAt;
  }

  private expire(slot: number): void {
    this.expirations++;
    this.policy.remove(slot);
    this.release(slot, 'expire');
  }

  // Frees the slot, leaving 0 in every field for its next entry.
  private release(slot: number, reason?: MemoryRemovalReason): void {
    // Key and value are read only for the callback: an eviction's loads are cache misses.
    const onRemove = reason !== undefined ? this.onRemove : undefined;
    const key = onRemove ? (this.index.keys[slot] as string) : '';
    const value = onRemove ? (this.valueList[slot] as V) : undefined;
    this.index.remove(slot);
    this.valueList[slot] = undefined;
    if (this.countsHits) this.hits[slot] = 0;
    if (this.tracksBytes) {
      this.trackedBytes -= this.sizes[slot];
      this.sizes[slot] = 0;
    }
    if (this.withTtl !== 0 && this.expiresAt[slot] !== 0) {
      this.withTtl--;
      this.expiresAt[slot] = 0;
    }
    if (this.storesTimes) this.storedAt[slot] = 0;
    this.free.push(slot);
    if (onRemove) onRemove(key, value as V, reason as MemoryRemovalReason);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.nextSlot++;
    if (slot >= this.hits.length) this.grow(this.hits.length * 2);
    return slot;
  }

  private grow(slots: number): void {
    this.expiresAt = grown(this.expiresAt, slots);
    this.storedAt = grown(this.storedAt, slots);
    this.sizes = grown(this.sizes, slots);
    this.hits = grown(this.hits, slots);
    this.index.grow(slots);
    this.policy.grow(slots);
  }
}

// A copy of `array` with room for `slots` entries, the new ones 0.
function grown(array: Float64Array, slots: number): Float64Array {
  const larger = new Float64Array(slots);
  larger.set(array);
  return larger;
}

function positiveOrInfinity(value: number | undefined, name: string): number {
  if (value === undefined) return Infinity;
  if (!(value > 0)) throw new CacheError('BAD_OPTION', `${name} must be a positive number, got ${value}`);
  return value;
}
