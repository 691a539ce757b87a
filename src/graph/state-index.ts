// Finding a vertex by its state vector: open addressing over the graph's own
// Int32Array of states, so a lookup hashes integers in place instead of
// building a string key (the string Map was most of the build time of large
// state spaces).

/** Vertex lookup by state; the states themselves stay in the graph's buffer. */
export class StateIndex {
  private table = new Int32Array(1024); // vertex index + 1; 0 = empty slot
  private mask = 1023;
  private count = 0;

  constructor(private readonly stateLength: number) {}

  /** The vertex whose state (in `states`) equals `key`, or -1. */
  find(states: Int32Array, key: Int32Array): number {
    return this.table[this.probe(states, key, 0)] - 1;
  }

  /** Adds vertex `v` (its state already in `states`) unless an equal state is indexed: then returns that vertex, else -1. */
  add(states: Int32Array, v: number): number {
    if (2 * (this.count + 1) > this.table.length) this.grow(states);
    const slot = this.probe(states, states, v * this.stateLength);
    if (this.table[slot] !== 0) return this.table[slot] - 1;
    this.table[slot] = v + 1;
    this.count++;
    return -1;
  }

  /** The slot of the state equal to words[offset, offset + L), or the empty slot where it would go (one hash). */
  private probe(states: Int32Array, words: Int32Array, offset: number): number {
    const L = this.stateLength;
    for (let slot = hash(words, offset, L) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot];
      if (entry === 0) return slot;
      const base = (entry - 1) * L;
      let i = 0;
      while (i < L && states[base + i] === words[offset + i]) i++;
      if (i === L) return slot;
    }
  }

  /** Adds vertex `v`, whose state is already in `states` (and not yet indexed). */
  insert(states: Int32Array, v: number): void {
    if (2 * (this.count + 1) > this.table.length) this.grow(states);
    this.place(states, v);
    this.count++;
  }

  private place(states: Int32Array, v: number): void {
    let slot = hash(states, v * this.stateLength, this.stateLength) & this.mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
    this.table[slot] = v + 1;
  }

  private grow(states: Int32Array): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (const entry of old) if (entry !== 0) this.place(states, entry - 1);
  }
}

/** murmur3's 32-bit mixing over `length` ints starting at `offset`. */
function hash(words: Int32Array, offset: number, length: number): number {
  let h = 0x9747b28c ^ length;
  for (let i = 0; i < length; i++) {
    let k = Math.imul(words[offset + i], 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
