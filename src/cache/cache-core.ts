import { isQuotaError, CacheError } from './errors.js';
import { dependentClosure } from './invalidation/closure.js';
import { EntryRelations } from './invalidation/relations.js';
import { pickForRelease } from './management/eviction-rank.js';
import { dropUnverified, vacuumTier, type VacuumOptions, type VacuumResult } from './management/vacuum.js';
import { MemoryTier } from './memory-tier.js';
import { hasKeyLocks, withKeyLock } from './multi-tab/key-lock.js';
import { TabSync, type TabSyncMessage } from './multi-tab/tab-sync.js';
import { checkCacheOptions, checkTtl, expiryOf } from './option-checks.js';
import { DEFAULT_MAX_ENTRIES, type CacheOptions, type ComputeOptions, type RemovalReason, type SetOptions } from './options.js';
import { estimateSize } from './size.js';
import { CacheStats } from './stats/cache-stats.js';
import { resolveTiers } from './tiers/resolve-tiers.js';
import type { CacheTier, TierEntryMeta, TierRecord, TierScan } from './tiers/tier.js';

// Share of a full tier released on a quota error, beyond the entry being written:
// freeing only the exact size would hit the quota again on the very next write.
const QUOTA_RELIEF_SHARE = 0.1;

/**
 * The machinery behind a cache and all its namespaces: the memory tier, the lower tiers,
 * relations, stats, tab sync and the sweeper. Works on full keys; {@link Cache} adds
 * namespaces on top.
 */
export class CacheCore<V> {
  /** Cache name. */
  readonly name: string;
  /** The front tier. */
  readonly memory: MemoryTier<V>;
  /** Lower tiers, fastest first. */
  readonly tiers: CacheTier[];
  /** Counters shared by every namespace. */
  readonly stats = new CacheStats();
  /** Tags and dependencies of memory-resident entries. */
  readonly relations = new EntryRelations();
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly sync: TabSync | undefined;
  private readonly sizeOf: (value: V, key: string) => number;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private lowerExpirations = 0;
  private lowerEvictions = 0;

  constructor(readonly options: CacheOptions<V>) {
    checkCacheOptions(options);
    this.name = options.name;
    const maxEntries = options.maxEntries ?? (options.maxBytes === undefined ? DEFAULT_MAX_ENTRIES : undefined);
    this.memory = new MemoryTier<V>({
      maxEntries,
      maxBytes: options.maxBytes,
      policy: options.policy,
      sizeOf: options.sizeOf,
      onRemove: (key, value, reason) => {
        this.relations.remove(key);
        this.removed(key, value, reason);
      },
    });
    this.tiers = resolveTiers(options.tiers ?? ['memory'], options);
    this.sizeOf = options.sizeOf ?? estimateSize;
    if (options.sync !== false) this.sync = new TabSync(this.name, (message) => this.onTabMessage(message));
  }

  /** Expirations across all tiers. */
  get expirations(): number {
    return this.memory.expirations + this.lowerExpirations;
  }

  /** Evictions across all tiers. */
  get evictions(): number {
    return this.memory.evictions + this.lowerEvictions;
  }

  /** Memory first, then each lower tier in order. */
  async get(key: string): Promise<V | undefined> {
    const value = this.memory.get(key);
    if (value !== undefined) {
      this.stats.hit('memory', Date.now());
      return value;
    }
    this.stats.tier('memory').misses++;
    return this.load(key);
  }

  /** Write-through to every tier; lower-tier failures are counted, not thrown. */
  async set(key: string, value: V, options: SetOptions = {}): Promise<void> {
    if (value === undefined) {
      await this.invalidate([key]);
      return;
    }
    await this.store(key, value, options, this.tiers);
    this.sync?.post({ type: 'evict', keys: [key] });
  }

  /** Puts `value` in memory and writes it to `tiers` (lower-tier failures counted, not thrown). */
  private async store(key: string, value: V, options: SetOptions, tiers: CacheTier[]): Promise<void> {
    const now = Date.now();
    const expiresAt = expiryOf(checkTtl(options.ttl) ?? this.options.ttl, now);
    // A value some tier cannot give back equal is refused before any tier changes.
    for (const tier of this.tiers) tier.checkValue?.(value);
    this.memory.set(key, value, { expiresAt, storedAt: now });
    this.relations.set(key, options.tags, options.dependsOn);
    this.stats.counters.sets++;
    if (expiresAt !== 0) this.ensureSweeper();
    if (tiers.length > 0) {
      const record: TierRecord<V> = {
        key, value, storedAt: now, accessedAt: now, expiresAt, size: this.sizeOf(value, key), hits: 0,
        ...(options.tags?.length ? { tags: options.tags } : {}),
        ...(options.dependsOn?.length ? { dependsOn: options.dependsOn } : {}),
        ...(this.options.version !== undefined ? { version: this.options.version } : {}),
      };
      await Promise.all(tiers.map((tier) => this.write(tier, record)));
    }
  }

