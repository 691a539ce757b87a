import { LRUCache } from 'lru-cache';
import { MemoryTier, type PolicyName } from '../../src/cache/index.js';

/** The get/set surface every benchmarked cache offers. */
export interface Contender {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** A named way to build a contender with a given entry capacity. */
export interface ContenderFactory {
  name: string;
  create(capacity: number): Contender;
}

/** Our memory tier with one policy. */
export function memoryTier(policy: PolicyName): ContenderFactory {
  return { name: `phasekit ${policy}`, create: (capacity) => new MemoryTier({ maxEntries: capacity, policy }) };
}

/** The baseline: lru-cache from npm. */
export const lruCacheBaseline: ContenderFactory = {
  name: 'lru-cache (npm)',
  create: (capacity) => new LRUCache<string, {}>({ max: capacity }) as unknown as Contender,
};
