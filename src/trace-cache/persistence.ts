// Where a cache layer persists: IndexedDB in browsers and workers, a directory in
// Node. Every layer uses the same rules, so one PHASEKIT_CACHE_DIR moves them all.

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
