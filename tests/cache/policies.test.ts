import { describe, expect, it } from 'vitest';
import { CountMinSketch, hashString, MemoryTier, type PolicyName } from '../../src/cache/index.js';

function tierWith(policy: PolicyName, maxEntries: number): MemoryTier<number> {
  return new MemoryTier<number>({ maxEntries, policy });
}

function access(tier: MemoryTier<number>, key: string): boolean {
  if (tier.get(key) !== undefined) return true;
  tier.set(key, 1);
  return false;
}

describe('LRU policy', () => {
  it('evicts the least recently used entry', () => {
    const tier = tierWith('lru', 3);
    for (const key of ['a', 'b', 'c']) tier.set(key, 1);
    tier.get('a');
    tier.set('d', 1);
    expect([...tier.keys()].sort()).toEqual(['a', 'c', 'd']);
  });
});

describe('LFU policy', () => {
  it('evicts the least frequently used entry', () => {
    const tier = tierWith('lfu', 3);
    for (const key of ['a', 'b', 'c']) tier.set(key, 1);
    tier.get('a');
    tier.get('a');
    tier.get('c');
    tier.set('d', 1);
    expect([...tier.keys()].sort()).toEqual(['a', 'c', 'd']);
  });

  it('breaks frequency ties by recency', () => {
    const tier = tierWith('lfu', 2);
    tier.set('a', 1);
    tier.set('b', 1);
    tier.set('c', 1);
    expect([...tier.keys()].sort()).toEqual(['b', 'c']);
  });

  it('keeps working after an explicit delete of the least frequent entry', () => {
    const tier = tierWith('lfu', 2);
    tier.set('a', 1);
    tier.get('a');
    tier.set('b', 1);
    tier.delete('b');
    tier.set('c', 1);
    tier.set('d', 1);
    expect(tier.size).toBe(2);
    expect(tier.has('a')).toBe(true);
  });
});

describe('frecency policy (W-TinyLFU)', () => {
  it('keeps a hot set through a one-pass scan that LRU loses it to', () => {
    const hot = Array.from({ length: 50 }, (_, i) => `hot${i}`);
    const survivors = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      for (let round = 0; round < 5; round++) for (const key of hot) access(tier, key);
      for (let i = 0; i < 1000; i++) access(tier, `scan${i}`);
      return hot.filter((key) => tier.has(key)).length;
    };
    expect(survivors('lru')).toBe(0);
    expect(survivors('frecency')).toBeGreaterThanOrEqual(45);
  });

  it('admits a newcomer that becomes more popular than the residents', () => {
    const tier = tierWith('frecency', 10);
    for (let i = 0; i < 10; i++) access(tier, `k${i}`);
    for (let round = 0; round < 4; round++) {
      tier.get('newcomer');
      tier.set('newcomer', 1);
      for (let i = 0; i < 3; i++) access(tier, `filler${round}-${i}`);
    }
    expect(tier.has('newcomer')).toBe(true);
  });

  it('beats LRU on a loop slightly larger than capacity', () => {
    const hits = (policy: PolicyName): number => {
      const tier = tierWith(policy, 100);
      let count = 0;
      for (let round = 0; round < 20; round++) for (let i = 0; i < 110; i++) if (access(tier, `k${i}`)) count++;
      return count;
    };
    expect(hits('lru')).toBe(0);
    expect(hits('frecency')).toBeGreaterThan(1000);
  });

  it('holds exactly its capacity under churn', () => {
    const tier = tierWith('frecency', 64);
    for (let i = 0; i < 10_000; i++) access(tier, `k${(i * 7919) % 300}`);
    expect(tier.size).toBe(64);
  });

  it('respects a byte budget without an entry budget', () => {
    const tier = new MemoryTier<ArrayBuffer>({ maxBytes: 4096, policy: 'frecency' });
    for (let i = 0; i < 200; i++) tier.set(`k${i % 37}`, new ArrayBuffer(256));
    expect(tier.bytes).toBeLessThanOrEqual(4096);
    expect(tier.size).toBe(16);
  });
});

describe('CountMinSketch', () => {
  it('estimates counts without undercounting', () => {
    const sketch = new CountMinSketch({ capacity: 1024, sampleSize: 1e9 });
    for (let i = 0; i < 7; i++) sketch.increment(hashString('popular'));
    sketch.increment(hashString('rare'));
    expect(sketch.frequency(hashString('popular'))).toBeGreaterThanOrEqual(7);
    expect(sketch.frequency(hashString('rare'))).toBeGreaterThanOrEqual(1);
    expect(sketch.frequency(hashString('rare'))).toBeLessThan(7);
  });

  it('saturates counts at 15', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: 1e9 });
    for (let i = 0; i < 100; i++) sketch.increment(hashString('x'));
    expect(sketch.frequency(hashString('x'))).toBe(15);
  });

  it('ages each counter to half without disturbing its neighbours', () => {
    const sketch = new CountMinSketch({ capacity: 16, sampleSize: 1e9 });
    for (let i = 0; i < 15; i++) sketch.increment(hashString('hot'));
    for (let i = 0; i < 3; i++) sketch.increment(hashString('warm'));
    sketch.age();
    expect(sketch.frequency(hashString('hot'))).toBe(7);
    expect(sketch.frequency(hashString('warm'))).toBeLessThanOrEqual(1 + 7); // a collision may add the hot key's count
    expect(sketch.frequency(hashString('warm'))).toBeGreaterThanOrEqual(1);
  });

  it('halves every count after sampleSize additions, so old popularity fades', () => {
    const sketch = new CountMinSketch({ capacity: 64, sampleSize: 20 });
    for (let i = 0; i < 12; i++) sketch.increment(hashString('old'));
    for (let i = 0; i < 8; i++) sketch.increment(hashString(`new${i}`));
    expect(sketch.frequency(hashString('old'))).toBeLessThanOrEqual(7);
  });
});
