import { describe, expect, it } from 'vitest';
import { CacheError, hashString, MemoryTier } from '../../src/cache/index.js';
import { MAX_HASHED_KEY_LENGTH } from '../../src/cache/key-index.js';

describe('MemoryTier', () => {
  it('returns what was set and undefined for unknown keys', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10 });
    tier.set('a', 1);
    expect(tier.get('a')).toBe(1);
    expect(tier.get('b')).toBeUndefined();
  });

  it('overwriting a key keeps one entry with the new value', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10 });
    tier.set('a', 1);
    tier.set('a', 2);
    expect(tier.size).toBe(1);
    expect(tier.get('a')).toBe(2);
  });

  it('never holds more than maxEntries', () => {
    const tier = new MemoryTier<number>({ maxEntries: 50, policy: 'lru' });
    for (let i = 0; i < 500; i++) tier.set(`k${i}`, i);
    expect(tier.size).toBe(50);
    expect(tier.evictions).toBe(450);
  });

  it('never holds more than maxBytes, measured by sizeOf', () => {
    const tier = new MemoryTier<ArrayBuffer>({ maxBytes: 10_000 });
    for (let i = 0; i < 100; i++) tier.set(`k${i}`, new ArrayBuffer(1000));
    expect(tier.bytes).toBeLessThanOrEqual(10_000);
    expect(tier.size).toBe(10);
  });

  it('refuses a single value larger than maxBytes and keeps the rest', () => {
    const tier = new MemoryTier<ArrayBuffer>({ maxBytes: 100 });
    tier.set('small', new ArrayBuffer(10));
    expect(tier.set('huge', new ArrayBuffer(1000))).toBe(false);
    expect(tier.get('huge')).toBeUndefined();
    expect(tier.get('small')).toBeInstanceOf(ArrayBuffer);
  });

  it('grows past its initial slot arrays when unbounded by entries', () => {
    const tier = new MemoryTier<number>({ maxBytes: 1e9 });
    for (let i = 0; i < 5000; i++) tier.set(`k${i}`, i);
    expect(tier.size).toBe(5000);
    expect(tier.get('k4999')).toBe(4999);
    expect(tier.get('k0')).toBe(0);
  });

  it('reuses the slots of deleted entries', () => {
    const tier = new MemoryTier<number>({ maxEntries: 4 });
    for (let round = 0; round < 100; round++) {
      tier.set(`k${round}`, round);
      expect(tier.delete(`k${round}`)).toBe(true);
    }
    expect(tier.size).toBe(0);
    expect(tier.evictions).toBe(0);
  });

  it('peek neither counts a hit nor changes eviction order', () => {
    const tier = new MemoryTier<number>({ maxEntries: 2, policy: 'lru' });
    tier.set('a', 1);
    tier.set('b', 2);
    expect(tier.peek('a')).toBe(1);
    tier.set('c', 3);
    expect(tier.has('a')).toBe(false);
    expect(tier.info('b')?.hits).toBe(0);
  });

  it('lists the most hit keys first', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10 });
    for (const key of ['a', 'b', 'c']) tier.set(key, 0);
    for (let i = 0; i < 5; i++) tier.get('b');
    for (let i = 0; i < 2; i++) tier.get('c');
    expect(tier.hottest(2)).toEqual([{ key: 'b', hits: 5 }, { key: 'c', hits: 2 }]);
  });

  it('reports the store times of its oldest and newest entries', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10 });
    tier.set('old', 1, { storedAt: 1000 });
    tier.set('new', 2, { storedAt: 5000 });
    expect(tier.ageRange()).toEqual({ oldest: 1000, newest: 5000 });
  });

  it('tells the owner about evictions with the evicted key and value', () => {
    const removed: [string, number, string][] = [];
    const tier = new MemoryTier<number>({ maxEntries: 1, policy: 'lru', onRemove: (key, value, reason) => removed.push([key, value, reason]) });
    tier.set('a', 1);
    tier.set('b', 2);
    expect(removed).toEqual([['a', 1, 'evict']]);
  });

  it('estimates bytes on demand when no budget is tracked', () => {
    const tier = new MemoryTier<string>({ maxEntries: 10 });
    tier.set('a', 'xxxx');
    expect(tier.bytes).toBe(8);
  });

  it('rejects a non-positive budget with a BAD_OPTION error', () => {
    expect(() => new MemoryTier({ maxEntries: 0 })).toThrow(CacheError);
    try {
      new MemoryTier({ maxBytes: -1 });
    } catch (error) {
      expect((error as CacheError).code).toBe('BAD_OPTION');
    }
  });
  it('an overwrite without expiry, store time or size leaves none of the old ones behind', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10, sizeOf: () => 7 });
    tier.set('a', 1, { expiresAt: Date.now() + 60_000, storedAt: 1000, size: 3 });
    tier.set('a', 2);
    expect(tier.info('a')).toEqual({ expiresAt: 0, storedAt: 0, size: 7, hits: 0 });
    expect(tier.bytes).toBe(7);
  });

  it('a slot reused after eviction, delete or clear starts with no expiry, store time or hits', () => {
    const tier = new MemoryTier<number>({ maxEntries: 1, policy: 'lru' });
    tier.set('a', 1, { expiresAt: Date.now() + 60_000, storedAt: 1000 });
    tier.get('a');
    tier.set('b', 2);
    expect(tier.info('b')).toEqual({ expiresAt: 0, storedAt: 0, size: 0, hits: 0 });
    tier.set('c', 3, { expiresAt: Date.now() + 60_000, storedAt: 2000 });
    tier.clear();
    tier.set('d', 4);
    expect(tier.info('d')).toEqual({ expiresAt: 0, storedAt: 0, size: 0, hits: 0 });
    expect(tier.ageRange()).toBeUndefined();
  });

  // Pairs of distinct keys with equal 32-bit hashes (found by search), so the frecency tier's
  // hashed index must tell them apart by the keys themselves.
  const colliding = [
    ['k32728', 'k261234'],
    ['k32729', 'k261235'],
  ];

  it('keeps keys whose hashes collide apart: each reads, overwrites and deletes on its own', () => {
    for (const [a, b] of colliding) expect(hashString(a)).toBe(hashString(b));
    const tier = new MemoryTier<string>({ maxEntries: 10 });
    for (const pair of colliding) for (const key of pair) tier.set(key, key);
    for (const pair of colliding) for (const key of pair) expect(tier.get(key)).toBe(key);
    tier.set('k32728', 'again');
    expect(tier.get('k261234')).toBe('k261234');
    expect(tier.delete('k261234')).toBe(true);
    expect(tier.get('k261234')).toBeUndefined();
    expect(tier.get('k32728')).toBe('again');
    expect(tier.size).toBe(3);
  });

  it('evicting one of two keys with equal hashes leaves the other readable', () => {
    const evicted: string[] = [];
    const tier = new MemoryTier<number>({ maxEntries: 1, policy: 'frecency', onRemove: (key) => evicted.push(key) });
    tier.set('k32729', 1);
    tier.set('k261235', 2);
    expect(evicted).toHaveLength(1);
    const [gone] = evicted;
    const kept = gone === 'k32729' ? 'k261235' : 'k32729';
    expect(tier.has(gone)).toBe(false);
    expect(tier.get(kept)).toBe(kept === 'k32729' ? 1 : 2);
  });

  it('finds a key that was read, deleted and set again', () => {
    const tier = new MemoryTier<number>({ maxEntries: 4, policy: 'frecency' });
    tier.set('filler', 0);
    tier.set('k', 1);
    expect(tier.get('k')).toBe(1);
    tier.delete('filler');
    tier.delete('k');
    tier.set('other', 3);
    tier.set('k', 2);
    expect(tier.get('k')).toBe(2);
    expect(tier.get('other')).toBe(3);
  });

  it('stores the empty key and keys at the hashed index\'s length limit like any other', () => {
    const tier = new MemoryTier<number>({ maxEntries: 10, policy: 'frecency' });
    // 31/32: where the hash switches from code units to UTF-8 bytes; the two lone-surrogate keys
    // of 41 units have the same UTF-8 form (U+FFFD), hence the same hash, and stay apart.
    const keys = ['', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(MAX_HASHED_KEY_LENGTH), 'x'.repeat(MAX_HASHED_KEY_LENGTH + 1),
      '\ud83d\ude00', '\ud800', `\ud800${'x'.repeat(40)}`, `\udc00${'x'.repeat(40)}`];
    expect(hashString(keys[7])).toBe(hashString(keys[8]));
    keys.forEach((key, i) => tier.set(key, i));
    keys.forEach((key, i) => expect(tier.get(key)).toBe(i));
    expect(tier.delete('')).toBe(true);
    expect(tier.has('')).toBe(false);
    expect(tier.size).toBe(keys.length - 1);
  });

  it('stores keys too long for the hashed index like any other', () => {
    const long = (i: number) => `${'graph:'.repeat(25)}${i}`;
    const tier = new MemoryTier<number>({ maxEntries: 50, policy: 'frecency' });
    for (let i = 0; i < 100; i++) tier.set(long(i), i);
    expect(tier.size).toBe(50);
    const resident = [...tier.keys()];
    for (const key of resident) expect(tier.get(key)).toBe(Number(key.slice(150)));
    expect(tier.delete(resident[0])).toBe(true);
    expect(tier.has(resident[0])).toBe(false);
  });
});
