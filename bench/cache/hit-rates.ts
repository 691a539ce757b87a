import { lruCacheBaseline, memoryTier, type ContenderFactory } from './contenders.js';
import { libCacheSimBinary, RECORDED_REFERENCES, referenceMissRatios } from './libcachesim.js';
import { optimalMisses } from './optimal.js';
import { keyStrings, loopTrace, recencyTrace, scanInMiddleTrace, shiftingTrace, zipfTrace } from './workloads.js';

/** One stream's miss ratios (0–1). */
export interface MissRatioRow {
  stream: string;
  /** Whether issue #14's target (within 0.3 points of the best reference policy) applies. */
  targeted: boolean;
  /** Ours and lru-cache, measured here. */
  measured: Record<string, number>;
  /** libCacheSim's policies on this very trace, or undefined per policy when it could not run. */
  references: Record<string, number | undefined>;
  /** Whether `references` were measured in this run (else recorded in the issue, for a like stream). */
  referencesMeasured: boolean;
  /** Belady's optimum for this trace. */
  optimal: number;
}

/** Capacity of every contender, in entries. */
export const CAPACITY = 1000;

const ZIPF_KEYS = 100_000;

/** The streams of issue #14 (the first three) and four that reward recency. Same seeds every run. */
export function streams(): { name: string; key: string; targeted: boolean; trace: Int32Array }[] {
  const zipf = zipfTrace(ZIPF_KEYS, 0.9, 1_000_000, 1);
  return [
    { name: 'Zipf(0.9), 100k keys, 1M accesses', key: 'zipf', targeted: true, trace: zipf },
    { name: 'the same + 50k one-pass scan in the middle', key: 'scan', targeted: true, trace: scanInMiddleTrace(zipf, ZIPF_KEYS, 50_000) },
    { name: 'loop of 1,100 keys × 1 000', key: 'loop', targeted: true, trace: loopTrace(1100, 1000) },
    { name: 'hot set of 5k keys moving 3k every 100k', key: 'shift', targeted: false, trace: shiftingTrace(10, 100_000, 5000, 3000) },
    { name: 'recency-biased (70 % reuse of recent keys)', key: 'recency', targeted: false, trace: recencyTrace(1_000_000, 0.7, 1500) },
    // Two streams where the adaptive window is behind LRU (the climber takes a workload change
    // for the effect of its own move, and explores at the start): kept here to be seen.
    { name: 'hot set of 2k keys replaced entirely every 50k', key: 'replace', targeted: false, trace: shiftingTrace(20, 50_000, 2000, 2000, 9) },
    { name: 'recency-biased (50 % reuse of 3,000 recent keys)', key: 'recency-half', targeted: false, trace: recencyTrace(500_000, 0.5, 3000, 5) },
  ];
}

/** Miss ratio of each contender (get, then set on a miss) on each stream, with references and OPT. */
export async function measureMissRatios(
  factories: readonly ContenderFactory[] = [memoryTier('frecency'), memoryTier('lru'), memoryTier('lfu'), lruCacheBaseline],
): Promise<MissRatioRow[]> {
  const binary = libCacheSimBinary();
  const rows: MissRatioRow[] = [];
  for (const { name, key, targeted, trace } of streams()) {
    let largest = 0;
    for (let i = 0; i < trace.length; i++) if (trace[i] > largest) largest = trace[i];
    const keys = keyStrings(largest + 1);
    const measured: Record<string, number> = {};
    for (const factory of factories) {
      const cache = factory.create(CAPACITY);
      let misses = 0;
      for (let i = 0; i < trace.length; i++) {
        const k = keys[trace[i]];
        if (cache.get(k) === undefined) {
          misses++;
          cache.set(k, 1);
        }
      }
      measured[factory.name] = misses / trace.length;
    }
    const references = binary ? await referenceMissRatios(binary, trace, CAPACITY) : (RECORDED_REFERENCES[key] ?? {});
    rows.push({ stream: name, targeted, measured, references, referencesMeasured: !!binary, optimal: optimalMisses(trace, CAPACITY) / trace.length });
  }
  return rows;
}
