import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { TierEntryMeta } from './tier.js';

/** A value record: metadata, the serialized value and the serializer that wrote it. */
export interface StoredValue extends TierEntryMeta {
  /** The serializer's output. */
  data: unknown;
  /** The serializer's name (with `+blob` when `data` is a Blob, see indexeddb-blobs). */
  codec: string;
  /** Set when `data` is a Blob holding the serializer's bytes: what they were (see indexeddb-blobs). */
  blob?: 'bytes' | 'buffer';
}

/**
 * Layout of one cache's database. Values live in a store without indexes: Chromium
 * clones every value written to an indexed store to extract its index keys, which
 * costs a full copy of a multi-megabyte value. The small `meta` store carries the
 * indexes, and serves listing and `touch` without loading values.
 */
export interface CacheDB extends DBSchema {
  values: { key: string; value: StoredValue };
  meta: { key: string; value: TierEntryMeta; indexes: { tags: string; dependsOn: string } };
}

type Upgrade = (db: IDBPDatabase<CacheDB>, tx: IDBPTransaction<CacheDB, StoreNames<CacheDB>[], 'versionchange'>) => void;

/**
 * Schema migrations; entry i upgrades a database from version i to i + 1. Append only:
 * a browser may hold a database at any older version.
 */
export const MIGRATIONS: readonly Upgrade[] = [
  (db) => {
    db.createObjectStore('values');
    const meta = db.createObjectStore('meta');
    meta.createIndex('tags', 'tags', { multiEntry: true });
    meta.createIndex('dependsOn', 'dependsOn', { multiEntry: true });
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
