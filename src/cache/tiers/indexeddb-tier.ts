import { unwrap, wrap, type IDBPDatabase } from 'idb';
import { CacheError, isQuotaError } from '../errors.js';
import type { Serializer } from '../serializers/serializer.js';
import { structuredCloneSerializer } from '../serializers/structured-clone.js';
import { checkEntryMeta } from './entry-meta-check.js';
import { BLOB_MIN_BYTES, blobCodec, unwrapLarge, wrapLarge } from './indexeddb-blobs.js';
import { MIGRATIONS, SCHEMA_VERSION, type CacheDB, type StoredValue } from './indexeddb-schema.js';
import { metaOf, type CacheTier, type TierEntryMeta, type TierRecord } from './tier.js';
import { TickBatch } from './tick-batch.js';

/** Options for {@link IndexedDBTier}. */
export interface IndexedDBTierOptions {
  /** Cache name; the database is called `phasekit-cache:<name>`. */
  name: string;
  /** How values are stored (default structured clone: ArrayBuffers and typed arrays as they are). */
  serializer?: Serializer;
  /** The IndexedDB factory (default `globalThis.indexedDB`; pass fake-indexeddb's in Node). */
  indexedDB?: IDBFactory;
  /** How long to wait for a schema upgrade blocked by another tab before running memory-only (default 3000 ms). */
  blockedTimeoutMs?: number;
  /**
   * Values whose stored bytes reach this size are written as Blobs (default 2 MiB): Chromium
   * writes and reads them 2–3× faster at tens of megabytes. `Infinity` never does.
   */
  blobMinBytes?: number;
}

type WriteOp =
  // `bytes`: the serializer's output, kept while `value` holds it as a Blob (see commit).
  | { kind: 'put'; value: StoredValue; bytes?: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'touch'; key: string; at: number }
  | { kind: 'clear' };

// One warning per database per page: private windows and disabled storage are normal, not news.
const warned = new Set<string>();

/**
 * Entries in one IndexedDB database per cache (via idb). Writes issued in the same tick
 * share one transaction. When IndexedDB is missing or refuses to open (private mode,
 * disabled storage) the tier warns once and behaves as an always-empty store, so the
 * cache runs memory-only.
 */
export class IndexedDBTier implements CacheTier {
  readonly name = 'indexeddb';
  readonly shared = true;
  /** Name of the underlying database. */
  readonly databaseName: string;
  private connection: Promise<IDBPDatabase<CacheDB> | undefined> | undefined;
  private readonly serializer: Serializer;
  private readonly writes = new TickBatch<WriteOp>(async (ops) => {
    await this.commit(ops);
    return [];
  });
  private readonly reads = new TickBatch<string, StoredValue | undefined>((keys) => this.fetch(keys));
  private closed = false;
  private corruptFound = 0;
  /** Cleared when a write of Blobs fails for another reason than quota: bytes are stored as they are from then on. */
  private blobs = true;

  constructor(private readonly options: IndexedDBTierOptions) {
    this.databaseName = `phasekit-cache:${options.name}`;
    this.serializer = options.serializer ?? structuredCloneSerializer;
  }

  /** Resolves true when the database opened, false when the tier runs as a no-op. */
  async available(): Promise<boolean> {
    return (await this.database()) !== undefined;
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const stored: unknown = await this.reads.add(key);
    if (stored === undefined) return undefined;
    // Another version, another library or a damaged profile may have written anything here.
    const meta = checkEntryMeta(stored);
    if (typeof meta === 'string') throw new CacheError('CORRUPT', `entry "${key}" in ${this.databaseName}: ${meta}`);
    if (meta.key !== key) throw new CacheError('CORRUPT', `entry "${key}" in ${this.databaseName} holds "${meta.key}"`);
    const { codec, blob } = stored as StoredValue;
    const inBlob = codec === blobCodec(this.serializer.name);
    if (codec !== this.serializer.name && !inBlob) throw new CacheError('CORRUPT', `entry "${key}" was written by serializer "${String(codec)}", not "${this.serializer.name}"`);
    const data = inBlob ? await unwrapLarge((stored as StoredValue).data, blob, `entry "${key}" in ${this.databaseName}`) : (stored as StoredValue).data;
    let value: unknown;
    try {
      value = this.serializer.decode(data);
    } catch (cause) {
      if (cause instanceof CacheError) throw cause;
      throw new CacheError('CORRUPT', `entry "${key}" in ${this.databaseName} has an unreadable value`, { cause });
    }
    return { ...meta, value };
  }

