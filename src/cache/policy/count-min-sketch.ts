/** Options for {@link CountMinSketch}. */
export interface CountMinSketchOptions {
  /** Number of distinct items the sketch should tell apart; sets the width. */
  capacity: number;
  /** Additions after which every counter is halved, so old popularity fades (TinyLFU "reset"). Default 10 × capacity. */
  sampleSize?: number;
}

const DEPTH = 4;
const MAX_COUNT = 15;
// Odd multipliers for multiply-shift hashing, one per row.
const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];

/**
 * Approximate access counts in 4 rows of saturating counters (TinyLFU's frequency
 * sketch). Estimates never undercount before an aging step; collisions only overcount.
 */
export class CountMinSketch {
  private readonly table: Uint8Array;
  private readonly shift: number;
  private readonly width: number;
  private readonly sampleSize: number;
  private additions = 0;

  constructor(options: CountMinSketchOptions) {
    const capacity = Math.max(16, Math.min(options.capacity, 1 << 26));
    const log2 = Math.ceil(Math.log2(capacity));
    this.width = 1 << log2;
    this.shift = 32 - log2;
    this.table = new Uint8Array(this.width * DEPTH);
    this.sampleSize = options.sampleSize ?? 10 * capacity;
  }

  /** Counts one access of the item with this 32-bit hash. */
  increment(hash: number): void {
    const table = this.table;
    let added = false;
    for (let row = 0; row < DEPTH; row++) {
      const index = row * this.width + (Math.imul(hash, SEEDS[row]) >>> this.shift);
      if (table[index] < MAX_COUNT) {
        table[index]++;
        added = true;
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.age();
  }

  /** Estimated access count of the item with this hash (0–15). */
  frequency(hash: number): number {
    const table = this.table;
    let min = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) {
      const count = table[row * this.width + (Math.imul(hash, SEEDS[row]) >>> this.shift)];
      if (count < min) min = count;
    }
    return min;
  }

  /** Halves every counter: recent popularity outweighs old popularity. */
  age(): void {
    const table = this.table;
    for (let i = 0; i < table.length; i++) table[i] >>>= 1;
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
