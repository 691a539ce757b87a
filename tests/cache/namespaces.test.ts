import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `ns-${names++}`;

describe('namespaces', () => {
  it('isolates equal keys in different namespaces', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.namespace('llm').set('k', 'llm');
    await cache.namespace('img').set('k', 'img');
    expect(await cache.namespace('llm').get('k')).toBe('llm');
    expect(await cache.namespace('img').get('k')).toBe('img');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('clearing one namespace leaves the others and the root', async () => {
    const cache = createCache<string>({ name: name(), tiers: ['memory', new RemoteTierDouble()], sync: false });
    await cache.namespace('llm').set('a', '1');
    await cache.namespace('img').set('a', '2');
    await cache.set('a', '3');
    await cache.namespace('llm').clear();
    expect(await cache.namespace('llm').keys()).toEqual([]);
    expect(await cache.namespace('img').get('a')).toBe('2');
    expect(await cache.get('a')).toBe('3');
  });

  it('lists keys without the namespace prefix', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    const llm = cache.namespace('llm');
    await llm.set('x', '1');
    expect(await llm.keys()).toEqual(['x']);
    expect(llm.hottestKeys(5).map((entry) => entry.key)).toEqual(['x']);
  });

  it('nests namespaces', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.namespace('a').namespace('b').set('k', 'deep');
    expect(await cache.namespace('a').namespace('b').get('k')).toBe('deep');
    expect(await cache.namespace('a').get('k')).toBeUndefined();
  });

  it('cannot be forged by a root key that contains the namespace name', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('llm:k', 'root');
    await cache.namespace('llm').clear();
    expect(await cache.get('llm:k')).toBe('root');
  });

  it('share one set of stats', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.namespace('a').set('k', 'v');
    await cache.namespace('a').get('k');
    await cache.namespace('b').get('k');
    expect(cache.stats().hits).toBe(1);
    expect(cache.stats().misses).toBe(1);
  });
});

describe('adoptInMemory', () => {
  it('puts a value in memory only, within its namespace, where it fits without evicting and memory does not hold the key', async () => {
    const below = new RemoteTierDouble();
    const removed: string[] = [];
    const cache = createCache<string>({ name: name(), tiers: ['memory', below], maxEntries: 2, sync: false, onRemove: (key) => removed.push(key) });
    await cache.set('a', 'stored');
    await cache.set('b', 'other');
    await cache.set('c', 'third'); // evicts one of them from memory
    expect(removed).toHaveLength(1);
    const ns = cache.namespace('n'), writes = below.sets;
    expect(ns.adoptInMemory('a', 'revived')).toBe(false); // full: adopting would evict
    await cache.delete('c');
    expect(ns.adoptInMemory('a', 'revived')).toBe(true);
    expect(await ns.get('a')).toBe('revived');
    expect(below.sets).toBe(writes); // nothing written below
    expect(ns.adoptInMemory('a', 'again')).toBe(false); // memory holds it
    expect(await ns.get('a')).toBe('revived');
    expect(removed).toHaveLength(2); // c's delete; no eviction by adopting
    expect(await cache.get('a')).toBe('stored'); // the root's key, from wherever it is
  });
});
