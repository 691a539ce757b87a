import { hashString } from './policy/string-hash.js';

/**
 * Keys up to this length go in the hashed table. A new key is hashed anyway (for the sketch),
 * but a rewrite or first read of a resident key is hashed only to find it in the table, where
 * a Map lookup uses V8's cached string hash. A 64-hex-digit content key hashes in about
 * 100 ns (as UTF-8 bytes, `string-hash.ts`), less than the Map insert and delete a write
 * saves (its blind writes ran at 0.60× lru-cache's through the Map, 0.77× in the table); a
 * key of hundreds of characters costs more to hash than that.
 */
export const MAX_HASHED_KEY_LENGTH = 128;

// Multiplicative hashing: a key's home bucket is the top bits of hash × golden ratio.
const GOLDEN = 0x9e3779b1;
const MIN_BUCKETS = 16;
// Per slot, where its key is held: bit 30 set when in the Map, and below it the table bucket
// + 1 (0: not in the table). One word, so that removing a key reads neither it nor its hash.
const IN_MAP = 1 << 30;
const BUCKET = IN_MAP - 1;

/** Options for {@link KeyIndex}. */
export interface KeyIndexOptions {
  /** Slots to make room for at first; {@link KeyIndex.grow} makes more. */
  slots: number;
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
 * of a new key hashes it once for both and touches no Map, and removing a key never rehashes
 * it. A Map holds every longer key and, as a read cache, the slots of short keys once read
 * (V8 keeps a string's own hash, so repeated reads cost no hashing). Equal hashes of distinct
 * keys are told apart by comparing the keys.
 */
export class KeyIndex {
  /** The key in each slot; undefined for a free slot. */
  keys: (string | undefined)[] = [];
  /** Number of keys held. */
  size = 0;
  private readonly map = new Map<string, number>();
  // Keys shorter than this go in the table: MAX_HASHED_KEY_LENGTH + 1 when hashed, else 0.
  // Every test is written `key.length < hashedBelow`, so that a key without a length (an
  // untyped caller's number) goes through the Map.
  private readonly hashedBelow: number;
  private readonly hashKey: (key: string) => number;
  // Per bucket, the key's hash then its slot + 1 (0: empty bucket).
  private table: Int32Array;
  private bucketShift: number;
  private bucketMask: number;
  private places: Int32Array;
  // The hash the latest read or find of a table key computed, for add() and hashOf().
  private lastHash = 0;
  // The key a read hashed, until the next find: a read that missed and the write of the same
  // key that follows hash it once (and a find never compares its key with an older write's).
  private readKey: string | undefined;
  private readHash = 0;
  // The empty bucket where the last find of an absent key stopped (-1: none), for add().
  private freeBucket = -1;
  // The Map key a read missed, until the next find: the write that follows knows it absent
  // without a second lookup (only add() makes a key present, and it follows a find).
  private missedKey: string | undefined;
  // The Map key hashOf hashed last, and its hash: a read that missed and the write of the
  // same key hash it once.
  private hashedKey: string | undefined;
  private hashedKeyHash = 0;

  constructor(options: KeyIndexOptions) {
    this.hashedBelow = options.hashed ? MAX_HASHED_KEY_LENGTH + 1 : 0;
    this.hashKey = options.hash ?? hashString;
    this.places = new Int32Array(options.slots);
    this.table = new Int32Array(0);
    this.bucketShift = this.bucketMask = 0;
    this.resizeTable(options.slots);
  }

  /**
   * The key's hash. Ask right after looking the key up ({@link read} or {@link find}): a key
   * of the table then gets the hash that lookup computed, with no second hashing.
   */
  hashOf(key: string): number {
    if (key.length < this.hashedBelow) return this.lastHash;
    if (key !== this.hashedKey) {
      this.hashedKeyHash = this.hashKey(key);
      this.hashedKey = key;
    }
    return this.hashedKeyHash;
  }

  /** Slot of `key` for a read, -1 when absent; a short key found in the table joins the Map's read cache. */
  read(key: string): number {
    const slot = this.map.get(key);
    if (slot !== undefined) return slot;
    if (key.length < this.hashedBelow) return this.readTable(key);
    this.missedKey = key;
    return -1;
  }

  /** Slot of `key`, -1 when absent, without touching the read cache (for writes and deletes). */
  find(key: string): number {
    if (!(key.length < this.hashedBelow)) {
      const missed = this.missedKey !== undefined && key === this.missedKey;
      this.missedKey = undefined;
      return missed ? -1 : (this.map.get(key) ?? -1);
    }
    this.missedKey = undefined;
    const hash = this.readKey !== undefined && key === this.readKey ? this.readHash : this.hashKey(key);
    this.readKey = undefined;
    this.lastHash = hash;
    return this.probe(key, hash);
  }

  /** Records that `key` now lives in `slot`; call right after {@link find} did not find it. */
  add(key: string, slot: number): void {
    this.keys[slot] = key;
    this.size++;
    if (!(key.length < this.hashedBelow)) {
      this.map.set(key, slot);
      this.places[slot] = IN_MAP;
      return;
    }
    // The find just before stopped at an empty bucket, unless the table was resized since.
    const hash = this.lastHash;
    const bucket = this.freeBucket !== -1 ? this.freeBucket : this.emptyBucket(hash);
    this.freeBucket = -1;
    this.put(bucket, hash, slot);
  }

  /** Forgets the key in `slot`. */
  remove(slot: number): void {
    const place = this.places[slot];
    if ((place & IN_MAP) !== 0) this.map.delete(this.keys[slot] as string);
    if ((place & BUCKET) !== 0) {
      this.unplace((place & BUCKET) - 1);
      this.freeBucket = -1;
    }
    this.places[slot] = 0;
    this.keys[slot] = undefined;
    this.size--;
  }

  /** Forgets every key. */
  clear(): void {
    this.keys = [];
    this.size = 0;
    this.map.clear();
    this.table.fill(0);
    this.places.fill(0);
    this.readKey = undefined;
    this.freeBucket = -1;
  }

  /** Makes room for slot numbers below `slots`. */
  grow(slots: number): void {
    if (slots <= this.places.length) return;
    const places = new Int32Array(slots);
    places.set(this.places);
    this.places = places;
    this.resizeTable(slots);
  }

  // Sizes the table for `slots` slots, moving its entries when its size changes.
  private resizeTable(slots: number): void {
    const buckets = bucketsFor(slots);
    if (2 * buckets === this.table.length) return;
    const old = this.table;
    this.table = new Int32Array(2 * buckets);
    this.bucketShift = 32 - Math.log2(buckets);
    this.bucketMask = buckets - 1;
    this.freeBucket = -1;
    for (let bucket = 0; 2 * bucket < old.length; bucket++) {
      const slot = old[2 * bucket + 1] - 1;
      if (slot !== -1) {
        const hash = old[2 * bucket];
        this.put(this.emptyBucket(hash), hash, slot);
      }
    }
  }

  private home(hash: number): number {
    return Math.imul(hash, GOLDEN) >>> this.bucketShift;
  }

  private readTable(key: string): number {
    const hash = this.hashKey(key);
    this.lastHash = hash;
    this.readKey = key;
    this.readHash = hash;
    const found = this.probe(key, hash);
    if (found !== -1) {
      this.map.set(key, found);
      this.places[found] |= IN_MAP;
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

  // Puts the slot's entry in `bucket` and notes the bucket in its place (keeping its Map bit).
  private put(bucket: number, hash: number, slot: number): void {
    this.table[2 * bucket] = hash;
    this.table[2 * bucket + 1] = slot + 1;
    this.places[slot] = (this.places[slot] & IN_MAP) | (bucket + 1);
  }

  // Empties `hole`, then moves back each later entry of the run whose probe path passes the
  // hole (backward-shift deletion: no tombstones, so runs stay as short as the load allows).
  private unplace(hole: number): void {
    const table = this.table;
    const mask = this.bucketMask;
    for (let next = (hole + 1) & mask; table[2 * next + 1] !== 0; next = (next + 1) & mask) {
      // The entry at `next` may fill the hole when the hole lies on its path from its home bucket.
      if (((next - this.home(table[2 * next])) & mask) >= ((next - hole) & mask)) {
        this.put(hole, table[2 * next], table[2 * next + 1] - 1);
        hole = next;
      }
    }
    table[2 * hole + 1] = 0;
  }
}

// A power of two at least twice the slots: at most half the buckets are ever in use, so runs
// of full buckets stay short (at two thirds, measured slower despite the smaller table).
function bucketsFor(slots: number): number {
  return Math.max(MIN_BUCKETS, 2 ** Math.ceil(Math.log2(2 * slots)));
}
