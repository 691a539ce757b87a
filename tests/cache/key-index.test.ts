import { describe, expect, it } from 'vitest';
import { KeyIndex, MAX_HASHED_KEY_LENGTH } from '../../src/cache/key-index.js';

// Drives an index as the memory tier does: a key goes in only after find() missed it, into a
// free slot; removal by slot. A plain Map of key to slot is the reference.
class Driver {
  readonly reference = new Map<string, number>();
  private readonly free: number[] = [];
  private nextSlot = 0;

  constructor(readonly index: KeyIndex, private slots: number) {}

  set(key: string): number {
    const found = this.index.find(key);
    if (found !== -1) return found;
    const slot = this.free.pop() ?? this.nextSlot++;
    if (slot >= this.slots) this.index.grow((this.slots *= 2));
    this.index.add(key, slot);
    this.reference.set(key, slot);
    return slot;
  }

  delete(key: string): boolean {
    const slot = this.index.find(key);
    if (slot === -1) return false;
    this.index.remove(slot);
    this.reference.delete(key);
    this.free.push(slot);
    return true;
  }

  // Every key the reference holds is found in its slot, by a read and by a find.
  expectConsistent(absent: string[] = []): void {
    for (const [key, slot] of this.reference) {
      expect(this.index.find(key)).toBe(slot);
      expect(this.index.read(key)).toBe(slot);
      expect(this.index.keys[slot]).toBe(key);
    }
    for (const key of absent) if (!this.reference.has(key)) expect(this.index.read(key)).toBe(-1);
    expect(this.index.size).toBe(this.reference.size);
  }
}

// A small deterministic generator, so a failure replays.
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

// Random writes, deletes and reads of `keys`, each read checked against the reference, then
// every key checked.
function churn(driver: Driver, keys: string[], random: () => number, steps: number): void {
  for (let step = 0; step < steps; step++) {
    const key = keys[Math.floor(random() * keys.length)];
    const action = random();
    if (action < 0.45) driver.set(key);
    else if (action < 0.8) driver.delete(key);
    else expect(driver.index.read(key)).toBe(driver.reference.get(key) ?? -1);
  }
  driver.expectConsistent(keys);
}

describe('KeyIndex', () => {
  it('tells apart distinct keys whose hashes are all equal', () => {
    const driver = new Driver(new KeyIndex({ slots: 8, hashed: true, hash: () => 42 }), 8);
    const keys = Array.from({ length: 6 }, (_, i) => `k${i}`);
    for (const key of keys) driver.set(key);
    driver.delete('k2');
    driver.set('k6');
    driver.expectConsistent(['k2', 'k7']);
    expect(driver.index.find('k2')).toBe(-1);
  });

  it('finds the rest of a probe run that wraps past the last bucket after one of its keys is removed', () => {
    // Home bucket of hash 0 is bucket 0 and of -1 the last one; runs from the end wrap to the start.
    const homes: Record<string, number> = { a: -1, b: -1, c: 0, d: -1, e: 0 };
    const driver = new Driver(new KeyIndex({ slots: 8, hashed: true, hash: (key) => homes[key] }), 8);
    for (const key of Object.keys(homes)) driver.set(key);
    for (const gone of ['a', 'c', 'b']) {
      driver.delete(gone);
      driver.expectConsistent([gone]);
    }
  });

  it('keeps keys longer than the table limit in the Map, found and removed like short ones', () => {
    const long = 'x'.repeat(MAX_HASHED_KEY_LENGTH + 1);
    let hashed = 0;
    const driver = new Driver(new KeyIndex({ slots: 4, hashed: true, hash: () => (hashed++, 7) }), 4);
    driver.set(long);
    driver.set('short');
    driver.expectConsistent();
    const hashesBefore = hashed;
    expect(driver.index.read(long)).toBe(driver.reference.get(long));
    expect(hashed).toBe(hashesBefore);
    driver.delete(long);
    driver.expectConsistent([long]);
  });

  it('keeps a key without a string length (an untyped caller\'s number) in the Map, unhashed', () => {
    let hashed = 0;
    const driver = new Driver(new KeyIndex({ slots: 4, hashed: true, hash: () => (hashed++, 1) }), 4);
    const numeric = 12 as unknown as string;
    const slot = driver.set(numeric);
    driver.set('short');
    hashed = 0;
    expect(driver.index.find(numeric)).toBe(slot);
    expect(driver.index.read(numeric)).toBe(slot);
    expect(hashed).toBe(0);
    driver.expectConsistent();
    driver.delete(numeric);
    driver.expectConsistent([numeric]);
  });

  it('forgets a read key with its slot, so the key set again elsewhere is found there', () => {
    const driver = new Driver(new KeyIndex({ slots: 4, hashed: true }), 4);
    driver.set('filler');
    const first = driver.set('k');
    expect(driver.index.read('k')).toBe(first);
    driver.delete('filler');
    driver.delete('k');
    driver.set('other');
    const second = driver.set('k');
    expect(second).not.toBe(first);
    expect(driver.index.read('k')).toBe(second);
  });

  it('hashes a key once for a read that missed it and the write that follows', () => {
    let hashed = 0;
    const index = new KeyIndex({ slots: 4, hashed: true, hash: () => (hashed++, 5) });
    expect(index.read('k')).toBe(-1);
    expect(index.hashOf('k')).toBe(5);
    expect(index.find('k')).toBe(-1);
    index.add('k', 0);
    expect(index.hashOf('k')).toBe(5);
    expect(hashed).toBe(1);
    expect(index.find('k')).toBe(0);
  });

  it('keeps its keys through growth of the slots and the table', () => {
    const driver = new Driver(new KeyIndex({ slots: 2, hashed: true }), 2);
    const keys = Array.from({ length: 300 }, (_, i) => `key:${i}`);
    for (const key of keys) driver.set(key);
    for (const key of keys.slice(0, 100)) driver.delete(key);
    driver.expectConsistent(keys);
  });

  it('forgets every key on clear', () => {
    const driver = new Driver(new KeyIndex({ slots: 4, hashed: true }), 4);
    for (const key of ['a', 'b', 'x'.repeat(40)]) driver.set(key);
    driver.index.read('a');
    driver.index.clear();
    for (const key of ['a', 'b', 'x'.repeat(40)]) expect(driver.index.read(key)).toBe(-1);
    expect(driver.index.size).toBe(0);
  });

  it('agrees with a Map over random writes, reads and deletes under a hash with many collisions', () => {
    for (const hashed of [true, false]) {
      const random = lcg(hashed ? 1 : 2);
      const driver = new Driver(new KeyIndex({ slots: 4, hashed, hash: (key) => key.length % 5 }), 4);
      const keys = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 'y'.repeat(MAX_HASHED_KEY_LENGTH) + i : `k${i}`));
      churn(driver, keys, random, 5000);
    }
  });

  it('agrees with a Map over random writes, reads and deletes of digest-shaped keys under the real hash', () => {
    const random = lcg(3);
    const driver = new Driver(new KeyIndex({ slots: 4, hashed: true }), 4);
    // 64 hex digits (the UTF-8 hash path, kept in the table), 20 units (code-unit path), 200 (the Map).
    const keys = Array.from({ length: 300 }, (_, i) => {
      const hex = Array.from({ length: 8 }, (_, w) => ((Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(w + 1, 0x85ebca6b)) >>> 0).toString(16).padStart(8, '0')).join('');
      return i % 3 === 0 ? hex : i % 3 === 1 ? hex.slice(0, 20) : hex.repeat(4).slice(0, 200) + i;
    });
    churn(driver, keys, random, 20000);
  });
});
