import { CacheCore } from './cache-core.js';
import { globMatcher } from './invalidation/glob.js';
import { decodeArchive, encodeArchive } from './management/archive.js';
import { persistStorage, storageEstimate, type StorageEstimateInfo } from './management/storage.js';
import type { VacuumOptions, VacuumResult } from './management/vacuum.js';
import { NAMESPACE_SEPARATOR, type CacheOptions, type ComputeOptions, type SetOptions } from './options.js';
import type { PolicyName } from './policy/policy.js';
import type { CacheCounters, TierCounters } from './stats/cache-stats.js';
import { formatBytes, formatPercent } from './stats/format.js';
import type { TierRecord } from './tiers/tier.js';

/** A snapshot of a cache's counters (shared by all its namespaces). */
export interface CacheStatsSnapshot extends CacheCounters {
  /** Cache name. */
  name: string;
  /** Memory-tier policy. */
  policy: PolicyName;
  /** hits / (hits + misses), NaN before any lookup. */
  hitRate: number;
  /** Memory tier occupancy, with store times of its oldest and newest entries. */
  memory: { entries: number; bytes: number; maxEntries: number; maxBytes: number; oldest?: number; newest?: number };
  /** Counters per tier, memory included. */
  tiers: Record<string, TierCounters>;
}

/** Occupancy of one tier, as measured by listing it. */
export interface TierOccupancy {
  /** Live and dead entries stored. */
  entries: number;
  /** Bytes by the entries' recorded sizes. */
  bytes: number;
  /** Store time of the oldest entry (epoch ms). */
  oldest?: number;
  /** Store time of the newest entry (epoch ms). */
  newest?: number;
  /** Writes under way (e.g. the file tier's temporary files), not counted in `entries`; for tiers that report them. */
  pending?: { records: number; bytes: number };
}

/** A cache's occupancy and counters, as {@link Cache.info} reports them. */
export interface CacheInfo {
  /** Entries and bytes per tier (memory included), with oldest/newest store times. */
  tiers: Record<string, TierOccupancy>;
  /** Lookups answered by some tier. */
  hits: number;
  misses: number;
  /** hits / (hits + misses); NaN before any lookup. */
  hitRate: number;
  /** Values computed through `getOrCompute` by this process. */
  computed: number;
  evictions: number;
  /** Stored entries that failed verification and were dropped. */
  corrupt: number;
  /** Oldest / newest store time over all tiers (epoch ms). */
  oldest?: number;
  newest?: number;
  /** The full counters. */
  stats: CacheStatsSnapshot;
}

/**
 * A tiered key–value cache: memory in front, optional IndexedDB, file or remote tiers
 * behind. Create one with {@link createCache}; `namespace()` returns views that share
 * its storage, stats and budgets but not its keys.
 */
export class Cache<V = unknown> {
  /** @internal */
  constructor(
    private readonly core: CacheCore<V>,
    /** Key prefix of this namespace ('' at the root). */
    readonly prefix = '',
  ) {}

  /** The cache name. */
  get name(): string {
    return this.core.name;
  }

  /** The value for `key` from the fastest tier holding it, or undefined. A lower-tier hit is promoted to memory. */
  get(key: string): Promise<V | undefined> {
    return this.core.get(this.prefix + key);
  }

  /** Stores `value` in every tier. Lower-tier failures are counted, never thrown: the memory copy stays. Setting undefined deletes. */
  set(key: string, value: V, options?: SetOptions): Promise<void> {
    return this.core.set(this.prefix + key, value, this.scoped(options));
  }

  /** True when a live entry for `key` exists in some tier (no hit counted). */
  has(key: string): Promise<boolean> {
    return this.core.has(this.prefix + key);
  }

  /** Removes `key` (and its dependents) from every tier; true when it existed. */
  async delete(key: string): Promise<boolean> {
    return (await this.invalidate(key)) > 0;
  }

  /**
   * Drops `key` from every tier and counts it corrupt: for owners whose own checks of a
   * value (beyond `validate`) failed after `get`, so a bad entry is never used twice.
   */
  async markCorrupt(key: string): Promise<void> {
    await this.invalidate(key);
    this.core.stats.counters.corrupt++;
  }

  /**
   * Puts `value` in the memory tier only, nothing written below, where it fits without
   * evicting anything and memory does not hold `key`: for a value the tiers below hold, that
   * memory evicted and its owner brought back (a trace released on eviction and recorded
   * again by the model using it). Never evicting keeps two such owners from taking turns at
   * one place, each pushing out the other's value. Returns whether it went in.
   */
  adoptInMemory(key: string, value: V): boolean {
    const k = this.prefix + key;
    return this.core.memory.hasRoomFor(k, value) && this.core.memory.set(k, value);
  }

  /** Removes every entry of this namespace (the whole cache at the root). */
  async clear(): Promise<void> {
    if (this.prefix === '') await this.core.clear();
    else await this.invalidatePrefix('');
  }

