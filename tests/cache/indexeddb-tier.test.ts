import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache, IndexedDBTier, type Cache } from '../../src/cache/index.js';

let names = 0;
const name = () => `idb-${names++}`;

function idbCache<V>(factory: IDBFactory, cacheName: string, options: Partial<Parameters<typeof createCache<V>>[0]> = {}): Cache<V> {
  return createCache<V>({ name: cacheName, tiers: ['memory', 'indexeddb'], indexedDB: factory, sync: false, ...options });
}

describe('IndexedDB tier', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps entries for the next cache instance (a page reload)', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    const before = idbCache<ArrayBuffer>(factory, cacheName);
    await before.set('trace', new Float64Array([1, 2, 3]).buffer);
    await before.close();
    const after = idbCache<ArrayBuffer>(factory, cacheName);
    expect(new Float64Array((await after.get('trace'))!)).toEqual(new Float64Array([1, 2, 3]));
    expect(after.stats().tiers.indexeddb.hits).toBe(1);
  });

  it('promotes a lower-tier hit into memory', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    await idbCache<string>(factory, cacheName).set('k', 'v');
    const cache = idbCache<string>(factory, cacheName);
    await cache.get('k');
    await cache.get('k');
    expect(cache.stats().tiers.memory.hits).toBe(1);
    expect(cache.stats().tiers.indexeddb.hits).toBe(1);
  });

  it('records reads in the tier for eviction ranking', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    await idbCache<string>(factory, cacheName).set('k', 'v');
    const tier = new IndexedDBTier({ name: cacheName, indexedDB: factory });
    await idbCache<string>(factory, cacheName).get('k');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await tier.head('k'))?.hits).toBe(1);
  });

  it('coalesces writes issued in one tick into one transaction', async () => {
    const tier = new IndexedDBTier({ name: name(), indexedDB: new IDBFactory() });
    await tier.list(); // open first, so only the writes' transactions are counted
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const record = (key: string) => ({ key, value: key, storedAt: 0, accessedAt: 0, expiresAt: 0, size: 2, hits: 0 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => tier.set(record(`k${i}`))));
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(await tier.list()).toHaveLength(20);
  });

  it('applies writes of one batch in the order they were issued', async () => {
    const tier = new IndexedDBTier({ name: name(), indexedDB: new IDBFactory() });
    const record = { key: 'k', value: 'v', storedAt: 0, accessedAt: 0, expiresAt: 0, size: 2, hits: 0 };
    await Promise.all([tier.set(record), tier.delete(['k']), tier.set({ ...record, value: 'last' })]);
    expect((await tier.get('k'))?.value).toBe('last');
  });

  it('drops a value that fails validation, counts it corrupt and treats it as a miss', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    await idbCache<ArrayBuffer>(factory, cacheName).set('k', new ArrayBuffer(3));
    const cache = idbCache<ArrayBuffer>(factory, cacheName, { validate: (value) => value.byteLength % 8 === 0 });
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().corrupt).toBe(1);
    expect(cache.stats().misses).toBe(1);
    expect(await new IndexedDBTier({ name: cacheName, indexedDB: factory }).head('k')).toBeUndefined();
  });

  it('ignores and removes entries written under another version', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    await idbCache<string>(factory, cacheName, { version: 1 }).set('k', 'old');
    const cache = idbCache<string>(factory, cacheName, { version: 2 });
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.keys()).toEqual([]);
  });

  it('finds entries by tag and dependency through its indexes', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    const cache = idbCache<string>(factory, cacheName);
    await cache.set('a', '1', { tags: ['t'], dependsOn: ['root'] });
    const tier = new IndexedDBTier({ name: cacheName, indexedDB: factory });
    expect(await tier.query('tags', 't')).toEqual(['a']);
    expect(await tier.query('dependsOn', 'root')).toEqual(['a']);
  });

  it('on a quota error evicts the least valuable entries from the tier and retries once', async () => {
    const factory = new IDBFactory();
    const cache = idbCache<ArrayBuffer>(factory, name());
    for (let i = 0; i < 10; i++) await cache.set(`old${i}`, new ArrayBuffer(100));
    const put = IDBObjectStore.prototype.put;
    let failures = 1;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (failures-- > 0) throw new DOMException('quota', 'QuotaExceededError');
      return put.apply(this, args);
    });
    await cache.set('new', new ArrayBuffer(100));
    vi.restoreAllMocks();
    const stored = await new IndexedDBTier({ name: cache.name, indexedDB: factory }).list();
    expect(stored.map((meta) => meta.key)).toContain('new');
    expect(stored.length).toBeLessThan(11);
    expect(cache.stats().tiers.indexeddb.evictions).toBeGreaterThan(0);
  });

  it('keeps the memory copy when IndexedDB stays full', async () => {
    const cache = idbCache<string>(new IDBFactory(), name());
    await cache.set('warmup', 'x');
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    await expect(cache.set('k', 'v')).resolves.toBeUndefined();
    expect(await cache.get('k')).toBe('v');
    expect(cache.stats().tiers.indexeddb.errors).toBe(1);
  });

  it('runs memory-only with exactly one warning when IndexedDB cannot open', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const broken = { open: () => { throw new DOMException('denied', 'InvalidStateError'); } } as unknown as IDBFactory;
    const cache = idbCache<string>(broken, name());
    await cache.set('a', '1');
    await cache.set('b', '2');
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.keys()).toEqual(['a', 'b']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('steps aside for another tab upgrading the schema and reconnects', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    const cache = idbCache<string>(factory, cacheName);
    await cache.set('k', 'v');
    const upgrade = factory.open(`phasekit-cache:${cacheName}`, 2);
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      upgrade.onsuccess = () => resolve(upgrade.result);
      upgrade.onerror = () => reject(upgrade.error);
    });
    upgraded.close();
    const fresh = idbCache<string>(factory, cacheName);
    expect(await fresh.get('k')).toBe('v');
    await cache.set('k2', 'v2');
    expect(await fresh.has('k2')).toBe(true);
  });

  it('clears its database', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    const cache = idbCache<string>(factory, cacheName);
    await cache.set('a', '1');
    await cache.clear();
    expect(await idbCache<string>(factory, cacheName).keys()).toEqual([]);
  });
});

describe('IndexedDB tier upgrade blocked by another tab', () => {
  it('gives up after blockedTimeoutMs and runs memory-only with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const real = new IDBFactory();
    const cacheName = name();
    // "Another tab": an old connection that never closes on versionchange.
    const old = real.open(`phasekit-cache:${cacheName}`, 1);
    await new Promise((resolve) => (old.onsuccess = resolve));
    // This tab runs newer code: every open asks for one version more than exists.
    const newer = { open: (db: string, version?: number) => real.open(db, (version ?? 1) + 1) } as IDBFactory;
    const tier = new IndexedDBTier({ name: cacheName, indexedDB: newer, blockedTimeoutMs: 50 });
    const cache = createCache<string>({ name: cacheName, tiers: ['memory', tier], sync: false });
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    expect(await tier.available()).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][1])).toMatch(/blocked/);
    warn.mockRestore();
  });
});
