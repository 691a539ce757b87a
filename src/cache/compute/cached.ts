import type { Cache } from '../cache.js';
import { createCache } from '../cache.js';
import { checkTtl, expiryOf } from '../option-checks.js';
import { argumentKey } from './argument-key.js';

/** Options of {@link cached}. */
export interface CachedOptions<A extends unknown[], R> {
  /** Where results live (default: a fresh memory-only cache named after the function). */
  cache?: Cache<R>;
  /** Key for a call; default: canonical serialization of the arguments, hashed when long. */
  key?: (...args: A) => string | Promise<string>;
  /** Namespace inside `cache` (default: the function's name, if it has one). */
  namespace?: string;
  /** Time to live of results in ms (a number above 0, or Infinity; default: the cache's). */
  ttl?: number;
  /** Tags attached to every result. */
  tags?: string[];
  /**
   * Remember failures too: `true` for as long as results, or `{ ttl }` ms (above 0, or Infinity). Failures are
   * kept in this process only (errors do not survive serialization faithfully).
   */
  cacheErrors?: boolean | { ttl: number };
}

/** A cached function: call it like the original; its cache and key derivation are attached. */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** The namespace results are stored in. */
  readonly cache: Cache<R>;
  /** The key a call with these arguments uses. */
  keyFor(...args: A): Promise<string>;
  /** Forgets the cached result (or failure) for these arguments. */
  forget(...args: A): Promise<void>;
}

/**
 * Wraps an async function so that calls with equal arguments share one result.
 * Concurrent calls with one key run `fn` once (single-flight); rejections are not
 * cached unless `cacheErrors` says so.
 */
export function cached<A extends unknown[], R>(fn: (...args: A) => Promise<R> | R, options: CachedOptions<A, R> = {}): CachedFunction<A, R> {
  const root = options.cache ?? createCache<R>({ name: `cached:${fn.name || 'anonymous'}`, sync: false });
  const namespace = options.namespace ?? fn.name;
  const cache = namespace ? root.namespace(namespace) : root;
  const failures = new Map<string, { error: unknown; expiresAt: number }>();
  checkTtl(options.ttl);
  const errorTtl = typeof options.cacheErrors === 'object' ? checkTtl(options.cacheErrors.ttl, 'cacheErrors.ttl') : options.ttl;
  const keyFor = async (...args: A): Promise<string> => (options.key ? options.key(...args) : argumentKey(args));

  const call = async (...args: A): Promise<R> => {
    const key = await keyFor(...args);
    const failure = failures.get(key);
    if (failure) {
      if (failure.expiresAt === 0 || failure.expiresAt > Date.now()) throw failure.error;
      failures.delete(key);
    }
    try {
      return await cache.getOrCompute(key, () => fn(...args), { ttl: options.ttl, tags: options.tags });
    } catch (error) {
      if (options.cacheErrors) failures.set(key, { error, expiresAt: expiryOf(errorTtl, Date.now()) });
      throw error;
    }
  };
  return Object.assign(call, {
    cache,
    keyFor,
    forget: async (...args: A) => {
      const key = await keyFor(...args);
      failures.delete(key);
      await cache.delete(key);
    },
  });
}