  /** A live entry exists in some tier. */
  async has(key: string): Promise<boolean> {
    return (await this.metaOf(key)) !== undefined;
  }

  /** Remaining ms to live: Infinity without a TTL, 0 when absent. */
  async remainingTtl(key: string): Promise<number> {
    const meta = await this.metaOf(key);
    if (!meta) return 0;
    return meta.expiresAt === 0 ? Infinity : Math.max(0, meta.expiresAt - Date.now());
  }

  /** Live keys in any tier satisfying `matches`; throws a CacheError when a tier cannot be listed (a partial answer would mislead). */
  async keys(matches: (key: string) => boolean): Promise<string[]> {
    const keys = new Set<string>();
    for (const key of this.memory.keys()) if (matches(key)) keys.add(key);
    const now = Date.now();
    for (const tier of this.tiers) {
      for (const meta of (await this.scan(tier)).entries) if (matches(meta.key) && this.isLive(meta, now)) keys.add(meta.key);
    }
    return [...keys];
  }

  /** Value of `key` without counting a hit, promoting, or touching recency. */
  async peek(key: string): Promise<TierRecord<V> | undefined> {
    const info = this.memory.info(key);
    if (info) {
      const { storedAt, expiresAt, size, hits } = info;
      return { key, value: this.memory.peek(key) as V, storedAt, accessedAt: Date.now(), expiresAt, size, hits, ...this.relations.of(key) };
    }
    for (const tier of this.tiers) {
      const record = await this.readTier(tier, key);
      if (record) return record;
    }
    return undefined;
  }

  /** Removes `roots` and, transitively, everything that depends on them. Returns how many entries existed. */
  async invalidate(roots: Iterable<string>): Promise<number> {
    const keys = await dependentClosure(roots, async (key) => {
      const dependents = new Set(this.relations.dependents(key));
      for (const tier of this.tiers) for (const dependent of await this.query(tier, 'dependsOn', key)) dependents.add(dependent);
      return dependents;
    });
    return this.remove([...keys]);
  }

  /** Keys carrying `tag`, in any tier. */
  async tagged(tag: string): Promise<string[]> {
    const keys = new Set(this.relations.tagged(tag));
    for (const tier of this.tiers) for (const key of await this.query(tier, 'tags', tag)) keys.add(key);
    return [...keys];
  }

  /** Empties every tier (all namespaces); throws CacheError when a lower tier could not be emptied. */
  async clear(): Promise<void> {
    this.clearMemory('clear');
    this.relations.clear();
    const failures: unknown[] = [];
    await Promise.all(this.tiers.map((tier) => tier.clear().catch((error) => {
      this.stats.tier(tier.name).errors++;
      failures.push(tierError(tier, error));
    })));
    this.sync?.post({ type: 'clear', prefix: '' });
    if (failures.length > 0) throw failures[0];
  }

  /** Cached value, or one computation per key (per context, and per origin where Web Locks exist). */
  getOrCompute(key: string, compute: (signal?: AbortSignal) => Promise<V> | V, options: ComputeOptions = {}): Promise<V> {
    return this.residentOrFlight(key, async () => {
      const found = await this.load(key);
      if (found !== undefined) return found;
      const computeAndStore = async (): Promise<V> => {
        this.stats.counters.computations++;
        const value = await compute(options.signal);
        await this.set(key, value, options);
        return value;
      };
      const lockTier = this.tiers.find((tier) => tier.lock !== undefined);
      const produce = lockTier ? () => this.withTierLock(lockTier, key, computeAndStore, options.signal) : computeAndStore;
      if (!this.locksAcrossTabs()) return produce();
      return withKeyLock(this.name, key, async () => {
        // Another tab may have computed it while we waited for the lock.
        const computedElsewhere = await this.load(key, { countMiss: false });
        return computedElsewhere !== undefined ? computedElsewhere : produce();
      }, options.signal);
    });
  }

