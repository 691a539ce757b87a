import { describe, expect, it } from 'vitest';
import { CacheError, MemoryTier } from '../../src/cache/index.js';

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
});