  /** Remaining time to live in ms: Infinity without a TTL, 0 when absent or expired. */
  getTTL(key: string): Promise<number> {
    return this.core.remainingTtl(this.prefix + key);
  }

  /** Live keys of this namespace across all tiers. */
  async keys(): Promise<string[]> {
    return (await this.core.keys((key) => this.owns(key))).map((key) => this.local(key));
  }

  /** Live [key, value] pairs of this namespace, one at a time (values may be large). Counts no hits. */
  async *entries(): AsyncGenerator<[string, V]> {
    for (const key of await this.keys()) {
      const record = await this.core.peek(this.prefix + key);
      if (record) yield [key, record.value];
    }
  }

  /**
   * The cached value, or `compute()`'s result stored under `key`. Concurrent calls for
   * one key share one computation; across tabs a Web Lock per key ensures one tab
   * computes while the others wait and read its result. Errors are not cached.
   */
  getOrCompute(key: string, compute: (signal?: AbortSignal) => Promise<V> | V, options?: ComputeOptions): Promise<V> {
    return this.core.getOrCompute(this.prefix + key, compute, this.scoped(options));
  }

  /**
   * For content-addressed values (the key is a hash of the value, so a stored copy can only
   * equal the one the caller makes from what it holds): the value memory holds, else
   * `make()`'s, put in memory and written to each lower tier that lacks it. Below memory only
   * metadata is read. Concurrent calls for one key share one flight; errors are not cached.
   */
  getOrStore(key: string, make: () => Promise<V> | V, options?: SetOptions): Promise<V> {
    return this.core.getOrStore(this.prefix + key, make, this.scoped(options));
  }

  /** A view whose keys live apart from this one's; clearing it leaves the rest. */
  namespace(name: string): Cache<V> {
    return new Cache(this.core, this.prefix + name + NAMESPACE_SEPARATOR);
  }

  /** Removes these keys and, transitively, their dependents; returns how many entries were removed. */
  invalidate(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    return this.core.invalidate(list.map((key) => this.prefix + key));
  }

  /** Removes every key starting with `prefix` (and dependents). */
  async invalidatePrefix(prefix: string): Promise<number> {
    const full = this.prefix + prefix;
    return this.core.invalidate(await this.core.keys((key) => key.startsWith(full)));
  }

  /** Removes every key matching a glob (`*` any run, `?` one character), and dependents. */
  async invalidatePattern(pattern: string): Promise<number> {
    const matches = globMatcher(pattern);
    return this.core.invalidate(await this.core.keys((key) => this.owns(key) && matches(this.local(key))));
  }

  /** Removes every entry of this namespace set with `tag` (and dependents). */
  async invalidateTag(tag: string): Promise<number> {
    return this.core.invalidate((await this.core.tagged(tag)).filter((key) => this.owns(key)));
  }

  /** Counters of the whole cache. */
  stats(): CacheStatsSnapshot {
    const { core } = this;
    const memory = core.memory;
    const range = memory.ageRange();
    return {
      ...core.stats.counters,
      evictions: core.evictions,
      expirations: core.expirations,
      name: core.name,
      policy: memory.policyName,
      hitRate: core.stats.hitRate(),
      memory: { entries: memory.size, bytes: memory.bytes, maxEntries: memory.maxEntries, maxBytes: memory.maxBytes, ...range },
      tiers: Object.fromEntries([...core.stats.tiers].map(([name, counters]) => [name, { ...counters }])),
    };
  }

  /** Hit rate (0–1) over all time, or over the last `windowMs` (up to an hour). */
  hitRate(options: { windowMs?: number } = {}): number {
    return this.core.stats.hitRate(options.windowMs);
  }

  /** The `n` memory-resident keys of this namespace with most hits. */
  hottestKeys(n = 10): { key: string; hits: number }[] {
    return this.core.memory
      .hottest(Infinity)
      .filter(({ key }) => this.owns(key))
      .slice(0, n)
      .map(({ key, hits }) => ({ key: this.local(key), hits }));
  }

  /** One line for logs: "cache traces: 847/1000 hits (84.7%), …". */
  summary(): string {
    const s = this.stats();
    const lookups = s.hits + s.misses;
    const tiers = Object.entries(s.tiers)
      .map(([name, t]) => `${name} ${t.hits} hits${t.errors ? ` ${t.errors} errors` : ''}`)
      .join(', ');
    return (
      `cache ${s.name}: ${s.hits}/${lookups} hits (${formatPercent(s.hitRate)}), ${s.sets} sets, ` +
      `${s.evictions} evictions, ${s.expirations} expirations, ${s.corrupt} corrupt; ` +
      `memory ${s.memory.entries} entries ${formatBytes(s.memory.bytes)}` +
      (tiers ? `; ${tiers}` : '')
    );
  }

