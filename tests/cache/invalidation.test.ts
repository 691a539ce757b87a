import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `inv-${names++}`;

describe('invalidation', () => {
  it('delete removes a key from every tier and says whether it existed', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    await cache.set('k', 'v');
    expect(await cache.delete('k')).toBe(true);
    expect(await cache.delete('k')).toBe(false);
    expect(remote.store.size).toBe(0);
  });

  it('invalidates every key with a prefix', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    for (const key of ['user:1', 'user:2', 'post:1']) await cache.set(key, key);
    expect(await cache.invalidatePrefix('user:')).toBe(2);
    expect(await cache.keys()).toEqual(['post:1']);
  });

  it('invalidates keys matching a glob pattern', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    for (const key of ['img/1/small', 'img/2/small', 'img/2/large', 'txt/1']) await cache.set(key, key);
    expect(await cache.invalidatePattern('img/*/small')).toBe(2);
    expect((await cache.keys()).sort()).toEqual(['img/2/large', 'txt/1']);
  });

  it('treats glob metacharacters other than * and ? literally', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('a.b', '1');
    await cache.set('axb', '2');
    await cache.invalidatePattern('a.?');
    expect(await cache.keys()).toEqual(['axb']);
  });

  it('invalidates every entry carrying a tag', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('a', '1', { tags: ['user:7'] });
    await cache.set('b', '2', { tags: ['user:7', 'x'] });
    await cache.set('c', '3', { tags: ['x'] });
    expect(await cache.invalidateTag('user:7')).toBe(2);
    expect(await cache.keys()).toEqual(['c']);
  });

  it('invalidating a key invalidates its dependents transitively', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('source', 's');
    await cache.set('derived', 'd', { dependsOn: ['source'] });
    await cache.set('derived2', 'd2', { dependsOn: ['derived'] });
    await cache.set('unrelated', 'u');
    expect(await cache.invalidate('source')).toBe(3);
    expect(await cache.keys()).toEqual(['unrelated']);
  });

  it('survives dependency cycles', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('a', '1', { dependsOn: ['b'] });
    await cache.set('b', '2', { dependsOn: ['a'] });
    expect(await cache.invalidate('a')).toBe(2);
  });

  it('finds tags and dependents stored only in a lower tier', async () => {
    const remote = new RemoteTierDouble();
    const first = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    await first.set('source', 's');
    await first.set('derived', 'd', { dependsOn: ['source'], tags: ['t'] });
    await first.set('tagged', 't', { tags: ['t'] });
    const restarted = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    expect(await restarted.invalidate('source')).toBe(2);
    expect(await restarted.invalidateTag('t')).toBe(1);
    expect(remote.store.size).toBe(0);
  });

  it('forgets the tags of entries evicted from memory', async () => {
    const cache = createCache<string>({ name: name(), maxEntries: 1, policy: 'lru', sync: false });
    await cache.set('a', '1', { tags: ['t'] });
    await cache.set('b', '2');
    expect(await cache.invalidateTag('t')).toBe(0);
  });

  it('keeps dependency edges inside a namespace', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    const ns = cache.namespace('n');
    await cache.set('source', 'root');
    await ns.set('source', 'ns');
    await ns.set('derived', 'd', { dependsOn: ['source'] });
    await ns.invalidate('source');
    expect(await ns.keys()).toEqual([]);
    expect(await cache.get('source')).toBe('root');
  });
});
