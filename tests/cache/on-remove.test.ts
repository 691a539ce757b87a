// The toolkit cache's onRemove: every way a value leaves the memory tier is reported once, with
// its reason, so values holding resources can give them back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from '../../src/cache/index.js';

let names = 0;
const name = () => `on-remove-${names++}`;

describe('onRemove', () => {
  afterEach(() => vi.useRealTimers());

  it('reports each value the memory tier evicts, with reason "evict"', async () => {
    const seen: [string, number, string][] = [];
    const cache = createCache<number>({ name: name(), sync: false, maxEntries: 3, policy: 'lru', onRemove: (k, v, r) => seen.push([k, v, r]) });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i);
    expect(seen).toEqual([['k0', 0, 'evict'], ['k1', 1, 'evict']]);
    await cache.close();
  });

  it('reports expiry, deletion, invalidation, clear and close, each value once', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    const seen: string[] = [];
    const cache = createCache<string>({ name: name(), sync: false, onRemove: (k, _v, r) => seen.push(`${k}:${r}`) });
    await cache.set('short', 'v', { ttl: 1000 });
    vi.advanceTimersByTime(1000);
    expect(await cache.get('short')).toBeUndefined();
    await cache.set('a', 'v');
    await cache.set('b', 'v', { tags: ['t'] });
    await cache.set('c', 'v');
    await cache.set('d', 'v');
    await cache.delete('a');
    await cache.delete('a'); // not there any more: nothing to report
    await cache.invalidateTag('t');
    await cache.set('a', 'v2'); // a new value, not a removal
    await cache.set('a', 'v3'); // replaced by set: not reported
    await cache.clear();
    await cache.set('e', 'v');
    await cache.close();
    expect(seen.slice(0, 3)).toEqual(['short:expire', 'a:delete', 'b:delete']);
    expect(seen.slice(3, 6).sort()).toEqual(['a:clear', 'c:clear', 'd:clear']); // clear reports in no set order
    expect(seen.slice(6)).toEqual(['e:close']);
  });

  it('a callback that throws is reported, and the cache goes on evicting and storing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const cache = createCache<number>({ name: name(), sync: false, maxEntries: 1, onRemove: () => { throw new Error('boom'); } });
      for (let i = 0; i < 4; i++) await cache.set(`k${i}`, i);
      expect(await cache.get('k3')).toBe(3);
      expect(cache.stats().memory.entries).toBe(1);
      await cache.clear();
      expect(cache.stats().memory.entries).toBe(0);
      expect(warn).toHaveBeenCalled();
      await cache.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('must be a function', () => {
    expect(() => createCache({ name: name(), sync: false, onRemove: 'no' as never })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});
