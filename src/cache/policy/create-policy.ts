import { CacheError } from '../errors.js';
import { FrecencyPolicy } from './frecency.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import type { EvictionPolicy, PolicyName } from './policy.js';

/** Builds the named policy for a tier with `slots` preallocated slots and an optional entry capacity. */
export function createPolicy(name: PolicyName, slots: number, capacity?: number): EvictionPolicy {
  switch (name) {
    case 'lru':
      return new LruPolicy(slots);
    case 'lfu':
      return new LfuPolicy(slots);
    case 'frecency':
      return new FrecencyPolicy(slots, { capacity });
    default:
      throw new CacheError('BAD_OPTION', `unknown eviction policy "${String(name)}" (lru, lfu or frecency)`);
  }
}
