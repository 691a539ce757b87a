import { HitWindow } from './hit-window.js';

/** Counters of one tier. */
export interface TierCounters {
  /** Lookups this tier answered. */
  hits: number;
  /** Lookups that reached this tier and missed. */
  misses: number;
  /** Failed reads or writes (other than corrupt entries). */
  errors: number;
  /** Entries this tier dropped to make room (quota relief, vacuum by size). */
  evictions: number;
}

/** Counters of a whole cache (all namespaces), as returned inside `stats()`. */
export interface CacheCounters {
  /** Lookups answered by any tier. */
  hits: number;
  /** Lookups no tier could answer. */
  misses: number;
  /** Values stored through `set` or a computation. */
  sets: number;
  /** Entries removed by delete/invalidate (dependents included). */
  deletes: number;
  /** Entries evicted to respect budgets, all tiers. */
  evictions: number;
  /** Entries dropped because their TTL had passed, all tiers. */
  expirations: number;
  /** Stored entries that failed decoding or `validate`. */
  corrupt: number;
  /** Values computed by `getOrCompute` (single-flight collapses concurrent ones). */
  computations: number;
}

/** Mutable counters behind a cache's `stats()`; one per cache, shared by its namespaces. */
export class CacheStats {
  /** Totals. */
  readonly counters: CacheCounters = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0, corrupt: 0, computations: 0 };
  /** Per-tier counters by tier name. */
  readonly tiers = new Map<string, TierCounters>();
  private readonly window = new HitWindow();

  /** The counters of tier `name`, created on first use. */
  tier(name: string): TierCounters {
    let counters = this.tiers.get(name);
    if (!counters) {
      counters = { hits: 0, misses: 0, errors: 0, evictions: 0 };
      this.tiers.set(name, counters);
    }
    return counters;
  }

  /** A lookup answered by tier `name`. */
  hit(name: string, now: number): void {
    this.counters.hits++;
    this.tier(name).hits++;
    this.window.record(true, now);
  }

  /** A lookup no tier answered. */
  miss(now: number): void {
    this.counters.misses++;
    this.window.record(false, now);
  }

  /** Hit rate (0–1) over all time, or over the last `windowMs` (at most an hour). NaN before any lookup. */
  hitRate(windowMs?: number, now = Date.now()): number {
    const { hits, misses } = windowMs === undefined ? this.counters : this.window.totals(windowMs, now);
    return hits / (hits + misses);
  }

  /** Zeroes every counter. */
  reset(): void {
    for (const key of Object.keys(this.counters) as (keyof CacheCounters)[]) this.counters[key] = 0;
    this.tiers.clear();
    this.window.clear();
  }
}
