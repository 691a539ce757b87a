import { CacheError } from '../errors.js';
import type { ByteSerializer, Serializer } from '../serializers/serializer.js';
import { FileTier } from './file-tier.js';
import { IndexedDBTier } from './indexeddb-tier.js';
import type { CacheTier } from './tier.js';

/** A tier by its well-known name, or any {@link CacheTier}. 'memory' is always first and implicit. */
export type TierSpec = 'memory' | 'indexeddb' | 'file' | CacheTier;

/** What the well-known tiers need from the cache options. */
export interface TierDefaults {
  name: string;
  serializer?: Serializer;
  indexedDB?: IDBFactory;
  dir?: string;
}

/** Turns tier specs into the ordered lower tiers (memory excluded), checking names are unique. */
export function resolveTiers(specs: readonly TierSpec[], defaults: TierDefaults): CacheTier[] {
  const tiers: CacheTier[] = [];
  for (const spec of specs) {
    if (spec === 'memory') continue;
    if (spec === 'indexeddb') tiers.push(new IndexedDBTier({ name: defaults.name, serializer: defaults.serializer, indexedDB: defaults.indexedDB }));
    else if (spec === 'file') tiers.push(new FileTier({ name: defaults.name, dir: defaults.dir, serializer: defaults.serializer as ByteSerializer | undefined }));
    else if (typeof spec === 'object' && typeof spec.get === 'function') tiers.push(spec);
    else throw new CacheError('BAD_OPTION', `unknown tier ${JSON.stringify(spec)} (memory, indexeddb, file or a CacheTier)`);
  }
  const names = tiers.map((tier) => tier.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i || name === 'memory');
  if (repeated) throw new CacheError('BAD_OPTION', `two tiers are named "${repeated}"`);
  return tiers;
}
