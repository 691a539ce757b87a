// Options are checked where they enter (createCache, set, cached), so that a bad value is
// a BAD_OPTION naming it, never a silent "forever" or an entry lost on the next load.
import { CacheError } from './errors.js';
import type { CacheOptions } from './options.js';

/**
 * A time to live in ms as given (`ttl` option), checked: a finite number above 0, or
 * Infinity (never expires), or undefined (not given). 0, negative numbers, NaN and
 * non-numbers are CacheError `BAD_OPTION`.
 */
export function checkTtl(ttl: unknown, name = 'ttl'): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'number' || Number.isNaN(ttl) || ttl <= 0) {
    throw new CacheError('BAD_OPTION', `${name} must be a number of milliseconds above 0, or Infinity for never; got ${describe(ttl)}`);
  }
  return ttl;
}

/** The expiry time (epoch ms, 0 for never) of an entry stored at `now` with this checked TTL. */
export function expiryOf(ttl: number | undefined, now: number): number {
  return ttl === undefined || ttl === Infinity ? 0 : now + ttl;
}

/** Checks the options of `createCache`; throws CacheError `BAD_OPTION` naming the first bad one. */
export function checkCacheOptions(options: CacheOptions<never> | undefined): void {
  if (typeof options !== 'object' || options === null) throw new CacheError('BAD_OPTION', 'createCache needs an options object with a name');
  if (typeof options.name !== 'string' || options.name === '') throw new CacheError('BAD_OPTION', `a cache needs a name (a non-empty string); got ${describe(options.name)}`);
  checkTtl(options.ttl);
  const interval = options.sweepIntervalMs;
  if (interval !== undefined && !(typeof interval === 'number' && Number.isFinite(interval) && interval >= 0)) {
    throw new CacheError('BAD_OPTION', `sweepIntervalMs must be a finite number ≥ 0 (0 disables); got ${describe(interval)}`);
  }
  const version = options.version;
  if (version !== undefined && typeof version !== 'string' && !(typeof version === 'number' && Number.isFinite(version))) {
    throw new CacheError('BAD_OPTION', `version must be a string or a finite number; got ${describe(version)}`);
  }
  for (const fn of ['sizeOf', 'validate', 'onRemove'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') throw new CacheError('BAD_OPTION', `${fn} must be a function; got ${describe(options[fn])}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value == null) return String(value);
  return `a ${typeof value}`;
}
