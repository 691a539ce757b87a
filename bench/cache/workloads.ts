import { seededRandom } from '../../src/sampling/rng.js';

/** `length` key indices drawn from Zipf(s) over `keys` keys (rank 0 most popular). */
export function zipfTrace(keys: number, s: number, length: number, seed = 1): Int32Array {
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let rank = 0; rank < keys; rank++) cdf[rank] = sum += 1 / (rank + 1) ** s;
  for (let rank = 0; rank < keys; rank++) cdf[rank] /= sum;
  const random = seededRandom(seed); // the same workload on every run and for every contender
  const trace = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const u = random();
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    trace[i] = lo;
  }
  return trace;
}

/**
 * Zipf traffic polluted by a one-pass scan: warm Zipf, then `scanLength` never-repeated
 * keys interleaved one-for-one with Zipf accesses, then Zipf again.
 */
export function scanPollutedTrace(keys: number, s: number, phase: number, scanLength: number, seed = 2): Int32Array {
  const zipf = zipfTrace(keys, s, 2 * phase + scanLength, seed);
  const trace = new Int32Array(2 * phase + 2 * scanLength);
  let z = 0;
  let out = 0;
  for (let i = 0; i < phase; i++) trace[out++] = zipf[z++];
  for (let i = 0; i < scanLength; i++) {
    trace[out++] = keys + i; // scan keys lie outside the Zipf key range: each is seen once
    trace[out++] = zipf[z++];
  }
  for (let i = 0; i < phase; i++) trace[out++] = zipf[z++];
  return trace;
}

/** `rounds` passes over keys 0…loopSize-1 in order. */
export function loopTrace(loopSize: number, rounds: number): Int32Array {
  const trace = new Int32Array(loopSize * rounds);
  for (let i = 0; i < trace.length; i++) trace[i] = i % loopSize;
  return trace;
}

/** Key strings for indices below `count`, built once so string building stays out of timings. */
export function keyStrings(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `key:${i}`);
}
