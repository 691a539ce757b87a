/**
 * Several circular doubly linked lists threaded through one typed array. Every slot is on
 * at most one list; a list is named by a small integer. The head of a list is its most
 * recently used slot and the slot before it its least recently used one, so both ends are
 * O(1) without a tail array. A slot's two links sit side by side (`links[2 * slot]` next,
 * `links[2 * slot + 1]` previous), so relinking a slot touches one cache line, not two.
 */
export class SlotRings {
  /** Per slot: the next slot towards the LRU end, then the previous one towards the MRU end. */
  links: Int32Array;
  /** Most recently used slot per list, -1 when the list is empty. */
  readonly heads: Int32Array;
  /** Number of slots per list. */
  readonly sizes: Int32Array;

  constructor(slots: number, lists: number) {
    this.links = new Int32Array(2 * slots);
    this.heads = new Int32Array(lists).fill(-1);
    this.sizes = new Int32Array(lists);
  }

  /** Makes room for `slots` slots, keeping the links. */
  grow(slots: number): void {
    if (2 * slots <= this.links.length) return;
    const links = new Int32Array(2 * slots);
    links.set(this.links);
    this.links = links;
  }

  /** Puts a slot that is on no list at the MRU end of `list`. */
  pushMru(list: number, slot: number): void {
    const head = this.heads[list];
    if (head === -1) {
      this.links[2 * slot] = slot;
      this.links[2 * slot + 1] = slot;
    } else {
      this.linkBefore(head, slot);
    }
    this.heads[list] = slot;
    this.sizes[list]++;
  }

  /** Takes `slot` off `list`. */
  unlink(list: number, slot: number): void {
    const links = this.links;
    const next = links[2 * slot];
    if (next === slot) {
      this.heads[list] = -1;
    } else {
      const prev = links[2 * slot + 1];
      links[2 * prev] = next;
      links[2 * next + 1] = prev;
      if (this.heads[list] === slot) this.heads[list] = next;
    }
    this.sizes[list]--;
  }

  /** Moves a slot already on `list` to its MRU end. */
  touch(list: number, slot: number): void {
    const head = this.heads[list];
    if (head === slot) return;
    // Unlink and relink in place: the ring is non-empty and has a head other than slot.
    const links = this.links;
    const next = links[2 * slot];
    const prev = links[2 * slot + 1];
    links[2 * prev] = next;
    links[2 * next + 1] = prev;
    this.linkBefore(head, slot);
    this.heads[list] = slot;
  }

  /** Least recently used slot of `list`, -1 when empty. */
  lru(list: number): number {
    const head = this.heads[list];
    return head === -1 ? -1 : this.links[2 * head + 1];
  }

  // Puts a detached slot between the ring's tail and `head`, i.e. at the MRU end.
  private linkBefore(head: number, slot: number): void {
    const links = this.links;
    const tail = links[2 * head + 1];
    links[2 * slot] = head;
    links[2 * slot + 1] = tail;
    links[2 * head + 1] = slot;
    links[2 * tail] = slot;
  }

  /** Empties every list. */
  reset(): void {
    this.heads.fill(-1);
    this.sizes.fill(0);
  }
}
