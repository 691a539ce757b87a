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
 * Median (and minimum) milliseconds of at least `reps` timed calls of `fn` (more, up to MAX_REPS, while under
 * TIME_BUDGET_MS), after `warmup` untimed ones. `after` runs untimed after each call but the last.
 */
export function timeMedian<T>(fn: () => T, reps: number, warmup = 1, after?: (value: T) => void): { ms: number; minMs: number; value: T; reps: number } {
  let value!: T;
  for (let i = 0; i < warmup; i++) { value = fn(); after?.(value); }
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
