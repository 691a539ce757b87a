/** Options for {@link CountMinSketch}. */
export interface CountMinSketchOptions {
  /** Number of distinct items the sketch should tell apart; sets the width. */
  capacity: number;
  /** Additions after which every counter is halved, so old popularity fades (TinyLFU "reset"). Default 10 × capacity. */
  sampleSize?: number;
}

const COUNTERS_PER_BLOCK = 16;

/**
 * Approximate access counts (TinyLFU's frequency sketch): 4 saturating counters per
 * item, one from each quarter of a 16-byte block chosen by the item's hash, so an
 * update touches a single cache line (the layout Caffeine uses). Estimates never
 * undercount before an aging step; collisions only overcount.
 */
export class CountMinSketch {
  private readonly table: Uint8Array;
  // The same bytes as 32-bit words, so aging halves four counters per step.
  private readonly words: Uint32Array;
  private readonly shift: number;
  private readonly sampleSize: number;
  private additions = 0;

  constructor(options: CountMinSketchOptions) {
    const capacity = Math.max(16, Math.min(options.capacity, 1 << 24));
    const log2 = Math.ceil(Math.log2(capacity));
    this.shift = 32 - log2;
    this.table = new Uint8Array((1 << log2) * COUNTERS_PER_BLOCK);
    this.words = new Uint32Array(this.table.buffer);
    this.sampleSize = options.sampleSize ?? 10 * capacity;
  }

  /** Counts one access of the item with this 32-bit hash. */
  increment(hash: number): void {
    const table = this.table;
    const block = (Math.imul(hash, 0x9e3779b1) >>> this.shift) << 4;
    const spread = Math.imul(hash, 0x85ebca77);
    // Row r uses counters block + 4r … block + 4r + 3, picked by two bits of `spread`.
    const a = block + (spread & 3);
    const b = block + 4 + ((spread >>> 8) & 3);
    const c = block + 8 + ((spread >>> 16) & 3);
    const d = block + 12 + ((spread >>> 24) & 3);
    // Branch-free saturating increments: (count + 1) >> 4 is 1 only at the 4-bit maximum, 15.
    let t = table[a];
    table[a] = t + (((t + 1) >> 4) ^ 1);
    t = table[b];
    table[b] = t + (((t + 1) >> 4) ^ 1);
    t = table[c];
    table[c] = t + (((t + 1) >> 4) ^ 1);
    t = table[d];
    table[d] = t + (((t + 1) >> 4) ^ 1);
    if (++this.additions >= this.sampleSize) this.age();
  }

  /** Estimated access count of the item with this hash (0–15). */
  frequency(hash: number): number {
    const table = this.table;
    const block = (Math.imul(hash, 0x9e3779b1) >>> this.shift) << 4;
    const spread = Math.imul(hash, 0x85ebca77);
    return Math.min(
      table[block + (spread & 3)],
      table[block + 4 + ((spread >>> 8) & 3)],
      table[block + 8 + ((spread >>> 16) & 3)],
      table[block + 12 + ((spread >>> 24) & 3)],
    );
  }

  /** Halves every counter: recent popularity outweighs old popularity. */
  age(): void {
    const words = this.words;
    // Shift each word right and drop the bit that crossed into the byte below.
    for (let i = 0; i < words.length; i++) words[i] = (words[i] >>> 1) & 0x7f7f7f7f;
    this.additions >>>= 1;
  }

  /** Forgets every count. */
  clear(): void {
    this.table.fill(0);
    this.additions = 0;
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units, finished with a murmur-style mix. */
export function hashString(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
