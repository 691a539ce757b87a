import { hashString } from './policy/count-min-sketch.js';

/**
 * Keys up to this length go in the hashed table. Hashing in JS costs about as much per
 * character as a Map lookup costs in all once V8 has hashed the string, so longer keys only
 * go through the Map.
 */
export const MAX_HASHED_KEY_LENGTH = 32;

// Multiplicative hashing: the bucket is the top bits of hash × golden ratio.
const GOLDEN = 0x9e3779b1;
const MIN_BUCKETS = 16;
// Where a slot's key is held (flags per slot), so that removing it reads no string.
const IN_MAP = 1;
const IN_TABLE = 2;

/** Options for {@link KeyIndex}. */
export interface KeyIndexOptions {
  /** Slots to make room for at first; {@link KeyIndex.grow} makes more. */
  slots: number;
  /** Most keys ever held at once (default: one per slot); sizes the table when smaller. */
  capacity?: number;
  /**
   * Keep short keys in the hashed table (worth it when the policy needs each new key's hash
   * anyway, for its frequency sketch). Default false: every key goes through the Map.
   */
  hashed?: boolean;
  /** Hash of a key; default {@link hashString}. Tests pass a colliding one. */
  hash?: (key: string) => number;
}

/**
 * The memory tier's map from key to slot. When `hashed`, a key of up to
 * {@link MAX_HASHED_KEY_LENGTH} characters lives in an open-addressing table (linear probing
 * over typed arrays) under the same 32-bit hash the frequency sketch counts it by: a write
 * of a new key hashes it once for both and touches no Map, and its slot keeps the hash, so
 * removing it never rehashes. A Map holds every longer key and, as a read cache, the slots of
 * short keys once read (V8 keeps a string's own hash, so repeated reads cost no hashing).
 * Equal hashes of distinct keys are told apart by comparing the keys.
 */
export class KeyIndex {
  /** The key in each slot; undefined for a free slot. */
  keys: (string | undefined)[] = [];
  /** Number of keys held. */
  size = 0;
  private readonly map = new Map<string, number>();
  // Keys shorter than this go in the table: MAX_HASHED_KEY_LENGTH + 1 when hashed, else 0.
  private readonly hashedBelow: number;
  private readonly hashKey: (key: string) => number;
  private readonly capacity: number;
  // Per bucket, the hash then slot + 1 (0: empty bucket).
  private table: Int32Array;
  private bucketShift: number;
  private bucketMask: number;
  // Per slot: the key's hash (table keys), and where the key is held.
  private hashes: Int32Array;
  private holders: Uint8Array;
  // The latest key hashed and its hash, for add() and the policy (hashOf).
  private hashedKey: string | undefined;
  private hashedValue = 0;
  // The key a read hashed, until the next find: a read that missed and the write of the same
  // key that follows hash it once (and a find never compares its key with an older write's).
  private readKey: string | undefined;
  private readHash = 0;
  // The empty bucket where the last find of an absent key stopped (-1: none), for add().
  private freeBucket = -1;

  constructor(options: KeyIndexOptions) {
    this.hashedBelow = options.hashed ? MAX_HASHED_KEY_LENGTH + 1 : 0;
    this.hashKey = options.hash ?? hashString;
    this.capacity = options.capacity ?? Infinity;
    this.hashes = new Int32Array(options.slots);
    this.holders = new Uint8Array(options.slots);
    const buckets = bucketsFor(Math.min(options.slots, this.capacity));
    this.table = new Int32Array(2 * buckets);
    this.bucketShift = 32 - Math.log2(buckets);
    this.bucketMask = buckets - 1;
  }

  /** The key's hash: the one its latest lookup computed, else computed now. */
  hashOf(key: string): number {
    if (key === this.hashedKey) return this.hashedValue;
    return this.remember(key, this.hashKey(key));
  }

  /** Slot of `key` for a read, -1 when absent; a short key found in the table joins the Map's read cache. */
  read(key: string): number {
    const slot = this.map.get(key);
    if (slot !== undefined) return slot;
    return key.length < this.hashedBelow ? this.readTable(key) : -1;
  }

  /** Slot of `key`, -1 when absent, without touching the read cache (for writes and deletes). */
  find(key: string): number {
    if (key.length >= this.hashedBelow) return this.map.get(key) ?? -1;
    const hash = this.remember(key, key === this.readKey ? this.readHash : this.hashKey(key));
    this.readKey = undefined;
    return this.probe(key, hash);
  }

