// The uniformisation sums Σ_n Pois(n; λt)·(a_n, b_n) for many times at once, streamed
// over a chain's steps: times are taken in increasing order, each gets its Poisson
// cursor shortly before the steps reach its window and leaves once its window is
// passed, so memory does not grow with λt.
import { PoissonCursor } from './poisson.js';
import { CHUNK } from './stepper.js';

/** Chunks of a_n and b_n, as a stepper hands them out. */
export interface StepSource {
  /** Steps handed out so far. */
  readonly position: number;
  /** Whether every later a_n, b_n is 0. */
  readonly stopped: boolean;
  /** The next chunk of at most `most` steps (views valid until the next call). */
  next(most: number): { a: Float64Array; b: Float64Array; count: number };
}

/**
 * sums[2i] = Σ_n Pois(n; λ·t_i)·a_n and sums[2i+1] = the same over b_n, each Poisson tail
 * cut below `tail`; undefined when the steps would pass `maxSteps` first.
 */
export function poissonSums(source: StepSource, lambda: number, t: Float64Array, tail: number, maxSteps: number): Float64Array | undefined {
  return new PoissonSums(source, lambda, t, tail).run(maxSteps);
}

/**
 * The same sums, resumable: run(maxSteps) steps on from where the last run stopped, so a
 * trial that stopped at a small limit can be carried on instead of started again.
 */
export class PoissonSums {
  private readonly order: number[];
  private readonly mu: Float64Array;
  private readonly sums: Float64Array;
  // No step past the last time's window is ever read: a chunk never runs beyond it.
  private readonly end: number;
  private readonly cursors = new Map<number, PoissonCursor>();
  private next = 0;

  /** `stepped`, where given, hears the steps taken after each chunk (for progress reports). */
  constructor(private readonly source: StepSource, lambda: number, private readonly t: Float64Array, private readonly tail: number, private readonly stepped?: (position: number) => void) {
    this.order = Array.from(t.keys()).sort((a, b) => t[a] - t[b]);
    this.mu = Float64Array.from(t, (ti) => lambda * ti);
    this.sums = new Float64Array(2 * t.length);
    this.end = t.length === 0 ? 0 : stepsToRead(this.mu[this.order[this.order.length - 1]], tail);
  }

  /** The sums once every window is read, or undefined when the steps would pass `maxSteps` first (run again with more). */
  run(maxSteps: number): Float64Array | undefined {
    const { source, order, mu, sums, cursors } = this;
    if (this.t.length === 0) return sums;
    for (;;) {
      // The bound is loose on purpose: a cursor made early costs nothing.
      while (this.next < order.length && mu[order[this.next]] - 20 * Math.sqrt(mu[order[this.next]]) - 20 <= source.position + CHUNK) {
        cursors.set(order[this.next], new PoissonCursor(mu[order[this.next]], this.tail));
        this.next++;
      }
      if (cursors.size === 0 && this.next === order.length) return sums;
      // Once the mass is gone every later step contributes 0: windows not reached are done.
      if (source.stopped) return sums;
      if (source.position >= maxSteps) return undefined;
      const offset = source.position;
      // Never past maxSteps: a trial of a few steps stays a few (a chunk is up to 8,192).
      const { a, b } = source.next(Math.min(this.end, maxSteps) - offset);
      for (const [i, cursor] of cursors) {
        cursor.dot2(a, b, offset, sums, i);
        if (cursor.done) cursors.delete(i);
      }
      this.stepped?.(source.position);
    }
  }
}

/** Walking a window costs about √μ; past this μ the bound below stands in for its end. */
const WALK_WINDOW_UP_TO = 1e8;

/**
 * How many steps the largest time's window reads: its right end plus one, walked as its
 * cursor walks it (the same bound for the same μ); for μ beyond WALK_WINDOW_UP_TO,
 * {@link windowEndBound}. The bound alone is loose (doubled, plus 64): at λ·t_max = 48 it
 * stepped 241 times where the window ends at 105.
 */
function stepsToRead(mu: number, tail: number): number {
  return mu <= WALK_WINDOW_UP_TO ? new PoissonCursor(mu, tail).right + 1 : windowEndBound(mu, tail);
}

/**
 * A step count past the right end of Poisson(μ)'s window, without walking it (μ may be
 * astronomically large when the mass dies long before): Bernstein's bound
 * P(N ≥ μ + x) ≤ exp(−x² / (2(μ + x/3))) below the tail at x = c/3 + √(c²/9 + 2μc),
 * c = ln(1/tail) + 2, doubled for room. Only limits how far a chunk steps.
 */
export function windowEndBound(mu: number, tail: number): number {
  const c = Math.log(1 / tail) + 2;
  const x = c / 3 + Math.sqrt((c * c) / 9 + 2 * mu * c);
  return Math.ceil(mu + 2 * x) + 64;
}