  // Memory's value for `key`, else the flight already running for it, else `miss()` run as
  // that flight (a memory miss counted).
  private async residentOrFlight(key: string, miss: () => Promise<V>): Promise<V> {
    const resident = this.memory.get(key);
    if (resident !== undefined) {
      this.stats.hit('memory', Date.now());
      return resident;
    }
    const running = this.inflight.get(key);
    if (running) return running;
    this.stats.tier('memory').misses++;
    const flight = miss();
    this.inflight.set(key, flight);
    try {
      return await flight;
    } finally {
      this.inflight.delete(key);
    }
  }

  /**
   * For content-addressed values, where a stored copy can only equal the one the caller can
   * make from what it holds: memory's value, else `make()`'s, put in memory and written to
   * each lower tier that lacks it. Below memory only metadata is read (a tier holding the
   * key is touched): reading the record back would cost more than making it. One flight per
   * key, as getOrCompute; a tier holding the key counts as that tier's hit, none as a miss
   * and a computation.
   */
  getOrStore(key: string, make: () => Promise<V> | V, options: SetOptions = {}): Promise<V> {
    return this.residentOrFlight(key, async () => {
      const [value, metas] = await Promise.all([make(), Promise.all(this.tiers.map((tier) => this.headOf(tier, key)))]);
      const now = Date.now();
      const holds = metas.map((meta) => meta !== undefined && this.isLive(meta, now));
      const first = holds.indexOf(true);
      const lacking = this.tiers.filter((_, i) => !holds[i]);
      for (let i = 0; i < this.tiers.length; i++) {
        if (i < first || first < 0) this.stats.tier(this.tiers[i].name).misses++;
        if (holds[i]) void this.tiers[i].touch?.(key, now).catch(() => {});
      }
      if (first < 0) {
        this.stats.miss(now);
        this.stats.counters.computations++;
      } else {
        this.stats.hit(this.tiers[first].name, now);
      }
      await this.store(key, value, options, lacking);
      return value;
    });
  }

  /** Drops expired entries from every tier now; returns how many. */
  async sweep(): Promise<number> {
    let dropped = this.memory.sweep();
    const now = Date.now();
    for (const tier of this.tiers) {
      const expired = (await this.listOf(tier)).filter((meta) => meta.expiresAt !== 0 && meta.expiresAt <= now);
      if (expired.length === 0) continue;
      await tier.delete(expired.map((meta) => meta.key)).catch(() => this.stats.tier(tier.name).errors++);
      this.lowerExpirations += expired.length;
      dropped += expired.length;
    }
    return dropped;
  }

  /** Sweeps every `intervalMs`; the timer is unref'd. */
  startSweeper(intervalMs: number): void {
    this.stopSweeper();
    this.sweeper = setInterval(() => void this.sweep().catch(() => {}), intervalMs);
    // A background sweeper must never keep a Node process alive.
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  /** Stops the sweeper. */
  stopSweeper(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Vacuums the lower tiers (or the one named); a tier that fails throws a CacheError naming it. */
  async vacuum(options: VacuumOptions<V>): Promise<VacuumResult[]> {
    const results: VacuumResult[] = [];
    for (const tier of this.tiers) {
      if (options.tier !== undefined && options.tier !== tier.name) continue;
      let vacuumed, corrupt = 0, refused = 0;
      try {
        if (options.verify) await dropUnverified(tier, options.verify, () => { refused++; this.stats.counters.corrupt++; }, this.options.version);
        vacuumed = await vacuumTier(tier, { maxAgeDays: options.maxAgeDays, maxBytes: options.maxBytes, version: this.options.version });
      } catch (error) {
        throw tierError(tier, error);
      } finally {
        corrupt = refused + this.countTierCorrupt(tier);
      }
      const { sizeEvictions, ...result } = vacuumed;
      this.lowerEvictions += sizeEvictions;
      this.stats.tier(tier.name).evictions += sizeEvictions;
      results.push({ ...result, corrupt });
    }
    return results;
  }

  /** Stores a record as it was (import, promotion), keeping its times. */
  async restore(record: TierRecord<V>): Promise<void> {
    if (!record.size) record = { ...record, size: this.sizeOf(record.value, record.key) };
    this.memory.set(record.key, record.value, { expiresAt: record.expiresAt, storedAt: record.storedAt });
    this.relations.set(record.key, record.tags, record.dependsOn);
    if (record.expiresAt !== 0) this.ensureSweeper();
    await Promise.all(this.tiers.map((tier) => this.write(tier, record)));
    this.sync?.post({ type: 'evict', keys: [record.key] });
  }

  /** Stops timers and channels, empties memory, closes tiers. */
  async close(): Promise<void> {
    this.stopSweeper();
    this.sync?.close();
    this.clearMemory('close');
    await Promise.all(this.tiers.map((tier) => tier.close?.()));
  }

  /** Runs `produce` under a shared tier's lock (one computation across processes), unless another process's result turns up. */
  private async withTierLock(tier: CacheTier, key: string, produce: () => Promise<V>, signal?: AbortSignal): Promise<V> {
    const lock = await tier.lock!(key, signal).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      this.stats.tier(tier.name).errors++;
      return undefined; // no lock to be had: compute alone rather than fail
    });
    if (!lock) return produce();
    try {
      const computedElsewhere = await this.load(key, { countMiss: false });
      return computedElsewhere !== undefined ? computedElsewhere : await produce();
    } finally {
      await lock.release().catch(() => this.stats.tier(tier.name).errors++);
    }
  }

