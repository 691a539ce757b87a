import { describe, expect, it, vi } from 'vitest';
import { createCache } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `tabs-${names++}`;
const delivered = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Two caches of one name over one shared tier, as two tabs over one IndexedDB. */
function twoTabs() {
  const shared = new RemoteTierDouble();
  const cacheName = name();
  return [createCache<string>({ name: cacheName, tiers: ['memory', shared] }), createCache<string>({ name: cacheName, tiers: ['memory', shared] })];
}

// Node's BroadcastChannel connects instances in one process, standing in for two tabs.
describe('multi-tab coherence over BroadcastChannel', () => {
  it('a delete in one tab drops the memory copy in the other', async () => {
    const [tabA, tabB] = twoTabs();
    await tabA.set('k', 'v');
    expect(await tabB.get('k')).toBe('v');
    await tabA.delete('k');
    await delivered();
    expect(tabB.stats().memory.entries).toBe(0);
    expect(await tabB.get('k')).toBeUndefined();
    await tabA.close();
    await tabB.close();
  });

  it('a new value in one tab replaces the stale memory copy in the other', async () => {
    const [tabA, tabB] = twoTabs();
    await tabA.set('k', 'old');
    await tabB.get('k');
    await tabA.set('k', 'new');
    await delivered();
    expect(await tabB.get('k')).toBe('new');
    await tabA.close();
    await tabB.close();
  });

  it('a clear in one tab empties the other memory tier', async () => {
    const cacheName = name();
    const tabA = createCache<string>({ name: cacheName });
    const tabB = createCache<string>({ name: cacheName });
    await tabB.set('mine', 'v');
    await tabA.clear();
    await delivered();
    expect(await tabB.get('mine')).toBeUndefined();
    await tabA.close();
    await tabB.close();
  });

  it('caches with sync off ignore each other', async () => {
    const cacheName = name();
    const tabA = createCache<string>({ name: cacheName, sync: false });
    const tabB = createCache<string>({ name: cacheName, sync: false });
    await tabB.set('k', 'v');
    await tabA.clear();
    await delivered();
    expect(await tabB.get('k')).toBe('v');
  });

  it('computes a key once per tab without Web Locks (single-flight within a context)', async () => {
    const cache = createCache<number>({ name: name() });
    let runs = 0;
    const compute = async () => {
      runs++;
      await delivered();
      return 42;
    };
    expect(await Promise.all([cache.getOrCompute('k', compute), cache.getOrCompute('k', compute)])).toEqual([42, 42]);
    expect(runs).toBe(1);
    expect(cache.stats().computations).toBe(1);
    await cache.close();
  });

  it('works per context where BroadcastChannel is missing', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    try {
      const [tabA, tabB] = twoTabs();
      await tabA.set('k', 'v');
      expect(await tabB.get('k')).toBe('v');
      await tabA.delete('k');
      expect(await tabA.get('k')).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
