import type { TierEntryMeta } from './tier.js';

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Entry metadata read back from storage (a file header, an archive), checked against the
 * shape a tier writes: a string key, finite non-negative times, size and hits, string
 * tags and dependencies, a string or finite number version. Returns the metadata, or a
 * sentence saying what is wrong. Keys other than these are dropped.
 */
export function checkEntryMeta(parsed: unknown): TierEntryMeta | string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'metadata is not an object';
  const { key, storedAt, accessedAt, size, hits, tags, dependsOn, version } = parsed as Record<string, unknown>;
  // phasekit 0.1 wrote `ttl: Infinity` as expiresAt null (JSON has no Infinity): it meant "never".
  const written = (parsed as { expiresAt?: unknown }).expiresAt;
  const expiresAt = written === null ? 0 : written;
  if (typeof key !== 'string') return 'metadata has no key';
  if (!isTime(storedAt) || !isTime(accessedAt) || !isTime(expiresAt) || !isTime(size) || !isTime(hits)) return `metadata of "${key}" has a missing or invalid time, size or hit count`;
  if (tags !== undefined && !isStringList(tags)) return `tags of "${key}" are not strings`;
  if (dependsOn !== undefined && !isStringList(dependsOn)) return `dependencies of "${key}" are not strings`;
  if (version !== undefined && typeof version !== 'string' && !(typeof version === 'number' && Number.isFinite(version))) return `version of "${key}" is neither a string nor a number`;
  return {
    key, storedAt, accessedAt, expiresAt, size, hits,
    ...(tags !== undefined ? { tags } : {}),
    ...(dependsOn !== undefined ? { dependsOn } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}