  async head(key: string): Promise<TierEntryMeta | undefined> {
    const stored: unknown = await (await this.database())?.get('meta', key);
    if (stored === undefined) return undefined;
    const meta = checkEntryMeta(stored);
    if (typeof meta !== 'string' && meta.key === key) return meta;
    await this.dropCorrupt([key]);
    return undefined;
  }

  checkValue(value: unknown): void {
    this.serializer.check?.(value);
  }

  set(record: TierRecord): Promise<void> {
    const bytes = this.serializer.encode(record.value);
    const stored = this.blobs ? wrapLarge(bytes, this.options.blobMinBytes ?? BLOB_MIN_BYTES) : { data: bytes };
    const value: StoredValue = { ...metaOf(record), ...stored, codec: stored.blob ? blobCodec(this.serializer.name) : this.serializer.name };
    return this.writes.add(stored.blob ? { kind: 'put', value, bytes } : { kind: 'put', value });
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.writes.add({ kind: 'delete', key })));
  }

  clear(): Promise<void> {
    return this.writes.add({ kind: 'clear' });
  }

  /** Metadata of every entry; unreadable metadata records are removed (with their values) and counted. */
  async list(): Promise<TierEntryMeta[]> {
    const db = await this.database();
    if (!db) return [];
    const tx = db.transaction('meta');
    const [keys, records] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    const metas: TierEntryMeta[] = [];
    const junk: string[] = [];
    records.forEach((record: unknown, i) => {
      const meta = checkEntryMeta(record);
      if (typeof meta !== 'string' && meta.key === keys[i]) metas.push(meta);
      else junk.push(keys[i] as string);
    });
    if (junk.length > 0) await this.dropCorrupt(junk);
    return metas;
  }

  takeCorrupt(): number {
    const found = this.corruptFound;
    this.corruptFound = 0;
    return found;
  }

  touch(key: string, accessedAt: number): Promise<void> {
    return this.writes.add({ kind: 'touch', key, at: accessedAt });
  }

  async query(field: 'tags' | 'dependsOn', value: string): Promise<string[]> {
    return ((await (await this.database())?.getAllKeysFromIndex('meta', field, value)) ?? []) as string[];
  }

  async close(): Promise<void> {
    this.closed = true;
    (await this.connection)?.close();
    this.connection = undefined;
  }

  private async dropCorrupt(keys: string[]): Promise<void> {
    try {
      await this.delete(keys);
      this.corruptFound += keys.length;
    } catch {
      // Not removable now; never returned, found again next time.
    }
  }

  // The two hot paths below use the raw IDB objects behind idb's proxies (unwrap): no
  // proxy traps and no promise per request that only needs to complete with its transaction.

  // Reads of one tick share a read-only transaction; it starts after any write batch
  // queued before it, so a read sees the writes issued before it.
  private async fetch(keys: string[]): Promise<(StoredValue | undefined)[]> {
    const db = await this.database();
    if (!db) return keys.map(() => undefined);
    const store = unwrap(db).transaction('values').objectStore('values');
    return Promise.all(keys.map((key) => settled<StoredValue | undefined>(store.get(key))));
  }

  private async commit(ops: WriteOp[]): Promise<void> {
    try {
      await this.commitOnce(ops);
    } catch (error) {
      // Some stores refuse Blobs (older private modes): write the same bytes inline, and keep doing so.
      const wrapped = ops.some((op) => op.kind === 'put' && op.bytes !== undefined);
      if (!wrapped || error instanceof CacheError || this.closed) throw error;
      const inline = ops.map((op): WriteOp => {
        if (op.kind !== 'put' || op.bytes === undefined) return op;
        const { blob: _blob, ...value } = op.value;
        return { kind: 'put', value: { ...value, data: op.bytes, codec: this.serializer.name } };
      });
      await this.commitOnce(inline); // failing too, it was not the Blobs: they stay on
      this.blobs = false;
    }
  }

  private async commitOnce(ops: WriteOp[]): Promise<void> {
    const db = await this.database();
    if (!db) return;
    // A batch of access-time updates alone spans 'meta' only, with relaxed durability (a lost
    // access time costs nothing): a read of 'values' need not wait for its commit, as it must
    // behind a read-write transaction over 'values'.
    const touchesOnly = ops.every((op) => op.kind === 'touch');
    const tx = touchesOnly
      ? unwrap(db).transaction('meta', 'readwrite', { durability: 'relaxed' })
      : unwrap(db).transaction(['values', 'meta'], 'readwrite');
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
    });
    const values = touchesOnly ? null : tx.objectStore('values');
    const meta = tx.objectStore('meta');
    try {
      for (const op of ops) {
        if (op.kind === 'put') {
          const { data: _data, codec: _codec, blob: _blob, ...metadata } = op.value;
          values!.put(op.value, op.value.key);
          meta.put(metadata, op.value.key);
        } else if (op.kind === 'delete') {
          values!.delete(op.key);
          meta.delete(op.key);
        } else if (op.kind === 'clear') {
          values!.clear();
          meta.clear();
        } else {
          const current = await settled<TierEntryMeta | undefined>(meta.get(op.key));
          if (current) meta.put({ ...current, accessedAt: op.at, hits: current.hits + 1 }, op.key);
        }
      }
      await done;
    } catch (error) {
      done.catch(() => {}); // the abort below rejects it again; that rejection is expected
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      throw isQuotaError(error) ? new CacheError('QUOTA_EXCEEDED', `IndexedDB is full (${this.databaseName})`, { cause: error }) : error;
    }
  }

  private database(): Promise<IDBPDatabase<CacheDB> | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return (this.connection ??= this.open());
  }

  private async request(factory: IDBFactory, version?: number): Promise<IDBPDatabase<CacheDB>> {
    const request = factory.open(this.databaseName, version);
    request.onupgradeneeded = (event) => {
      const db = wrap(request.result) as unknown as IDBPDatabase<CacheDB>;
      const tx = wrap(request.transaction!) as never;
      for (let step = event.oldVersion; step < SCHEMA_VERSION; step++) MIGRATIONS[step](db, tx);
    };
    const opened = wrap(request) as unknown as Promise<IDBPDatabase<CacheDB>>;
    // An older tab that ignores versionchange blocks our upgrade indefinitely: after a
    // while give up (memory-only) rather than leave every cache call waiting.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    const blocked = new Promise<never>((_, reject) => {
      request.onblocked = () => {
        timer = setTimeout(() => {
          gaveUp = true;
          reject(new CacheError('TIER_UNAVAILABLE', `${this.databaseName}: upgrade blocked by another tab holding an older version open`));
        }, this.options.blockedTimeoutMs ?? 3000);
      };
    });
    opened.then((db) => gaveUp && db.close(), () => {});
    try {
      return await Promise.race([opened, blocked]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async open(): Promise<IDBPDatabase<CacheDB> | undefined> {
    try {
      const factory = this.options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      if (!factory) throw new CacheError('TIER_UNAVAILABLE', 'IndexedDB is not available here');
      let db: IDBPDatabase<CacheDB>;
      try {
        db = await this.request(factory, SCHEMA_VERSION);
      } catch (error) {
        // A newer phasekit in another tab upgraded the schema; its stores are a superset of ours.
        if ((error as { name?: string }).name !== 'VersionError') throw error;
        db = await this.request(factory);
        if (!db.objectStoreNames.contains('values') || !db.objectStoreNames.contains('meta')) {
          db.close();
          throw new CacheError('TIER_UNAVAILABLE', `${this.databaseName} has an unknown newer schema`);
        }
      }
      // Another tab wants to upgrade the schema: step aside, reconnect on next use.
      db.addEventListener('versionchange', () => {
        db.close();
        this.connection = undefined;
      });
      // The browser closed the connection (storage cleared, disk trouble): reconnect on next use.
      db.addEventListener('close', () => {
        this.connection = undefined;
      });
      return db;
    } catch (error) {
      if (!warned.has(this.databaseName)) {
        warned.add(this.databaseName);
        console.warn(`phasekit cache "${this.options.name}": IndexedDB unavailable, keeping entries in memory only.`, error);
      }
      return undefined;
    }
  }
}


function settled<T>(request: IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}
