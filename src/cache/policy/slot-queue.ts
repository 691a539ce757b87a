/**
 * A first-in first-out queue of slots in a ring buffer. Unlike a linked list
 * ({@link SlotRings}), taking the oldest slot and adding one read and write the two ends of
 * one array, not the links of scattered slots. A slot removed from the middle leaves a hole
 * that the oldest end skips; the buffer holds twice as many positions as there are slots, so
 * holes are squeezed out at most once per that many removals.
 */
export class SlotQueue {
  /** Number of slots queued. */
  size = 0;
  // Slots from the oldest (at head) to the newest (before tail); -1 marks a hole.
  private buffer: Int32Array;
  private mask: number;
  private head = 0;
  private tail = 0;
  // Positions between head and tail, holes included.
  private used = 0;
  // Per slot: its index in the buffer while queued.
  private positions: Int32Array;

  constructor(slots: number) {
    this.positions = new Int32Array(slots);
    this.buffer = new Int32Array(positionsFor(slots));
    this.mask = this.buffer.length - 1;
  }

  /** Makes room for slot numbers below `slots`. */
  grow(slots: number): void {
    if (slots <= this.positions.length) return;
    const positions = new Int32Array(slots);
    positions.set(this.positions);
    this.positions = positions;
    if (positionsFor(slots) > this.buffer.length) this.compact(positionsFor(slots));
  }

  /** Adds a slot that is not queued as the newest. */
  push(slot: number): void {
    if (this.used === this.buffer.length) this.compact(this.buffer.length);
    this.buffer[this.tail] = slot;
    this.positions[slot] = this.tail;
    this.tail = (this.tail + 1) & this.mask;
    this.used++;
    this.size++;
  }

  /** The oldest slot, -1 when empty. */
  oldest(): number {
    const buffer = this.buffer;
    while (this.used !== 0 && buffer[this.head] === -1) {
      this.head = (this.head + 1) & this.mask;
      this.used--;
    }
    return this.used === 0 ? -1 : buffer[this.head];
  }

  /** Takes the oldest slot off the queue (which must not be empty) and returns it. */
  shift(): number {
    const slot = this.oldest();
    this.head = (this.head + 1) & this.mask;
    this.used--;
    this.size--;
    return slot;
  }

  /** Takes a queued slot off the queue. */
  remove(slot: number): void {
    this.buffer[this.positions[slot]] = -1;
    this.size--;
  }

  /** Empties the queue. */
  clear(): void {
    this.head = this.tail = this.used = this.size = 0;
  }

  // Moves the queued slots, oldest first, to the start of a buffer of `length` positions.
  private compact(length: number): void {
    const old = this.buffer;
    const buffer = new Int32Array(length);
    let count = 0;
    for (let i = 0, at = this.head; i < this.used; i++, at = (at + 1) & this.mask) {
      const slot = old[at];
      if (slot === -1) continue;
      buffer[count] = slot;
      this.positions[slot] = count++;
    }
    this.buffer = buffer;
    this.mask = length - 1;
    this.head = 0;
    this.tail = count & this.mask;
    this.used = count;
  }
}

// Twice the slots, as a power of two: holes then fill at least half the buffer before it is full.
function positionsFor(slots: number): number {
  return Math.max(8, 2 ** Math.ceil(Math.log2(2 * slots)));
}
