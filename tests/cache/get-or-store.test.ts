// getOrStore: content-addressed values, where a stored copy can only equal the one the
// caller makes. Memory's value when it has one; else make()'s, written to each lower tier
// that lacks it. Below memory only metadata is read.
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/cache/index.js';
import type { CacheTier, TierEntryMeta, TierRecord } from '../../src/cache/tiers/tier.js';

/** A lower tier in a Map that counts what the cache asks of it. */
class CountingTier implements CacheTier {
  readonly shared = false;
  readonly records = new Map<string, TierRecord>();
  readonly calls = { get: 0, head: 0, set: 0, touch: 0 };
  failWrites = false;
  constructor(readonly name: string) {}
  async get(key: string): Promise<TierRecord | undefined> { this.calls.get++; return this.records.get(key); }
  async head(key: string): Promise<TierEntryMeta | undefined> {
    this.calls.head++;
    return this.metaOf(key);
  }
  private metaOf(key: string): TierEntryMeta | undefined {
    const record = this.records.get(key);
    if (!record) return undefined;
    const { value: _value, ...meta } = record;
    return meta;
  }
  async set(record: TierRecord): Promise<void> {
    this.calls.set++;
    if (this.failWrites) throw new Error('disk on fire');
    this.records.set(record.key, record);
  }
  async delete(keys: readonly string[]): Promise<void> { for (const key of keys) this.records.delete(key); }
  async clear(): Promise<void> { this.records.clear(); }
  async list(): Promise<TierEntryMeta[]> { return [...this.records.keys()].map((key) => this.metaOf(key)!); }
  async touch(key: string, accessedAt: number): Promise<void> {
    this.calls.touch++;
    const record = this.records.get(key);
    if (record) record.accessedAt = accessedAt;
  }
}

let names = 0;
const open = (...tiers: CountingTier[]) => createCache<{ id: string }>({ name: `get-or-store-${names++}`, tiers: ['memory', ...tiers], sync: false });

describe('getOrStore', () => {
  it('stores a value found nowhere in every tier, and counts a miss and a computation', async () => {
    const tier = new CountingTier('disk');
    const cache = open(tier);
    const value = { id: 'a' };
    expect(await cache.getOrStore('k', () => value)).toBe(value);
    expect(tier.calls).toMatchObject({ get: 0, head: 1, set: 1 });
    expect(tier.records.get('k')?.value).toBe(value);
    const stats = cache.stats();
    expect(stats).toMatchObject({ misses: 1, hits: 0, computations: 1 });
    // Memory answers the next call with the value it holds, not the one offered.
    expect(await cache.getOrStore('k', () => ({ id: 'a, again' }))).toBe(value);
    expect(tier.calls).toMatchObject({ get: 0, head: 1, set: 1 });
    expect(cache.stats().tiers.memory.hits).toBe(1);
  });

  it('a tier holding the key is touched, not read or written; a tier lacking it is written', async () => {
    const near = new CountingTier('near'), far = new CountingTier('far');
    const first = open(far);
    await first.getOrStore('k', () => ({ id: 'stored' }));
    const cache = open(near, far);
    const inHand = { id: 'in hand' };
    expect(await cache.getOrStore('k', () => inHand)).toBe(inHand);
    expect(far.calls).toMatchObject({ get: 0, set: 1, touch: 1 });
    expect(near.calls).toMatchObject({ get: 0, set: 1 });
    expect(near.records.get('k')?.value).toBe(inHand);
    const stats = cache.stats();
    expect(stats).toMatchObject({ hits: 1, misses: 0, computations: 0 });
    expect(stats.tiers.far.hits).toBe(1);
    expect(stats.tiers.near.misses).toBe(1);
  });

  it('an expired or stale record below counts as absent and is replaced', async () => {
    const tier = new CountingTier('disk');
    tier.records.set('old', { key: 'old', value: { id: 'x' }, storedAt: 1, accessedAt: 1, expiresAt: 2, size: 1, hits: 0 });
    const cache = open(tier);
    const value = { id: 'fresh' };
    await cache.getOrStore('old', () => value);
    expect(tier.records.get('old')).toMatchObject({ value, expiresAt: 0 });
    expect(cache.stats().computations).toBe(1);
  });

  it('concurrent calls for one key share one flight and one write', async () => {
    const tier = new CountingTier('disk');
    const cache = open(tier);
    const values = await Promise.all(Array.from({ length: 8 }, (_, i) => cache.getOrStore('k', () => ({ id: String(i) }))));
    expect(new Set(values).size).toBe(1);
    expect(tier.calls).toMatchObject({ head: 1, set: 1 });
  });

  it('a lower tier that cannot be written is counted, not thrown: the value stays in memory', async () => {
    const tier = new CountingTier('disk');
    tier.failWrites = true;
    const cache = open(tier);
    const value = { id: 'a' };
    expect(await cache.getOrStore('k', () => value)).toBe(value);
    expect(cache.stats().tiers.disk.errors).toBe(1);
    expect(await cache.get('k')).toBe(value);
  });

  it('make() runs only on a memory miss, and a failure is not kept: the next call makes again', async () => {
    const tier = new CountingTier('disk');
    const cache = open(tier);
    let made = 0;
    await expect(cache.getOrStore('k', () => { made++; throw new Error('no'); })).rejects.toThrow('no');
    expect(tier.records.size).toBe(0);
    const value = await cache.getOrStore('k', async () => { made++; return { id: 'ok' }; });
    expect(await cache.getOrStore('k', () => { made++; return { id: 'unused' }; })).toBe(value);
    expect(made).toBe(2);
  });

  it('namespaces keep their keys apart', async () => {
    const tier = new CountingTier('disk');
    const cache = open(tier);
    await cache.namespace('a').getOrStore('k', () => ({ id: 'a' }));
    await cache.namespace('b').getOrStore('k', () => ({ id: 'b' }));
    expect(tier.records.size).toBe(2);
    expect((await cache.namespace('a').get('k'))?.id).toBe('a');
  });
});
