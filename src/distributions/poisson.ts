// Poisson weights for uniformisation, computed from the mode outwards (the
// idea of Fox & Glynn 1988) so nothing underflows, and truncated where a
// geometric bound on the remaining tail falls below the tolerance.

/** Normalised Poisson(μ) probabilities for n in [left, right]. */
export interface PoissonWindow {
  left: number;
  right: number;
  /** weights[i] = P(N = left + i), normalised over the window. */
  weights: Float64Array;
}

/**
 * The window of Poisson(μ) probabilities whose two tails each carry less than `tail` mass
 * (bounded rigorously: beyond the mode successive ratios are < 1 and shrinking, so each
 * tail is below its first term times r/(1 − r)).
 */
export function poissonWindow(mu: number, tail: number): PoissonWindow {
  if (mu === 0) return { left: 0, right: 0, weights: Float64Array.of(1) };
  const mode = Math.floor(mu);
  const up: number[] = [1], down: number[] = [];
  let total = 1;
  // Upward: w_{n+1} = w_n · μ/(n+1).
  for (let n = mode, w = 1; ; n++) {
    const ratio = mu / (n + 1);
    if (ratio < 1 && (w * ratio) / (1 - ratio) <= tail * total) break;
    w *= ratio;
    up.push(w);
    total += w;
  }
  // Downward: w_{n−1} = w_n · n/μ.
  for (let n = mode, w = 1; n > 0; n--) {
    const ratio = n / mu;
    if (ratio < 1 && (w * ratio) / (1 - ratio) <= tail * total) break;
    w *= ratio;
    down.push(w);
    total += w;
  }
  const left = mode - down.length;
  const weights = new Float64Array(down.length + up.length);
  for (let i = 0; i < down.length; i++) weights[down.length - 1 - i] = down[i] / total;
  for (let i = 0; i < up.length; i++) weights[down.length + i] = up[i] / total;
  return { left, right: left + weights.length - 1, weights };
}

/**
 * One time's Poisson(μ) weights handed out in increasing n, for streaming over the steps
 * of a chain: the window and its mass come from one walk from the mode (as in
 * {@link poissonWindow}), then the weights are regenerated upward from the left end,
 * w_{n+1} = w_n·μ/(n+1), so nothing per step is stored.
 */
export class PoissonCursor {
  /** First and last n of the window. */
  readonly left: number;
  readonly right: number;
  /** The next n to hand out, and its normalised weight. */
  private n: number;
  private w: number;
  /** The sums so far, carried from chunk to chunk: one sequential sum however the steps come. */
  private sx = 0;
  private sy = 0;

  constructor(readonly mu: number, tail: number) {
    if (mu === 0) { this.left = this.right = this.n = 0; this.w = 1; return; }
    const mode = Math.floor(mu);
    let total = 1, right = mode, left = mode, wLeft = 1;
    for (let n = mode, w = 1; ; n++) {
      const ratio = mu / (n + 1);
      if (ratio < 1 && (w * ratio) / (1 - ratio) <= tail * total) break;
      w *= ratio; total += w; right = n + 1;
    }
    for (let n = mode, w = 1; n > 0; n--) {
      const ratio = n / mu;
      if (ratio < 1 && (w * ratio) / (1 - ratio) <= tail * total) break;
      w *= ratio; total += w; left = n - 1; wLeft = w;
    }
    this.left = left;
    this.right = right;
    this.n = left;
    this.w = wLeft / total;
  }

  /** Whether every weight has been handed out. */
  get done(): boolean {
    return this.n > this.right;
  }

  /**
   * Adds weight(n)·x[n − offset] and weight(n)·y[n − offset] over the window's n in
   * [offset, offset + x.length) to the cursor's two sums, handing those weights out, and
   * writes the sums to sums[2·at] and sums[2·at + 1]. Steps before the cursor are not
   * revisited. The terms are summed one after another across calls, so the answer has the
   * same bits however the steps were split into chunks (a trial of a few steps, then more).
   */
  dot2(x: Float64Array, y: Float64Array, offset: number, sums: Float64Array, at: number): void {
    const end = Math.min(this.right + 1, offset + x.length);
    let n = this.n, w = this.w, sx = this.sx, sy = this.sy;
    for (; n < end; n++) {
      if (n >= offset) { sx += w * x[n - offset]; sy += w * y[n - offset]; }
      w *= this.mu / (n + 1);
    }
    this.n = n;
    this.w = w;
    this.sx = sx;
    this.sy = sy;
    sums[2 * at] = sx;
    sums[2 * at + 1] = sy;
  }
}
