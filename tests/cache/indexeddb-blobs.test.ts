// Large values in the IndexedDB tier are stored as Blobs (faster in Chromium): they must come
// back as they went in, a damaged or unreadable Blob must be dropped like any corrupt entry, and
// a store that refuses Blobs must still get the bytes.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache, IndexedDBTier, binarySerializer } from '../../src/cache/index.js';

let names = 0;
const name = () => `idb-blob-${names++}`;
const record = (key: string, value: unknown) => ({ key, value, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 8, hits: 0 });

/** The raw records of one store of the tier's database. */
function rawRecords(factory: IDBFactory, database: string, store: 'values' | 'meta'): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const open = factory.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction(store).objectStore(store).getAll();
      request.onsuccess = () => { open.result.close(); resolve(request.result as Record<string, unknown>[]); };
      request.onerror = () => reject(request.error);
    };
  });
}

function putRaw(factory: IDBFactory, database: string, key: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = factory.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('values', 'readwrite');
      tx.objectStore('values').put(value, key);
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
}

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('IndexedDB tier: large values as Blobs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stores values from blobMinBytes up as Blobs and gives back the same bytes and type', async () => {
    const factory = new IDBFactory();
    const tier = new IndexedDBTier({ name: name(), indexedDB: factory, blobMinBytes: 1000 });
    const big = bytesOf(5000, 1), small = bytesOf(999, 2), buffer = bytesOf(3000, 3).buffer;
    await Promise.all([tier.set(record('big', big)), tier.set(record('small', small)), tier.set(record('buffer', buffer))]);
    const values = await rawRecords(factory, tier.databaseName, 'values');
    const byKey = new Map(values.map((v) => [v.key as string, v]));
    expect(byKey.get('big')!.data).toBeInstanceOf(Blob);
    expect(byKey.get('big')!.blob).toBe('bytes');
    // A codec that code before Blobs does not know: it drops the record rather than hand out a Blob.
    expect(byKey.get('big')!.codec).toBe('structured-clone+blob');
    expect(byKey.get('small')!.codec).toBe('structured-clone');
    expect(byKey.get('buffer')!.blob).toBe('buffer');
    expect(byKey.get('small')!.data).toBeInstanceOf(Uint8Array);
    expect(byKey.get('small')!.blob).toBeUndefined();
    // The metadata store stays small: no value, no Blob marker.
    for (const meta of await rawRecords(factory, tier.databaseName, 'meta')) expect(Object.keys(meta).sort()).toEqual(['accessedAt', 'expiresAt', 'hits', 'key', 'size', 'storedAt']);

    const reader = new IndexedDBTier({ name: tier.databaseName.slice('phasekit-cache:'.length), indexedDB: factory, blobMinBytes: 1000 });
    const got = await reader.get('big');
    expect(got!.value).toBeInstanceOf(Uint8Array);
    expect(got!.value).toEqual(big);
    expect((await reader.get('buffer'))!.value).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array((await reader.get('buffer'))!.value as ArrayBuffer)).toEqual(new Uint8Array(buffer));
    expect((await reader.get('small'))!.value).toEqual(small);
  });

  it('wraps the serializer output, not the value: a binary serializer\'s Float64Array round-trips', async () => {
    const factory = new IDBFactory();
    const tier = new IndexedDBTier({ name: name(), indexedDB: factory, serializer: binarySerializer, blobMinBytes: 100 });
    const value = Float64Array.from({ length: 200 }, (_, i) => i / 7);
    await tier.set(record('f', value));
    expect((await rawRecords(factory, tier.databaseName, 'values'))[0].data).toBeInstanceOf(Blob);
    expect((await tier.get('f'))!.value).toEqual(value);
  });

  it('never wraps a subclass, another view type or a view of shared memory', async () => {
    const factory = new IDBFactory();
    const tier = new IndexedDBTier({ name: name(), indexedDB: factory, blobMinBytes: 10 });
    class Tagged extends Uint8Array {}
    await tier.set(record('f64', new Float64Array(100)));
    await tier.set(record('sub', new Tagged(100)));
    await tier.set(record('shared', new Uint8Array(new SharedArrayBuffer(100))));
    for (const v of await rawRecords(factory, tier.databaseName, 'values')) expect(v.blob).toBeUndefined();
  });

  it('drops a Blob record whose marker or Blob is damaged, counts it and recomputes it', async () => {
    const factory = new IDBFactory();
    const cacheName = name();
    const tier = () => new IndexedDBTier({ name: cacheName, indexedDB: factory, blobMinBytes: 100 });
    const first = createCache<Uint8Array>({ name: cacheName, tiers: ['memory', tier()], sync: false });
    for (const key of ['a', 'b', 'c']) await first.set(key, bytesOf(500, key.charCodeAt(0)));
    await first.close();
    const database = `phasekit-cache:${cacheName}`;
    const stored = new Map((await rawRecords(factory, database, 'values')).map((v) => [v.key as string, v]));
    await putRaw(factory, database, 'a', { ...stored.get('a'), data: bytesOf(500, 0) }); // marked as a Blob, holds bytes
    await putRaw(factory, database, 'b', { ...stored.get('b'), blob: 'words' }); // unknown marker
    const second = createCache<Uint8Array>({ name: cacheName, tiers: ['memory', tier()], sync: false });
    let recomputed = 0;
    for (const key of ['a', 'b', 'c']) {
      const value = await second.getOrCompute(key, () => { recomputed++; return bytesOf(500, key.charCodeAt(0)); });
      expect(value).toEqual(bytesOf(500, key.charCodeAt(0)));
    }
    expect(recomputed).toBe(2); // a and b; c was good
    expect((await second.info()).corrupt).toBe(2);
    // Both were written again, good this time.
    const third = tier();
    for (const key of ['a', 'b']) expect((await third.get(key))!.value).toEqual(bytesOf(500, key.charCodeAt(0)));
    await second.close();
  });

  it('answers CORRUPT, naming the entry, when the browser lost a Blob\'s file', async () => {
    const factory = new IDBFactory();
    const tier = new IndexedDBTier({ name: name(), indexedDB: factory, blobMinBytes: 100 });
    await tier.set(record('lost', bytesOf(500, 4)));
    vi.spyOn(Blob.prototype, 'arrayBuffer').mockRejectedValue(new DOMException('the file is gone', 'NotReadableError'));
    await expect(tier.get('lost')).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('"lost"') });
  });

  it('writes the bytes inline, and keeps doing so, where the store refuses Blobs', async () => {
    const factory = new IDBFactory();
    const tier = new IndexedDBTier({ name: name(), indexedDB: factory, blobMinBytes: 100 });
    await tier.list(); // opened
    const put = IDBObjectStore.prototype.put;
    const refused = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if ((value as { data?: unknown })?.data instanceof Blob) throw new DOMException('no Blobs here', 'DataCloneError');
      return put.call(this, value, key);
    });
    await tier.set(record('x', bytesOf(500, 5)));
    await tier.set(record('y', bytesOf(600, 6)));
    const values = await rawRecords(factory, tier.databaseName, 'values');
    expect(values.map((v) => v.data instanceof Uint8Array)).toEqual([true, true]);
    expect(values.every((v) => v.blob === undefined && v.codec === 'structured-clone')).toBe(true);
    expect(refused.mock.calls.filter(([v]) => (v as { data?: unknown }).data instanceof Blob)).toHaveLength(1); // tried once only
    expect((await tier.get('y'))!.value).toEqual(bytesOf(600, 6));
  });
});
