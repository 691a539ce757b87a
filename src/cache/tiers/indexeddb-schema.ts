import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { TierEntryMeta } from './tier.js';

/**
 * A value record: metadata, the serialized value and the serializer that wrote it.
 * `version` is '' for "none" because an index key cannot hold undefined.
 */
export interface StoredValue extends Omit<TierEntryMeta, 'version'> {
  /** The cache's data version, '' when it has none. */
  version: string | number;
  /** The serializer's output. */
  data: unknown;
  /** The serializer's name. */
  codec: string;
}

/** Reads since the value was stored; kept apart so a read never rewrites a large value. */
export interface AccessRecord {
  accessedAt: number;
  hits: number;
}

/** The metadata index key: everything `list` and `head` need, readable from a key cursor without loading values. */
export type MetaIndexKey = [key: string, storedAt: number, accessedAt: number, expiresAt: number, size: number, hits: number, version: string | number];

/** Key path of the metadata index, in {@link MetaIndexKey} order. */
export const META_KEY_PATH = ['key', 'storedAt', 'accessedAt', 'expiresAt', 'size', 'hits', 'version'];

/** Layout of one cache's database: one record per entry (one put per write), access times apart. */
export interface CacheDB extends DBSchema {
  values: { key: string; value: StoredValue; indexes: { meta: MetaIndexKey; tags: string; dependsOn: string } };
  access: { key: string; value: AccessRecord };
}

type Upgrade = (db: IDBPDatabase<CacheDB>, tx: IDBPTransaction<CacheDB, StoreNames<CacheDB>[], 'versionchange'>) => void;

/**
 * Schema migrations; entry i upgrades a database from version i to i + 1. Append only:
 * a browser may hold a database at any older version.
 */
export const MIGRATIONS: readonly Upgrade[] = [
  (db) => {
    const values = db.createObjectStore('values');
    values.createIndex('meta', META_KEY_PATH);
    values.createIndex('tags', 'tags', { multiEntry: true });
    values.createIndex('dependsOn', 'dependsOn', { multiEntry: true });
    db.createObjectStore('access');
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