  /** Records that `key`, which the last {@link find} did not find, now lives in `slot`. */
  add(key: string, slot: number): void {
    this.keys[slot] = key;
    this.size++;
    if (key.length >= this.hashedBelow) {
      this.map.set(key, slot);
      this.holders[slot] = IN_MAP;
      return;
    }
    const hash = this.hashOf(key);
    this.hashes[slot] = hash;
    this.holders[slot] = IN_TABLE;
    const bucket = this.freeBucket !== -1 && key === this.hashedKey ? this.freeBucket : this.emptyBucket(hash);
    this.freeBucket = -1;
    this.table[2 * bucket] = hash;
    this.table[2 * bucket + 1] = slot + 1;
  }

  /** Forgets the key in `slot`. */
  remove(slot: number): void {
    const holders = this.holders[slot];
    if ((holders & IN_MAP) !== 0) this.map.delete(this.keys[slot] as string);
    if ((holders & IN_TABLE) !== 0) {
      this.unplace(this.hashes[slot], slot);
      this.freeBucket = -1;
    }
    this.holders[slot] = 0;
    this.keys[slot] = undefined;
    this.size--;
  }

  /** Forgets every key. */
  clear(): void {
    this.keys = [];
    this.size = 0;
    this.map.clear();
    this.table.fill(0);
    this.holders.fill(0);
    this.hashedKey = this.readKey = undefined;
    this.freeBucket = -1;
  }

  /** Makes room for slot numbers below `slots`. */
  grow(slots: number): void {
    if (slots <= this.hashes.length) return;
    const hashes = new Int32Array(slots);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const holders = new Uint8Array(slots);
    holders.set(this.holders);
    this.holders = holders;
    const buckets = bucketsFor(Math.min(slots, this.capacity));
    if (2 * buckets === this.table.length) return;
    this.table = new Int32Array(2 * buckets);
    this.bucketShift = 32 - Math.log2(buckets);
    this.bucketMask = buckets - 1;
    this.freeBucket = -1;
    for (let slot = 0; slot < holders.length; slot++) if ((holders[slot] & IN_TABLE) !== 0) this.place(hashes[slot], slot);
  }

  private home(hash: number): number {
    return Math.imul(hash, GOLDEN) >>> this.bucketShift;
  }

  private remember(key: string, hash: number): number {
    this.hashedKey = key;
    this.hashedValue = hash;
    return hash;
  }

  private readTable(key: string): number {
    const hash = this.remember(key, this.hashKey(key));
    this.readKey = key;
    this.readHash = hash;
    const found = this.probe(key, hash);
    if (found !== -1) {
      this.map.set(key, found);
      this.holders[found] |= IN_MAP;
    }
    return found;
  }

  // The key's slot, -1 when absent (then freeBucket is the empty bucket that ended the search).
  private probe(key: string, hash: number): number {
    const table = this.table;
    const mask = this.bucketMask;
    for (let bucket = this.home(hash); ; bucket = (bucket + 1) & mask) {
      const slot = table[2 * bucket + 1] - 1;
      if (slot === -1) {
        this.freeBucket = bucket;
        return -1;
      }
      if (table[2 * bucket] === hash && this.keys[slot] === key) return slot;
    }
  }

  private emptyBucket(hash: number): number {
    const table = this.table;
    const mask = this.bucketMask;
    let bucket = this.home(hash);
    while (table[2 * bucket + 1] !== 0) bucket = (bucket + 1) & mask;
    return bucket;
  }

  private place(hash: number, slot: number): void {
    const bucket = this.emptyBucket(hash);
    this.table[2 * bucket] = hash;
    this.table[2 * bucket + 1] = slot + 1;
  }

  // Empties the slot's bucket, then moves back each later entry of the run whose probe
  // path passes the hole (backward-shift deletion: no tombstones, runs stay short).
  private unplace(hash: number, slot: number): void {
    const table = this.table;
    const mask = this.bucketMask;
    let hole = this.home(hash);
    while (table[2 * hole + 1] !== slot + 1) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; table[2 * next + 1] !== 0; next = (next + 1) & mask) {
      // The entry at `next` may fill the hole when the hole lies on its path from its home bucket.
      if (((next - this.home(table[2 * next])) & mask) >= ((next - hole) & mask)) {
        table[2 * hole] = table[2 * next];
        table[2 * hole + 1] = table[2 * next + 1];
        hole = next;
      }
    }
    table[2 * hole + 1] = 0;
  }
}

// A power of two at least twice the keys held: at most half the buckets in use, so runs of
// full buckets stay short (at two thirds, measured slower despite the smaller table).
function bucketsFor(keys: number): number {
  return Math.max(MIN_BUCKETS, 2 ** Math.ceil(Math.log2(2 * keys)));
}
