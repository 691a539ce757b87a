import { binarySerializer, CacheError, metaOf, type CacheTier, type TierEntryMeta, type TierRecord } from '../../src/cache/index.js';

/**
 * An in-memory stand-in for a remote store (Redis-like): values travel as bytes, as they
 * would over a wire. `failNextSets` makes the next writes fail with a quota error;
 * `capacityBytes` makes every write beyond it fail that way.
 */
export class RemoteTierDouble implements CacheTier {
  readonly name: string;
  readonly shared = true;
  readonly store = new Map<string, { meta: TierEntryMeta; bytes: Uint8Array }>();
  failNextSets = 0;
  capacityBytes = Infinity;
  sets = 0;

  constructor(name = 'remote') {
    this.name = name;
  }

  async get(key: string): Promise<TierRecord | undefined> {
    const entry = this.store.get(key);
    return entry && { ...entry.meta, value: binarySerializer.decode(entry.bytes) };
  }

  async head(key: string): Promise<TierEntryMeta | undefined> {
    return this.store.get(key)?.meta;
  }

  async set(record: TierRecord): Promise<void> {
    this.sets++;
    const bytes = binarySerializer.encode(record.value);
    const used = [...this.store.values()].reduce((sum, entry) => sum + entry.meta.size, 0) - (this.store.get(record.key)?.meta.size ?? 0);
    if (this.failNextSets > 0 || used + record.size > this.capacityBytes) {
      if (this.failNextSets > 0) this.failNextSets--;
      throw new CacheError('QUOTA_EXCEEDED', 'remote store full');
    }
    this.store.set(record.key, { meta: metaOf(record), bytes });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.store.delete(key);
  }

  async clear(): Promise<void> {
    this.store.clear();
  }

  async list(): Promise<TierEntryMeta[]> {
    return [...this.store.values()].map((entry) => entry.meta);
  }

  async touch(key: string, accessedAt: number): Promise<void> {
    const entry = this.store.get(key);
    if (entry) entry.meta = { ...entry.meta, accessedAt, hits: entry.meta.hits + 1 };
  }

  /** Overwrites the stored bytes of `key`, as a flipped bit on the wire would. */
  corrupt(key: string, bytes: Uint8Array): void {
    const entry = this.store.get(key);
    if (entry) entry.bytes = bytes;
  }
}
