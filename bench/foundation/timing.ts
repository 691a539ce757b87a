// Timing helpers: medians after a warm-up, so one GC pause or JIT tier-up
// does not decide a row.

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Median milliseconds of `reps` timed calls of `fn`, after `warmup` untimed ones. `after` runs untimed after each call. */
export function timeMedian<T>(fn: () => T, reps: number, warmup = 1, after?: (value: T) => void): { ms: number; value: T } {
  let value!: T;
  for (let i = 0; i < warmup; i++) { value = fn(); after?.(value); }
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
    if (i < reps - 1) after?.(value);
  }
  return { ms: median(times), value };
}

/** Progress line on stderr (stdout carries the table). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
