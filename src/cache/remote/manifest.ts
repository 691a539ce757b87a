import { CacheError } from '../errors.js';
import type { TierEntryMeta } from '../tiers/tier.js';

/** One published entry: its metadata as stored, and the bytes its object occupies. */
export interface ManifestEntry extends Omit<TierEntryMeta, 'hits' | 'accessedAt'> {
  /** Bytes of the stored object (envelope included), for download sizes and progress. */
  bytes: number;
}

/**
 * The index of a published cache namespace, at `{baseUrl}/{namespace}/manifest.json`:
 * what `pull` fetches and `push` writes. Objects sit beside it, one per key.
 */
export interface Manifest {
  /** Always 'phasekit-cache-manifest'. */
  format: typeof MANIFEST_FORMAT;
  /** Layout version of this file (1). */
  version: typeof MANIFEST_VERSION;
  /** The namespace the objects live under. */
  namespace: string;
  /** What produced the entries (a cache or layer name), free text. */
  layer?: string;
  /** When it was last written (epoch ms). */
  updatedAt: number;
  /** Every published entry. */
  entries: ManifestEntry[];
}

/** The `format` field of every manifest. */
export const MANIFEST_FORMAT = 'phasekit-cache-manifest';
/** The manifest layout this code reads and writes. */
export const MANIFEST_VERSION = 1;
/** The manifest's file name inside a namespace. */
export const MANIFEST_FILE = 'manifest.json';

/** A manifest listing `entries`. */
export function buildManifest(namespace: string, entries: Iterable<ManifestEntry>, layer?: string): Manifest {
  return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, namespace, ...(layer ? { layer } : {}), updatedAt: Date.now(), entries: [...entries] };
}

/** Reads a manifest's JSON text; throws CacheError `CORRUPT` naming `where` when it is not one. */
export function parseManifest(text: string, where: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CacheError('CORRUPT', `${where} is not JSON`, { cause });
  }
  const manifest = value as Partial<Manifest> | null;
  if (manifest?.format !== MANIFEST_FORMAT) throw new CacheError('CORRUPT', `${where} is not a phasekit cache manifest`);
  if (manifest.version !== MANIFEST_VERSION) throw new CacheError('CORRUPT', `${where} has manifest version ${String(manifest.version)}, this reader knows ${MANIFEST_VERSION}`);
  if (!Array.isArray(manifest.entries) || !manifest.entries.every(isEntry)) throw new CacheError('CORRUPT', `${where} has malformed entries`);
  return manifest as Manifest;
}

/** The manifest entry of a stored entry whose object takes `bytes`. */
export function manifestEntry(meta: TierEntryMeta, bytes: number): ManifestEntry {
  const { hits: _hits, accessedAt: _accessed, ...rest } = meta;
  return { ...rest, bytes };
}

/** A tier entry's metadata from its manifest entry (never read, no hits). */
export function metaFromManifest(entry: ManifestEntry): TierEntryMeta {
  const { bytes: _bytes, ...meta } = entry;
  return { ...meta, accessedAt: entry.storedAt, hits: 0 };
}

function isEntry(entry: unknown): entry is ManifestEntry {
  const e = entry as Partial<ManifestEntry> | null;
  return (
    typeof e?.key === 'string' &&
    [e.storedAt, e.expiresAt, e.size, e.bytes].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)
  );
}
