// Timing helpers: medians after a warm-up, so one GC pause or JIT tier-up
// does not decide a row.

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Repetitions continue past the minimum until this much time is spent (small rows get many). */
export const TIME_BUDGET_MS = 300;
/** Upper bound on repetitions of one measurement. */
export const MAX_REPS = 400;

/**
 * Untimed warm-up calls continue, past the count asked for, until this much time is spent
 * (at most WARMUP_MAX_CALLS calls): the native driver's code is compiled ahead of time, so
 * a row of microseconds would otherwise compare it with JavaScript still in V8's first tiers.
 */
export const WARMUP_MS = 50;
const WARMUP_MAX_CALLS = 5000;

/**
 * Median (and minimum) milliseconds of at least `reps` timed calls of `fn` (more, up to MAX_REPS, while under
 * TIME_BUDGET_MS), after `warmup` untimed ones (more while under WARMUP_MS when warmup > 0).
 * `after` runs untimed after each call but the last.
 */
export function timeMedian<T>(fn: () => T, reps: number, warmup = 1, after?: (value: T) => void): { ms: number; minMs: number; value: T; reps: number } {
  let value!: T;
  const warmStart = performance.now();
  for (let i = 0; i < warmup || (warmup > 0 && i < WARMUP_MAX_CALLS && performance.now() - warmStart < WARMUP_MS); i++) { value = fn(); after?.(value); }
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < reps || (performance.now() - start < TIME_BUDGET_MS && i < MAX_REPS); i++) {
    if (i > 0) after?.(value);
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), minMs: Math.min(...times), value, reps: times.length };
}

/** Progress line on stderr (stdout carries the table). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
