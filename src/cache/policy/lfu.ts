import type { EvictionPolicy } from './policy.js';
import { SlotRings } from './slot-rings.js';

// Counts saturate here; one ring per count keeps every operation O(1) (Shah, Mitra & Matani's LFU).
const MAX_COUNT = 255;

/** Least frequently used, ties broken by recency: one ring per access count. */
export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu' as const;
  readonly usesKeyHash = false;
  private readonly rings: SlotRings;
  private counts: Uint8Array;
  // Lowest count that may have a non-empty ring; eviction scans up from here.
  private lowest = 1;

  constructor(slots: number) {
    this.rings = new SlotRings(slots, MAX_COUNT + 1);
    this.counts = new Uint8Array(slots);
  }

  grow(slots: number): void {
    this.rings.grow(slots);
    if (slots > this.counts.length) {
      const counts = new Uint8Array(slots);
      counts.set(this.counts);
      this.counts = counts;
    }
  }

  insert(slot: number): void {
    this.counts[slot] = 1;
    this.rings.pushMru(1, slot);
    this.lowest = 1;
  }

  touch(slot: number): void {
    const count = this.counts[slot];
    if (count === MAX_COUNT) {
      this.rings.touch(count, slot);
      return;
    }
    this.rings.unlink(count, slot);
    this.rings.pushMru(count + 1, slot);
    this.counts[slot] = count + 1;
  }

  recordMiss(): void {}

  remove(slot: number): void {
    this.rings.unlink(this.counts[slot], slot);
  }

  evict(): number {
    const sizes = this.rings.sizes;
    while (this.lowest <= MAX_COUNT && sizes[this.lowest] === 0) this.lowest++;
    if (this.lowest > MAX_COUNT) {
      this.lowest = 1;
      return -1;
    }
    const slot = this.rings.lru(this.lowest);
    this.rings.unlink(this.lowest, slot);
    return slot;
  }

  clear(): void {
    this.rings.reset();
    this.lowest = 1;
  }
}
