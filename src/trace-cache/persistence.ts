// Where a cache layer persists: IndexedDB in browsers and workers, a directory in
// Node. Every layer uses the same rules, so one PHASEKIT_CACHE_DIR moves them all.
import type { ByteSerializer } from '../cache/serializers/serializer.js';
import { FileTier } from '../cache/tiers/file-tier.js';
import type { TierSpec } from '../cache/tiers/resolve-tiers.js';
import type { CacheTier, TierRecord } from '../cache/tiers/tier.js';
import type { Cache } from '../cache/cache.js';

/** The persistent tier of a cache layer. */
export type LayerPersistence = 'indexeddb' | 'file' | 'none';

/** IndexedDB where it exists, files in Node, else memory only. */
export function defaultPersistence(): LayerPersistence {
  if (typeof indexedDB !== 'undefined') return 'indexeddb';
  if (typeof process !== 'undefined' && process.versions?.node) return 'file';
  return 'none';
}

/**
 * The directory of layer `name`'s file store: `<root>/<name>`, with root the given one, else
 * `$PHASEKIT_CACHE_DIR`, else undefined (the file tier's own default, `<XDG cache dir>/phasekit/<name>`).
 */
export function layerDirectory(name: string, root?: string): string | undefined {
  const base = root ?? (typeof process !== 'undefined' ? process.env?.PHASEKIT_CACHE_DIR || undefined : undefined);
  return base === undefined ? undefined : `${base.replace(/[\\/]+$/, '')}/${name}`;
}

/** Where a layer keeps its entries (its options as the layers share them). */
export interface LayerStorageOptions {
  persistence?: LayerPersistence;
  dir?: string;
  root?: string;
  remote?: (serializer: ByteSerializer) => CacheTier | undefined;
  /** Entries up to this many bytes are read synchronously (the file tier's default otherwise). */
  syncReadBytes?: number;
}

/** A layer's tiers: memory, its persistent tier (a file tier made here for files), then the shared remote tier if any. */
export function layerTiers(name: string, options: LayerStorageOptions, serializer: ByteSerializer): { persistence: LayerPersistence; fileTier: FileTier | null; tiers: TierSpec[] } {
  const persistence = options.persistence ?? defaultPersistence();
  const fileTier = persistence === 'file' ? new FileTier({ name, dir: options.dir ?? layerDirectory(name, options.root), serializer, syncReadBytes: options.syncReadBytes }) : null;
  const local: TierSpec[] = fileTier ? ['memory', fileTier] : persistence === 'none' ? ['memory'] : ['memory', persistence];
  const remote = options.remote?.(serializer);
  return { persistence, fileTier, tiers: remote ? [...local, remote] : local };
}

/** Every entry a layer's cache holds, as archive records whose values are `toBytes(entry, key)`. */
export async function layerRecords<V>(cache: Pick<Cache<V>, 'keys' | 'get'>, version: number, toBytes: (value: V, key: string) => Uint8Array): Promise<TierRecord<Uint8Array>[]> {
  const records: TierRecord<Uint8Array>[] = [];
  const now = Date.now();
  for (const key of await cache.keys()) {
    const value = await cache.get(key);
    if (value === undefined) continue;
    const bytes = toBytes(value, key);
    records.push({ key, value: bytes, storedAt: now, accessedAt: now, expiresAt: 0, size: bytes.byteLength, hits: 0, version });
  }
  return records;
}
