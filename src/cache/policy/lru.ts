import type { EvictionPolicy } from './policy.js';
import { SlotRings } from './slot-rings.js';

const RING = 0;

/** Least recently used: one ring, hits move to the front, eviction takes the back. */
export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly usesKeyHash = false;
  private readonly rings: SlotRings;

  constructor(slots: number) {
    this.rings = new SlotRings(slots, 1);
  }

  grow(slots: number): void {
    this.rings.grow(slots);
  }

  insert(slot: number): void {
    this.rings.pushMru(RING, slot);
  }

  touch(slot: number): void {
    this.rings.touch(RING, slot);
  }

  recordMiss(): void {}

  remove(slot: number): void {
    this.rings.unlink(RING, slot);
  }

  evict(): number {
    const slot = this.rings.lru(RING);
    if (slot !== -1) this.rings.unlink(RING, slot);
    return slot;
  }

  clear(): void {
    this.rings.reset();
  }
}