  /** Looks `key` up below memory, promoting a hit into the tiers above it. */
  private async load(key: string, { countMiss = true } = {}): Promise<V | undefined> {
    for (let i = 0; i < this.tiers.length; i++) {
      const tier = this.tiers[i];
      const record = await this.readTier(tier, key);
      if (!record) {
        this.stats.tier(tier.name).misses++;
        continue;
      }
      const now = Date.now();
      this.stats.hit(tier.name, now);
      this.memory.set(key, record.value, { expiresAt: record.expiresAt, storedAt: record.storedAt });
      this.relations.set(key, record.tags, record.dependsOn);
      if (record.expiresAt !== 0) this.ensureSweeper();
      for (const upper of this.tiers.slice(0, i)) void this.write(upper, { ...record, accessedAt: now });
      void tier.touch?.(key, now).catch(() => {});
      return record.value;
    }
    if (countMiss) this.stats.miss(Date.now());
    return undefined;
  }

  /** A live, valid record from one tier; expired, stale, corrupt or invalid ones are removed from it. */
  private async readTier(tier: CacheTier, key: string): Promise<TierRecord<V> | undefined> {
    let record: TierRecord<V> | undefined;
    try {
      record = (await tier.get(key)) as TierRecord<V> | undefined;
    } catch (error) {
      if (!(error instanceof CacheError && error.code === 'CORRUPT')) {
        this.stats.tier(tier.name).errors++;
        return undefined;
      }
      return this.drop(tier, key, 'corrupt');
    }
    if (!record) return undefined;
    if (record.value === undefined) return this.drop(tier, key, 'corrupt'); // values are never undefined
    const now = Date.now();
    if (record.expiresAt !== 0 && record.expiresAt <= now) return this.drop(tier, key, 'expired');
    if (!this.isLive(record, now)) return this.drop(tier, key, 'stale');
    if (this.options.validate && !this.options.validate(record.value, key)) return this.drop(tier, key, 'corrupt');
    return record;
  }

  private async drop(tier: CacheTier, key: string, why: 'corrupt' | 'expired' | 'stale'): Promise<undefined> {
    if (why === 'corrupt') this.stats.counters.corrupt++;
    if (why === 'expired') this.lowerExpirations++;
    await tier.delete([key]).catch(() => this.stats.tier(tier.name).errors++);
    return undefined;
  }

  /** Writes to one lower tier. A full tier is relieved by value and retried once; no error reaches the caller. */
  private async write(tier: CacheTier, record: TierRecord<V>): Promise<void> {
    try {
      await tier.set(record);
    } catch (error) {
      if (!isQuotaError(error)) {
        this.stats.tier(tier.name).errors++;
        return;
      }
      try {
        await this.relieve(tier, record);
        await tier.set(record);
      } catch {
        this.stats.tier(tier.name).errors++;
      }
    }
  }

  private async relieve(tier: CacheTier, incoming: TierRecord<V>): Promise<void> {
    const metas = (await tier.list()).filter((meta) => meta.key !== incoming.key);
    this.countTierCorrupt(tier);
    const total = metas.reduce((sum, meta) => sum + meta.size, 0);
    const victims = pickForRelease(metas, incoming.size + QUOTA_RELIEF_SHARE * total, Date.now());
    if (victims.length === 0) return;
    await tier.delete(victims.map((meta) => meta.key));
    this.lowerEvictions += victims.length;
    this.stats.tier(tier.name).evictions += victims.length;
  }

  private async remove(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    let existed = 0;
    for (const key of keys) {
      if (this.deleteFromMemory(key) || (await this.existsBelow(key))) existed++;
      this.relations.remove(key);
    }
    await Promise.all(this.tiers.map((tier) => tier.delete(keys).catch(() => this.stats.tier(tier.name).errors++)));
    this.stats.counters.deletes += existed;
    this.sync?.post({ type: 'evict', keys });
    return existed;
  }

