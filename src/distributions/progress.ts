// Progress of one pdf/cdf/pmf call, in the model's own time: every method reaches the
// times in increasing order (stepping passes λ·t one step after another, adaptive levels
// cover time as they go, Krylov answers its groups of times smallest first), so "time
// reached of the largest time asked" reads the same whichever method 'auto' picks.
import { GraphError, throwIfAborted } from '../errors/index.js';
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

/** Takes the time reached so far; a method giving way starts again from its own start (reports hold meanwhile). */
export type ReachedTime = (done: number) => void;

const WHAT = 'the distribution';

/**
 * A throttled reporter of the time reached, out of `total`; `finish` reports the end. Each
 * report point is also where an aborted `signal` stops the call (AbortError): between chunks
 * of steps, levels or groups of times, and after the end report. Reports never go back: where 'auto' leaves one method
 * for another, the next one starts from 0, and the reports hold at the furthest point reached
 * until it passes it (a progress bar that jumped back would read as lost work, or a bug).
 */
export function progressOf({ onProgress, signal }: DistributionReporting, total: number): { reached: ReachedTime; finish: () => void } {
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new GraphError('BAD_ARGUMENT', `onProgress must be a function ({ done, total }) => void; got ${describeValue(onProgress)}`);
  if (signal !== undefined && typeof (signal as { aborted?: unknown } | null)?.aborted !== 'boolean') throw new GraphError('BAD_ARGUMENT', `signal must be an AbortSignal; got ${describeValue(signal)}`);
  throwIfAborted(signal, WHAT);
  if (!onProgress) return { reached: signal ? () => throwIfAborted(signal, WHAT) : () => {}, finish: () => {} };
  let last = -Infinity, furthest = 0, reported = -1;
  return {
    reached(done) {
      throwIfAborted(signal, WHAT);
      // (A comparison, not Math.max: a NaN from a method can never reach a report.)
      if (done > furthest) furthest = Math.min(total, done);
      const now = performance.now();
      if (now - last < REPORT_MS) return;
      last = now;
      reported = furthest;
      onProgress({ done: furthest, total });
    },
    // The end is reported once (a throttled report may have reached it already), and is a
    // check point too: an abort made from it stops the call like any other (a call of one
    // chunk reports only there).
    finish: () => {
      if (reported !== total) onProgress({ done: total, total });
      throwIfAborted(signal, WHAT);
    },
  };
}

/** The options of pdf, cdf and pmf for long calls: progress reports and abort. */
export interface DistributionReporting {
  /** Hears how far the call has come: model time reached of the largest time (steps, for discrete graphs). */
  onProgress?: DistributionProgressCallback;
  /**
   * Stops the call with AbortError between chunks of its work. A synchronous call sees an
   * abort made before it or from its own onProgress; in a pool's worker, aborting ends the
   * worker at once instead.
   */
  signal?: AbortSignal;
}
