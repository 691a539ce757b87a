import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `stats-${names++}`;

describe('stats', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts hits, misses and sets', async () => {
    const cache = createCache<number>({ name: name(), sync: false });
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('b');
    const stats = cache.stats();
    expect([stats.hits, stats.misses, stats.sets]).toEqual([2, 1, 1]);
    expect(stats.hitRate).toBeCloseTo(2 / 3);
  });

  it('counts evictions', async () => {
    const cache = createCache<number>({ name: name(), maxEntries: 2, sync: false });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i);
    expect(cache.stats().evictions).toBe(3);
  });

  it('counts hits per tier', async () => {
    const remote = new RemoteTierDouble();
    await createCache<number>({ name: name(), tiers: ['memory', remote], sync: false }).set('a', 1);
    const cache = createCache<number>({ name: name(), tiers: ['memory', remote], sync: false });
    await cache.get('a');
    await cache.get('a');
    expect(cache.stats().tiers.remote.hits).toBe(1);
    expect(cache.stats().tiers.memory.hits).toBe(1);
    expect(cache.stats().tiers.memory.misses).toBe(1);
  });

  it('gives the hit rate over a sliding window', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const cache = createCache<number>({ name: name(), sync: false });
    await cache.set('a', 1);
    for (let i = 0; i < 10; i++) await cache.get('missing');
    vi.advanceTimersByTime(120_000);
    for (let i = 0; i < 3; i++) await cache.get('a');
    await cache.get('missing');
    expect(cache.hitRate({ windowMs: 60_000 })).toBeCloseTo(0.75);
    expect(cache.hitRate()).toBeCloseTo(3 / 14);
  });

  it('lists the hottest keys', async () => {
    const cache = createCache<number>({ name: name(), sync: false });
    for (const key of ['a', 'b', 'c']) await cache.set(key, 1);
    for (let i = 0; i < 3; i++) await cache.get('c');
    await cache.get('a');
    expect(cache.hottestKeys(2)).toEqual([{ key: 'c', hits: 3 }, { key: 'a', hits: 1 }]);
  });

  it('summarises in one line', async () => {
    const cache = createCache<number>({ name: 'traces', sync: false });
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('b');
    expect(cache.summary()).toMatch(/^cache traces: 1\/2 hits \(50\.0%\), 1 sets, 0 evictions, 0 expirations, 0 corrupt; memory 1 entries 8 B/);
  });

  it('reports the oldest and newest entry times', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(1000);
    const cache = createCache<number>({ name: name(), sync: false });
    await cache.set('a', 1);
    vi.setSystemTime(5000);
    await cache.set('b', 1);
    expect(cache.stats().memory).toMatchObject({ oldest: 1000, newest: 5000 });
  });

  it('reports entries and bytes per tier', async () => {
    const cache = createCache<ArrayBuffer>({ name: name(), tiers: ['memory', new RemoteTierDouble()], sync: false });
    await cache.set('a', new ArrayBuffer(100));
    await cache.set('b', new ArrayBuffer(50));
    const occupancy = await cache.tierOccupancy();
    expect(occupancy.memory).toMatchObject({ entries: 2, bytes: 150 });
    expect(occupancy.remote).toMatchObject({ entries: 2, bytes: 150 });
  });

  it('has no storage estimate outside a browser', async () => {
    const cache = createCache<number>({ name: name(), sync: false });
    expect(await cache.storageEstimate()).toBeUndefined();
    expect(await cache.persist()).toBe(false);
  });

  it('reports navigator.storage usage where it exists', async () => {
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 25, quota: 100 }), persisted: async () => true, persist: async () => true } });
    try {
      const cache = createCache<number>({ name: name(), sync: false });
      expect(await cache.storageEstimate()).toEqual({ usage: 25, quota: 100, fraction: 0.25, persisted: true });
      expect(await cache.persist()).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
