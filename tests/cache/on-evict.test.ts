// The toolkit cache's onEvict: the memory tier reports values it lets go (eviction or expiry),
// so values holding resources can give them back; delete and clear are the caller's own doing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from '../../src/cache/index.js';

let names = 0;
const name = () => `on-evict-${names++}`;

describe('onEvict', () => {
  afterEach(() => vi.useRealTimers());

  it('is called with key, value and reason "evict" for every value the memory tier evicts', async () => {
    const seen: [string, number, string][] = [];
    const cache = createCache<number>({ name: name(), sync: false, maxEntries: 3, policy: 'lru', onEvict: (k, v, r) => seen.push([k, v, r]) });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i);
    expect(seen).toEqual([['k0', 0, 'evict'], ['k1', 1, 'evict']]);
    await cache.delete('k4');
    await cache.clear();
    expect(seen).toHaveLength(2); // not on delete or clear
    await cache.close();
  });

  it('is called with reason "expire" when a time to live runs out', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    const seen: string[] = [];
    const cache = createCache<string>({ name: name(), sync: false, onEvict: (k, _v, r) => seen.push(`${k}:${r}`) });
    await cache.set('k', 'v', { ttl: 1000 });
    vi.advanceTimersByTime(1000);
    expect(await cache.get('k')).toBeUndefined();
    expect(seen).toEqual(['k:expire']);
    await cache.close();
  });

  it('a callback that throws is reported, and the cache goes on evicting and storing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const cache = createCache<number>({ name: name(), sync: false, maxEntries: 1, onEvict: () => { throw new Error('boom'); } });
      for (let i = 0; i < 4; i++) await cache.set(`k${i}`, i);
      expect(await cache.get('k3')).toBe(3);
      expect(cache.stats().memory.entries).toBe(1);
      expect(warn).toHaveBeenCalled();
      await cache.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('must be a function', () => {
    expect(() => createCache({ name: name(), sync: false, onEvict: 'no' as never })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});
