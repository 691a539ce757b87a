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
