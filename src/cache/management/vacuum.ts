import { CacheError } from '../errors.js';
import type { CacheTier, TierEntryMeta } from '../tiers/tier.js';
import { pickForRelease } from './eviction-rank.js';

/** Options for vacuuming a lower tier. */
export interface VacuumOptions<V = unknown> {
  /** Drop entries not accessed for this many days. */
  maxAgeDays?: number;
  /** Then drop the least valuable entries until the tier holds at most this many bytes. */
  maxBytes?: number;
  /** Only vacuum the tier with this name (default: every lower tier). */
  tier?: string;
  /**
   * Reads every record first and removes those this refuses (and those that cannot be
   * decoded), counted as corrupt: for owners whose records carry a check that readers skip
   * (a content key that the caller holding the content never reads back). `key` as stored.
   */
  verify?: (value: V, key: string) => boolean | Promise<boolean>;
}

/** What a vacuum removed from one tier. */
export interface VacuumResult {
  /** Tier name. */
  tier: string;
  /** Entries removed. */
  removed: number;
  /** Bytes released, by the entries' recorded sizes. */
  freedBytes: number;
  /** Bytes left, by the entries' recorded sizes. */
  remainingBytes: number;
  /** Records that failed their checks (junk, truncated, corrupt), found and removed on the way. */
  corrupt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes from `tier` the entries that are expired, of another `version`, older than
 * `maxAgeDays` since last access, and then the least valuable ones beyond `maxBytes`.
 */
export async function vacuumTier(
  tier: CacheTier,
  options: Omit<VacuumOptions, 'verify'> & { version?: string | number; now?: number },
): Promise<Omit<VacuumResult, 'corrupt'> & { sizeEvictions: number }> {
  const now = options.now ?? Date.now();
  const cutoff = options.maxAgeDays === undefined ? -Infinity : now - options.maxAgeDays * DAY_MS;
  const stale = (meta: TierEntryMeta): boolean =>
    (meta.expiresAt !== 0 && meta.expiresAt <= now) || meta.accessedAt < cutoff || (meta.version ?? null) !== (options.version ?? null);
  const metas = await tier.list();
  const removed = metas.filter(stale);
  const kept = metas.filter((meta) => !stale(meta));
  let remainingBytes = kept.reduce((sum, meta) => sum + meta.size, 0);
  let sizeEvictions = 0;
  if (options.maxBytes !== undefined && remainingBytes > options.maxBytes) {
    const released = pickForRelease(kept, remainingBytes - options.maxBytes, now);
    sizeEvictions = released.length;
    for (const meta of released) removed.push(meta); // not push(...released): 100k+ arguments overflow the stack
    remainingBytes -= released.reduce((sum, meta) => sum + meta.size, 0);
  }
  if (removed.length > 0) await tier.delete(removed.map((meta) => meta.key));
  const freedBytes = removed.reduce((sum, meta) => sum + meta.size, 0);
  return { tier: tier.name, removed: removed.length, freedBytes, remainingBytes, sizeEvictions };
}

/**
 * Reads each record of `tier` of this `version` (without touching it: ages stay as they were)
 * and removes those `verify` refuses or that fail to decode, calling `dropped` after each (so
 * that a read error later on, which is thrown, loses no count). Records of another version are
 * left to vacuumTier, which removes them as stale: they are not corrupt.
 */
export async function dropUnverified<V>(tier: CacheTier, verify: (value: V, key: string) => boolean | Promise<boolean>, dropped: () => void, version?: string | number): Promise<void> {
  for (const { key, version: stored } of await tier.list()) {
    if ((stored ?? null) !== (version ?? null)) continue;
    let good: boolean;
    try {
      const record = await tier.get(key);
      if (record === undefined) continue; // gone meanwhile
      good = record.value !== undefined && (await verify(record.value as V, key));
    } catch (error) {
      if (!(error instanceof CacheError && error.code === 'CORRUPT')) throw error;
      good = false;
    }
    if (good) continue;
    await tier.delete([key]);
    dropped();
  }
}
