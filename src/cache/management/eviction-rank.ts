import type { TierEntryMeta } from '../tiers/tier.js';

/** How fast an entry's past use stops counting when ranking lower-tier entries (one day). */
const HALF_LIFE_MS = 24 * 60 * 60 * 1000;

/**
 * Lower-tier entries, least valuable first: expired ones, then by frecency (hits
 * decaying with time since last access), ties broken by age. Used for quota relief and
 * size-bounded vacuuming, where a full policy would need state the tier does not keep.
 */
export function rankForEviction(metas: readonly TierEntryMeta[], now: number): TierEntryMeta[] {
  const value = (meta: TierEntryMeta): number => {
    if (meta.expiresAt !== 0 && meta.expiresAt <= now) return -1;
    return (meta.hits + 1) * 2 ** (-(now - meta.accessedAt) / HALF_LIFE_MS);
  };
  return metas
    .map((meta) => ({ meta, value: value(meta) }))
    .sort((a, b) => a.value - b.value || a.meta.accessedAt - b.meta.accessedAt)
    .map(({ meta }) => meta);
}

/** The least valuable entries whose sizes add up to at least `bytes`. */
export function pickForRelease(metas: readonly TierEntryMeta[], bytes: number, now: number): TierEntryMeta[] {
  const picked: TierEntryMeta[] = [];
  let freed = 0;
  for (const meta of rankForEviction(metas, now)) {
    if (freed >= bytes) break;
    picked.push(meta);
    freed += meta.size;
  }
  return picked;
}
