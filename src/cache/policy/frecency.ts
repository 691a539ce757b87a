import { CountMinSketch, hashString } from './count-min-sketch.js';
import type { EvictionPolicy } from './policy.js';
import { SlotRings } from './slot-rings.js';

// The four segments of W-TinyLFU (Einziger, Friedman & Manes 2017). An entry pushed out of
// the window waits among the CANDIDATES for the eviction round of the same write, where it
// duels the probation victim; if no eviction was needed it is admitted on the next insert.
const WINDOW = 0;
const CANDIDATES = 1;
const PROBATION = 2;
const PROTECTED = 3;

/** Options for {@link FrecencyPolicy}. */
export interface FrecencyPolicyOptions {
  /** Entry capacity of the tier; when absent, segment sizes follow the resident count. */
  capacity?: number;
  /** Share of capacity given to the admission window (default 0.01, Caffeine's starting point). */
  windowShare?: number;
  /** Share of the main space kept for entries hit at least twice (default 0.8). */
  protectedShare?: number;
}

/**
 * Frequency and recency combined (W-TinyLFU): new entries enter a small LRU window;
 * leaving it, they are admitted to the segmented-LRU main space only if a count-min
 * sketch says they are used more often than the entry they would replace. A one-pass
 * scan therefore cannot flush the hot set.
 */
export class FrecencyPolicy implements EvictionPolicy {
  readonly name = 'frecency' as const;
  private readonly rings: SlotRings;
  private readonly sketch: CountMinSketch;
  private hashes: Int32Array;
  private segments: Uint8Array;
  private readonly windowShare: number;
  private readonly protectedShare: number;
  // Segment limits, fixed when the capacity is; recomputed per call otherwise.
  private readonly fixedWindowMax: number;
  private readonly fixedProtectedMax: number;

  constructor(slots: number, options: FrecencyPolicyOptions = {}) {
    const capacity = options.capacity !== undefined && Number.isFinite(options.capacity) ? options.capacity : undefined;
    this.windowShare = options.windowShare ?? 0.01;
    this.protectedShare = options.protectedShare ?? 0.8;
    this.fixedWindowMax = capacity === undefined ? 0 : Math.max(1, Math.floor(capacity * this.windowShare));
    this.fixedProtectedMax = capacity === undefined ? 0 : Math.max(1, Math.floor((capacity - this.fixedWindowMax) * this.protectedShare));
    this.rings = new SlotRings(slots, 4);
    this.sketch = new CountMinSketch({ capacity: capacity ?? 4096 });
    this.hashes = new Int32Array(slots);
    this.segments = new Uint8Array(slots);
  }

  grow(slots: number): void {
    this.rings.grow(slots);
    if (slots <= this.hashes.length) return;
    const hashes = new Int32Array(slots);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const segments = new Uint8Array(slots);
    segments.set(this.segments);
    this.segments = segments;
  }

  insert(slot: number, key: string): void {
    // Candidates still here survived the last eviction round: they are admitted.
    for (let waiting = this.rings.lru(CANDIDATES); waiting !== -1; waiting = this.rings.lru(CANDIDATES)) {
      this.move(waiting, CANDIDATES, PROBATION);
    }
    const hash = hashString(key);
    this.hashes[slot] = hash;
    this.sketch.increment(hash);
    this.rings.pushMru(WINDOW, slot);
    this.segments[slot] = WINDOW;
    if (this.rings.sizes[WINDOW] > this.windowMax()) {
      const leaving = this.rings.lru(WINDOW);
      this.move(leaving, WINDOW, CANDIDATES);
    }
  }

  touch(slot: number): void {
    this.sketch.increment(this.hashes[slot]);
    const segment = this.segments[slot];
    if (segment === WINDOW || segment === PROTECTED) {
      this.rings.touch(segment, slot);
      return;
    }
    // A second hit in main (or while waiting for admission) earns protection.
    this.move(slot, segment, PROTECTED);
    if (this.rings.sizes[PROTECTED] > this.protectedMax()) {
      this.move(this.rings.lru(PROTECTED), PROTECTED, PROBATION);
    }
  }

  recordMiss(key: string): void {
    this.sketch.increment(hashString(key));
  }

  remove(slot: number): void {
    this.rings.unlink(this.segments[slot], slot);
  }

  evict(): number {
    const rings = this.rings;
    for (;;) {
      const candidate = rings.lru(CANDIDATES);
      if (candidate === -1) {
        const victim = this.mainVictim();
        return this.detach(victim !== -1 ? victim : rings.lru(WINDOW));
      }
      const victim = this.mainVictim();
      if (victim === -1) {
        // Main is empty: nothing to duel with, so the oldest candidate is admitted.
        this.move(candidate, CANDIDATES, PROBATION);
        continue;
      }
      // Ties go to the incumbent, as in Caffeine: a newcomer must be strictly more popular.
      if (this.sketch.frequency(this.hashes[candidate]) > this.sketch.frequency(this.hashes[victim])) {
        this.move(candidate, CANDIDATES, PROBATION);
        return this.detach(victim);
      }
      return this.detach(candidate);
    }
  }

  clear(): void {
    this.rings.reset();
    this.sketch.clear();
  }

  private resident(): number {
    const sizes = this.rings.sizes;
    return sizes[WINDOW] + sizes[CANDIDATES] + sizes[PROBATION] + sizes[PROTECTED];
  }

  private windowMax(): number {
    if (this.fixedWindowMax !== 0) return this.fixedWindowMax;
    return Math.max(1, Math.floor(this.resident() * this.windowShare));
  }

  private protectedMax(): number {
    if (this.fixedProtectedMax !== 0) return this.fixedProtectedMax;
    return Math.max(1, Math.floor((this.resident() - this.windowMax()) * this.protectedShare));
  }

  private move(slot: number, from: number, to: number): void {
    this.rings.unlink(from, slot);
    this.rings.pushMru(to, slot);
    this.segments[slot] = to;
  }

  // The probation LRU, or the protected LRU when probation is empty.
  private mainVictim(): number {
    const slot = this.rings.lru(PROBATION);
    return slot !== -1 ? slot : this.rings.lru(PROTECTED);
  }

  private detach(slot: number): number {
    if (slot !== -1) this.rings.unlink(this.segments[slot], slot);
    return slot;
  }
}
