// Progress of one pdf/cdf/pmf call, in the model's own time: every method reaches the
// times in increasing order (stepping passes λ·t one step after another, adaptive levels
// cover time as they go, Krylov answers its groups of times smallest first), so "time
// reached of the largest time asked" reads the same whichever method 'auto' picks.
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';

/** Where a distribution call stands: `done` of `total` units of model time (steps, for discrete graphs). */
export interface DistributionProgress {
  done: number;
  total: number;
}

/** Called as a distribution call advances (at most every REPORT_MS, and once at the end). */
export type DistributionProgressCallback = (progress: DistributionProgress) => void;

/** Reports come this far apart at most: each may cross to another thread (a worker's postMessage). */
const REPORT_MS = 100;

/** Takes the time reached so far; a method giving way starts again from its own start. */
export type ReachedTime = (done: number) => void;

/** A throttled reporter of the time reached, out of `total`; `finish` reports the end. */
export function progressOf(onProgress: DistributionProgressCallback | undefined, total: number): { reached: ReachedTime; finish: () => void } {
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new GraphError('BAD_ARGUMENT', `onProgress must be a function ({ done, total }) => void; got ${describeValue(onProgress)}`);
  if (!onProgress) return { reached: () => {}, finish: () => {} };
  let last = -Infinity;
  return {
    reached(done) {
      const now = performance.now();
      if (now - last < REPORT_MS) return;
      last = now;
      onProgress({ done: Math.min(total, Math.max(0, done)), total });
    },
    finish: () => onProgress({ done: total, total }),
  };
}

/** The option of pdf, cdf and pmf that asks for progress reports. */
export interface DistributionReporting {
  /** Hears how far the call has come: model time reached of the largest time (steps, for discrete graphs). */
  onProgress?: DistributionProgressCallback;
}
