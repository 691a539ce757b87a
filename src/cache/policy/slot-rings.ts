/**
 * Several circular doubly linked lists threaded through one pair of typed arrays.
 * Every slot is on at most one list; a list is named by a small integer. The head of a
 * list is its most recently used slot and `prev[head]` its least recently used one, so
 * both ends are O(1) without a tail array.
 */
export class SlotRings {
  /** Next slot towards the LRU end. */
  next: Int32Array;
  /** Previous slot towards the MRU end. */
  prev: Int32Array;
  /** Most recently used slot per list, -1 when the list is empty. */
  readonly heads: Int32Array;
  /** Number of slots per list. */
  readonly sizes: Int32Array;

  constructor(slots: number, lists: number) {
    this.next = new Int32Array(slots);
    this.prev = new Int32Array(slots);
    this.heads = new Int32Array(lists).fill(-1);
    this.sizes = new Int32Array(lists);
  }

  /** Makes room for `slots` slots, keeping the links. */
  grow(slots: number): void {
    if (slots <= this.next.length) return;
    const next = new Int32Array(slots);
    const prev = new Int32Array(slots);
    next.set(this.next);
    prev.set(this.prev);
    this.next = next;
    this.prev = prev;
  }

  /** Puts a slot that is on no list at the MRU end of `list`. */
  pushMru(list: number, slot: number): void {
    const head = this.heads[list];
    if (head === -1) {
      this.next[slot] = slot;
      this.prev[slot] = slot;
    } else {
      this.linkBefore(head, slot);
    }
    this.heads[list] = slot;
    this.sizes[list]++;
  }

  /** Takes `slot` off `list`. */
  unlink(list: number, slot: number): void {
    const next = this.next[slot];
    if (next === slot) {
      this.heads[list] = -1;
    } else {
      const prev = this.prev[slot];
      this.next[prev] = next;
      this.prev[next] = prev;
      if (this.heads[list] === slot) this.heads[list] = next;
    }
    this.sizes[list]--;
  }

  /** Moves a slot already on `list` to its MRU end. */
  touch(list: number, slot: number): void {
    const head = this.heads[list];
    if (head === slot) return;
    // Unlink and relink in place: the ring is non-empty and has a head other than slot.
    const next = this.next[slot];
    const prev = this.prev[slot];
    this.next[prev] = next;
    this.prev[next] = prev;
    this.linkBefore(head, slot);
    this.heads[list] = slot;
  }

  /** Least recently used slot of `list`, -1 when empty. */
  lru(list: number): number {
    const head = this.heads[list];
    return head === -1 ? -1 : this.prev[head];
  }

  // Puts a detached slot between the ring's tail and `head`, i.e. at the MRU end.
  private linkBefore(head: number, slot: number): void {
    const tail = this.prev[head];
    this.next[slot] = head;
    this.prev[slot] = tail;
    this.prev[head] = slot;
    this.next[tail] = slot;
  }

  /** Empties every list. */
  reset(): void {
    this.heads.fill(-1);
    this.sizes.fill(0);
  }
}
