import { lruCacheBaseline, memoryTier, type ContenderFactory } from './contenders.js';
import { keyStrings, loopTrace, scanPollutedTrace, zipfTrace } from './workloads.js';

/** One workload's hit rate per contender. */
export interface HitRateRow {
  workload: string;
  /** Hits / all accesses. */
  rates: Record<string, number>;
  /** Hits / accesses to the Zipf keys only (the scan's one-off keys are compulsory misses for every policy). */
  zipfRates: Record<string, number>;
}

const CAPACITY = 1000;
const KEYS = 100_000;

/** Hit rate of each contender on the three workloads of the brief. */
export function measureHitRates(
  factories: readonly ContenderFactory[] = [lruCacheBaseline, memoryTier('lru'), memoryTier('lfu'), memoryTier('frecency')],
): HitRateRow[] {
  const workloads: [string, Int32Array][] = [
    ['Zipf(0.9), 100k keys', zipfTrace(KEYS, 0.9, 1_000_000)],
    ['Zipf(0.9) + one-pass scan', scanPollutedTrace(KEYS, 0.9, 200_000, 100_000)],
    ['loop of 1.1× capacity', loopTrace(1100, 200)],
  ];
  const keys = keyStrings(KEYS + 100_000);
  return workloads.map(([workload, trace]) => {
    const rates: Record<string, number> = {};
    const zipfRates: Record<string, number> = {};
    let zipfAccesses = 0;
    for (let i = 0; i < trace.length; i++) if (trace[i] < KEYS) zipfAccesses++;
    for (const factory of factories) {
      const cache = factory.create(CAPACITY);
      let hits = 0;
      let zipfHits = 0;
      for (let i = 0; i < trace.length; i++) {
        const key = keys[trace[i]];
        if (cache.get(key) !== undefined) {
          hits++;
          if (trace[i] < KEYS) zipfHits++;
        } else cache.set(key, 1);
      }
      rates[factory.name] = hits / trace.length;
      zipfRates[factory.name] = zipfHits / zipfAccesses;
    }
    return { workload, rates, zipfRates };
  });
}