  private async existsBelow(key: string): Promise<boolean> {
    for (const tier of this.tiers) if (await this.headOf(tier, key)) return true;
    return false;
  }

  private async headOf(tier: CacheTier, key: string): Promise<TierEntryMeta | undefined> {
    const meta = await tier.head(key).catch(() => undefined);
    this.countTierCorrupt(tier);
    return meta;
  }

  private async metaOf(key: string): Promise<Pick<TierEntryMeta, 'expiresAt'> | undefined> {
    const info = this.memory.info(key);
    if (info) return info;
    const now = Date.now();
    for (const tier of this.tiers) {
      const meta = await this.headOf(tier, key);
      if (meta && this.isLive(meta, now)) return meta;
    }
    return undefined;
  }

  private isLive(meta: TierEntryMeta, now: number): boolean {
    return (meta.expiresAt === 0 || meta.expiresAt > now) && (meta.version ?? null) === (this.options.version ?? null);
  }

  /** A tier's entries and writes under way (for occupancy); throws a CacheError naming the tier. */
  async scan(tier: CacheTier): Promise<{ entries: TierEntryMeta[]; pending?: TierScan['pending'] }> {
    try {
      return tier.scan ? await tier.scan() : { entries: await tier.list() };
    } catch (error) {
      throw tierError(tier, error);
    } finally {
      this.countTierCorrupt(tier);
    }
  }

  private async listOf(tier: CacheTier): Promise<TierEntryMeta[]> {
    try {
      return await tier.list();
    } catch {
      this.stats.tier(tier.name).errors++;
      return [];
    } finally {
      this.countTierCorrupt(tier);
    }
  }

  // Junk a tier found and removed on its own while listing counts as corrupt too.
  private countTierCorrupt(tier: CacheTier): number {
    const found = tier.takeCorrupt?.() ?? 0;
    this.stats.counters.corrupt += found;
    return found;
  }

  private async query(tier: CacheTier, field: 'tags' | 'dependsOn', value: string): Promise<string[]> {
    if (tier.query) return tier.query(field, value).catch(() => []);
    return (await this.scan(tier)).entries.filter((meta) => meta[field]?.includes(value)).map((meta) => meta.key);
  }

  private locksAcrossTabs(): boolean {
    return this.sync !== undefined && hasKeyLocks() && this.tiers.some((tier) => tier.shared);
  }

  private ensureSweeper(): void {
    const interval = this.options.sweepIntervalMs ?? 60_000;
    if (this.sweeper === undefined && interval > 0) this.startSweeper(interval);
  }

  private onTabMessage(message: TabSyncMessage): void {
    if (message.type === 'evict') {
      for (const key of message.keys) {
        this.deleteFromMemory(key);
        this.relations.remove(key);
      }
    } else if (message.prefix === '') {
      this.clearMemory('clear');
      this.relations.clear();
    } else {
      for (const key of [...this.memory.keys()]) {
        if (key.startsWith(message.prefix)) {
          this.deleteFromMemory(key);
          this.relations.remove(key);
        }
      }
    }
  }

  /** Deletes `key` from memory, telling onRemove; true when it was there. */
  private deleteFromMemory(key: string): boolean {
    const value = this.options.onRemove ? this.memory.peek(key) : undefined;
    if (!this.memory.delete(key)) return false;
    if (value !== undefined) this.removed(key, value, 'delete');
    return true;
  }

  /** Empties memory, telling onRemove of every value it held. */
  private clearMemory(reason: 'clear' | 'close'): void {
    const held = this.options.onRemove ? [...this.memory.entries()] : [];
    this.memory.clear();
    for (const [key, value] of held) this.removed(key, value, reason);
  }

  // A value left memory. Called mid-eviction too: a throwing callback must not leave the tier half-updated.
  private removed(key: string, value: V, reason: RemovalReason): void {
    if (!this.options.onRemove) return;
    try {
      this.options.onRemove(key, value, reason);
    } catch (error) {
      console.warn(`phasekit cache "${this.options.name}": onRemove threw for "${key}" (${reason}):`, error);
    }
  }
}

/** `error` as a CacheError naming the tier (errors of our own tiers already are). */
function tierError(tier: CacheTier, error: unknown): CacheError {
  if (error instanceof CacheError) return error;
  return new CacheError('TIER_UNAVAILABLE', `tier "${tier.name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
