import { describe, expect, it, vi } from 'vitest';
import { binarySerializer, CacheError, createCache, rankForEviction, type TierEntryMeta } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';
import { vacuumTier } from '../../src/cache/management/vacuum.js';
import type { CacheTier } from '../../src/cache/tiers/tier.js';

let names = 0;
const name = () => `vacuum-${names++}`;
const DAY = 24 * 60 * 60 * 1000;

describe('vacuum', () => {
  it('removes entries not accessed for maxAgeDays', async () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(10 * DAY);
      const remote = new RemoteTierDouble();
      const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
      await cache.set('old', 'x');
      vi.setSystemTime(20 * DAY);
      await cache.set('new', 'y');
      const [result] = await cache.vacuum({ maxAgeDays: 5 });
      expect(result).toMatchObject({ tier: 'remote', removed: 1 });
      expect([...remote.store.keys()]).toEqual(['new']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('removes the least valuable entries beyond maxBytes', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<ArrayBuffer>({ name: name(), tiers: ['memory', remote], sync: false });
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, new ArrayBuffer(100));
    for (const key of ['a', 'c']) await remote.touch(key, Date.now());
    const [result] = await cache.vacuum({ maxBytes: 250 });
    expect(result).toMatchObject({ removed: 2, freedBytes: 200, remainingBytes: 200 });
    expect([...remote.store.keys()].sort()).toEqual(['a', 'c']);
    expect(cache.stats().evictions).toBe(2);
  });

  it('with verify, reads every record and removes those it refuses, counted corrupt, without touching the others', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, `value of ${key}`);
    remote.store.get('b')!.bytes = binarySerializer.encode('tampered');
    remote.store.get('d')!.bytes = binarySerializer.encode('tampered too');
    const accessed = [...remote.store.values()].map((r) => r.meta.accessedAt);
    const seen: string[] = [];
    const [result] = await cache.vacuum({ verify: async (value, key) => { seen.push(key); return value === `value of ${key}`; } });
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(result).toMatchObject({ tier: 'remote', corrupt: 2, removed: 0 });
    expect([...remote.store.keys()].sort()).toEqual(['a', 'c']);
    expect([...remote.store.values()].map((r) => r.meta.accessedAt)).toEqual([accessed[0], accessed[2]]);
    expect(cache.stats().corrupt).toBe(2);
    // Memory still holds what it held: verify is about stored records.
    expect(await cache.get('b')).toBe('value of b');
  });

  it('with verify, a record of another version is not read: it is removed as stale, not counted corrupt', async () => {
    const remote = new RemoteTierDouble();
    const old = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false, version: 1 });
    await old.set('a', 'x');
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false, version: 2 });
    await cache.set('b', 'y');
    const seen: string[] = [];
    expect(await cache.vacuum({ verify: (_value, key) => { seen.push(key); return true; } })).toEqual([expect.objectContaining({ removed: 1, corrupt: 0 })]);
    expect(seen).toEqual(['b']);
    expect([...remote.store.keys()]).toEqual(['b']);
  });

  it('with verify, a record that fails to decode is removed and counted; any other read error fails the vacuum', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    await cache.set('a', 'x');
    await cache.set('b', 'y');
    const get = remote.get.bind(remote);
    remote.get = async (key: string) => {
      if (key === 'a') throw new CacheError('CORRUPT', 'unreadable');
      return get(key);
    };
    expect(await cache.vacuum({ verify: () => true })).toEqual([expect.objectContaining({ corrupt: 1 })]);
    expect([...remote.store.keys()]).toEqual(['b']);
    remote.get = async () => { throw new Error('disk on fire'); };
    await expect(cache.vacuum({ verify: () => true })).rejects.toMatchObject({ name: 'CacheError' });
    expect([...remote.store.keys()]).toEqual(['b']);
  });

  it('vacuums only the named tier when asked', async () => {
    const near = new RemoteTierDouble('near');
    const far = new RemoteTierDouble('far');
    const cache = createCache<ArrayBuffer>({ name: name(), tiers: ['memory', near, far], sync: false });
    await cache.set('a', new ArrayBuffer(100));
    const results = await cache.vacuum({ tier: 'far', maxBytes: 0 });
    expect(results.map((result) => result.tier)).toEqual(['far']);
    expect(near.store.size).toBe(1);
    expect(far.store.size).toBe(0);
  });

  it('ranks expired entries first, then rarely and long-ago used ones', () => {
    const now = 100 * DAY;
    const meta = (key: string, accessedAt: number, hits: number, expiresAt = 0): TierEntryMeta => ({ key, storedAt: 0, accessedAt, expiresAt, size: 1, hits });
    const ranked = rankForEviction([meta('hot', now, 50), meta('stale', now - 30 * DAY, 50), meta('cold', now, 0), meta('expired', now, 99, now - 1)], now);
    expect(ranked.map((entry) => entry.key)).toEqual(['expired', 'stale', 'cold', 'hot']);
  });

  it('releases 200,000 entries beyond maxBytes at once (no argument list that overflows the stack)', async () => {
    const metas: TierEntryMeta[] = Array.from({ length: 200_000 }, (_, i) => ({ key: `k${i}`, storedAt: i, accessedAt: i, expiresAt: 0, size: 10, hits: 0 }));
    const deleted: string[][] = [];
    // Only what vacuumTier uses of a tier: its name, list() and delete().
    const tier = { name: 'big', list: async () => metas, delete: async (keys: string[]) => { deleted.push(keys); } } as unknown as CacheTier;
    const result = await vacuumTier(tier, { maxBytes: 10 });
    expect(result).toMatchObject({ tier: 'big', removed: 199_999, sizeEvictions: 199_999, remainingBytes: 10 });
    expect(deleted.flat()).toHaveLength(199_999);
  });
});