  /** Entries and bytes of every tier (lists lower tiers: may be slow on huge stores). Throws CacheError when a tier cannot be listed. */
  async tierOccupancy(): Promise<Record<string, TierOccupancy>> {
    const { memory, tiers } = this.core;
    const result: Record<string, TierOccupancy> = { memory: { entries: memory.size, bytes: memory.bytes, ...memory.ageRange() } };
    for (const tier of tiers) {
      const { entries: metas, pending } = await this.core.scan(tier);
      // A loop, not Math.min(...times): spreading 100k+ arguments overflows the stack.
      let oldest = Infinity;
      let newest = -Infinity;
      for (const { storedAt } of metas) {
        if (storedAt < oldest) oldest = storedAt;
        if (storedAt > newest) newest = storedAt;
      }
      result[tier.name] = {
        entries: metas.length,
        bytes: metas.reduce((sum, meta) => sum + meta.size, 0),
        ...(metas.length ? { oldest, newest } : {}),
        ...(pending ? { pending } : {}),
      };
    }
    return result;
  }

  /** Occupancy of every tier and the counters in one report (lists lower tiers, like {@link Cache.tierOccupancy}). */
  async info(): Promise<CacheInfo> {
    // Listing drops junk records: the counters are read after it, so they include them.
    const tiers = await this.tierOccupancy();
    const stats = this.stats();
    const times = Object.values(tiers).flatMap((t) => [t.oldest, t.newest]).filter((x): x is number => x !== undefined);
    return {
      tiers, stats,
      hits: stats.hits, misses: stats.misses, hitRate: stats.hitRate,
      computed: stats.computations, evictions: stats.evictions, corrupt: stats.corrupt,
      ...(times.length ? { oldest: Math.min(...times), newest: Math.max(...times) } : {}),
    };
  }

  /** The origin's storage usage and quota (`navigator.storage.estimate()`); undefined outside browsers. */
  storageEstimate(): Promise<StorageEstimateInfo | undefined> {
    return storageEstimate();
  }

  /** Asks the browser not to evict this origin's storage; resolves whether it agreed. */
  persist(): Promise<boolean> {
    return persistStorage();
  }

  /** Drops expired entries from all tiers now; returns how many. */
  sweep(): Promise<number> {
    return this.core.sweep();
  }

  /** Sweeps expired entries every `intervalMs` (unref'd in Node). One sweeper per cache. */
  startSweeper(intervalMs: number): void {
    this.core.startSweeper(intervalMs);
  }

  /** Stops the sweeper. */
  stopSweeper(): void {
    this.core.stopSweeper();
  }

  /** Removes old, expired, stale-version or (beyond maxBytes) least valuable entries from lower tiers. */
  vacuum(options: VacuumOptions<V> = {}): Promise<VacuumResult[]> {
    return this.core.vacuum(options);
  }

  /** All live entries of this namespace as one archive (see management/archive.ts for the format). */
  async export(): Promise<Uint8Array> {
    const records: TierRecord<V>[] = [];
    for (const key of await this.keys()) {
      const record = await this.core.peek(this.prefix + key);
      if (record) records.push({ ...record, key: this.local(record.key), ...this.unscoped(record) });
    }
    return encodeArchive(records);
  }

  /** Loads an archive's unexpired entries into this namespace, keeping their times; returns how many. */
  async import(archive: Uint8Array): Promise<number> {
    const now = Date.now();
    let imported = 0;
    for (const record of (await decodeArchive(archive)) as TierRecord<V>[]) {
      if (record.expiresAt !== 0 && record.expiresAt <= now) continue;
      const { version: _version, ...rest } = record;
      const version = this.core.options.version;
      const dependsOn = record.dependsOn?.map((key) => this.prefix + key);
      await this.core.restore({ ...rest, ...(version !== undefined ? { version } : {}), ...(dependsOn ? { dependsOn } : {}), key: this.prefix + record.key });
      imported++;
    }
    return imported;
  }

  /** Stops the sweeper and tab sync and closes tier connections. */
  close(): Promise<void> {
    return this.core.close();
  }

  private owns(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  private local(key: string): string {
    return key.slice(this.prefix.length);
  }

  // Dependencies name keys of the same namespace; tags are global labels.
  private scoped<O extends { dependsOn?: string[] }>(options: O | undefined): O {
    if (!options?.dependsOn || this.prefix === '') return (options ?? {}) as O;
    return { ...options, dependsOn: options.dependsOn.map((key) => this.prefix + key) };
  }

  private unscoped(record: TierRecord<V>): { dependsOn?: string[] } {
    if (!record.dependsOn) return {};
    return { dependsOn: record.dependsOn.filter((key) => this.owns(key)).map((key) => this.local(key)) };
  }
}

/** Creates a tiered cache. See {@link CacheOptions}; only `name` is required. */
export function createCache<V = unknown>(options: CacheOptions<V>): Cache<V> {
  return new Cache(new CacheCore(options));
}
