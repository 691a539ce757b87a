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
 * A Zipf trace with a one-pass scan in the middle: `scanLength` keys outside the Zipf key
 * range (`firstScanKey` on), each seen exactly once, after the first half of `zipf`.
 */
export function scanInMiddleTrace(zipf: Int32Array, firstScanKey: number, scanLength: number): Int32Array {
  const half = zipf.length >>> 1;
  const trace = new Int32Array(zipf.length + scanLength);
  trace.set(zipf.subarray(0, half));
  for (let i = 0; i < scanLength; i++) trace[half + i] = firstScanKey + i;
  trace.set(zipf.subarray(half), half + scanLength);
  return trace;
}

/** `rounds` passes over keys 0…loopSize-1 in order. */
export function loopTrace(loopSize: number, rounds: number): Int32Array {
  const trace = new Int32Array(loopSize * rounds);
  for (let i = 0; i < trace.length; i++) trace[i] = i % loopSize;
  return trace;
}

/**
 * A hot set that moves: `phases` phases of `phaseLength` accesses, each Zipf(1) over `hot`
 * keys, the set shifted by `shift` keys per phase (ranks scattered over the set).
 */
export function shiftingTrace(phases: number, phaseLength: number, hot: number, shift: number, seed = 100): Int32Array {
  const trace = new Int32Array(phases * phaseLength);
  for (let phase = 0; phase < phases; phase++) {
    const zipf = zipfTrace(hot, 1, phaseLength, seed + phase);
    for (let i = 0; i < phaseLength; i++) trace[phase * phaseLength + i] = phase * shift + ((zipf[i] * 7919) % hot);
  }
  return trace;
}

/**
 * Recency-biased traffic, where LRU shines and frequency filters hurt: with probability
 * `reuse` an access repeats one of the last `window` new keys (recent ones likelier),
 * otherwise it brings a new key.
 */
export function recencyTrace(length: number, reuse: number, window: number, seed = 42): Int32Array {
  const random = seededRandom(seed);
  const trace = new Int32Array(length);
  const recent = new Int32Array(window); // ring of the newest keys
  let newest = -1;
  for (let i = 0; i < length; i++) {
    if (newest >= 0 && random() < reuse) {
      const back = Math.floor(random() ** 2 * Math.min(window, newest + 1));
      trace[i] = recent[(newest - back) % window];
    } else {
      trace[i] = ++newest;
      recent[newest % window] = newest;
    }
  }
  return trace;
}

/** Key strings for indices below `count`, built once so string building stays out of timings. */
export function keyStrings(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `key:${i}`);
}

/** `count` distinct 64-hex-digit keys: the shape of phasekit's own keys (SHA-256 digests). */
export function digestKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    // Eight 32-bit words from a multiplicative mix of the index: distinct, and as varied as a digest.
    const words: string[] = [];
    for (let w = 0, h = i + 1; w < 8; w++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + w;
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
      words.push(((h ^ (h >>> 15)) >>> 0).toString(16).padStart(8, '0'));
    }
    // join makes one flat string, as a digest's hex is (a string built by += is a rope, slower to read).
    keys.push(words.join(''));
  }
  return keys;
}
