import { describe, expect, it } from 'vitest';
import { createCache, type CacheTier } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `remote-${names++}`;

describe('a remote tier written against CacheTier', () => {
  it('receives every set and serves the next cache instance', async () => {
    const remote = new RemoteTierDouble();
    await createCache<Float32Array>({ name: name(), tiers: ['memory', remote], sync: false }).set('k', new Float32Array([1.5]));
    const other = createCache<Float32Array>({ name: name(), tiers: ['memory', remote], sync: false });
    expect(await other.get('k')).toEqual(new Float32Array([1.5]));
  });

  it('is promoted into faster tiers above it on a hit', async () => {
    const near = new RemoteTierDouble('near');
    const far = new RemoteTierDouble('far');
    await createCache<string>({ name: name(), tiers: ['memory', far], sync: false }).set('k', 'v');
    const cache = createCache<string>({ name: name(), tiers: ['memory', near, far], sync: false });
    expect(await cache.get('k')).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(near.store.has('k')).toBe(true);
  });

  it('counts bytes that fail to decode as corrupt and falls through to the next tier', async () => {
    const near = new RemoteTierDouble('near');
    const far = new RemoteTierDouble('far');
    const cache = createCache<string>({ name: name(), tiers: ['memory', near, far], sync: false });
    await cache.set('k', 'v');
    near.corrupt('k', new Uint8Array([99]));
    const fresh = createCache<string>({ name: name(), tiers: ['memory', near, far], sync: false });
    expect(await fresh.get('k')).toBe('v');
    expect(fresh.stats().corrupt).toBe(1);
  });

  it('is relieved by value when full: the least recently used entries go, with some slack', async () => {
    const remote = new RemoteTierDouble();
    remote.capacityBytes = 300;
    const cache = createCache<ArrayBuffer>({ name: name(), tiers: ['memory', remote], sync: false });
    await cache.set('a', new ArrayBuffer(100));
    await new Promise((resolve) => setTimeout(resolve, 2));
    await cache.set('b', new ArrayBuffer(100));
    await new Promise((resolve) => setTimeout(resolve, 2));
    await cache.set('c', new ArrayBuffer(100));
    await cache.set('d', new ArrayBuffer(100));
    // 100 bytes for the newcomer plus 10% of the tier as slack: the two oldest go.
    expect([...remote.store.keys()].sort()).toEqual(['c', 'd']);
    expect(await cache.get('a')).toBeInstanceOf(ArrayBuffer);
  });

  it('never loses the memory copy when the tier rejects writes', async () => {
    const failing: CacheTier = {
      ...new RemoteTierDouble(),
      name: 'down',
      shared: true,
      get: async () => { throw new Error('connection refused'); },
      head: async () => undefined,
      set: async () => { throw new Error('connection refused'); },
      delete: async () => {},
      clear: async () => {},
      list: async () => [],
    };
    const cache = createCache<string>({ name: name(), tiers: ['memory', failing], sync: false });
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    expect(await cache.get('other')).toBeUndefined();
    expect(cache.stats().tiers.down.errors).toBe(2);
  });

  it('refuses two tiers with one name', () => {
    expect(() => createCache({ name: name(), tiers: ['memory', new RemoteTierDouble(), new RemoteTierDouble()] })).toThrow(/two tiers/);
  });
});
