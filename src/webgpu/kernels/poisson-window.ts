// The Poisson(μ) weights of one observation time, as the WASM kernel walks them
// (wasm-src/likelihood.c, poisson_window/poisson_dot): relative weights from the
// mode outwards, each way stopping once a geometric bound on the rest is below
// POISSON_TAIL of the mass so far, then normalised. Computed in f64 on the host
// once per batch: with one λ per batch every particle shares them.

/** As in likelihood.c. */
export const POISSON_TAIL = 1e-20;

/** Normalised weights Pois(k; μ) for k = left … left + weights.length − 1. */
export interface PoissonWindow {
  left: number;
  weights: Float64Array;
}

/** The window of Poisson(μ); μ = 0 gives all weight at k = 0. */
export function poissonWindow(mu: number): PoissonWindow {
  if (!(mu > 0)) return { left: 0, weights: Float64Array.of(1) };
  const mode = Math.floor(mu);
  const right: number[] = [], left: number[] = [];
  let total = 1, w = 1;
  for (let k = mode; ; k++) {
    const r = mu / (k + 1);
    if (r < 1 && (w * r) / (1 - r) <= POISSON_TAIL * total) break;
    w *= r;
    total += w;
    right.push(w);
  }
  w = 1;
  for (let k = mode; k > 0; k--) {
    const r = k / mu;
    if (r < 1 && (w * r) / (1 - r) <= POISSON_TAIL * total) break;
    w *= r;
    total += w;
    left.push(w);
  }
  const weights = new Float64Array(left.length + 1 + right.length);
  for (let i = 0; i < left.length; i++) weights[left.length - 1 - i] = left[i] / total;
  weights[left.length] = 1 / total;
  for (let i = 0; i < right.length; i++) weights[left.length + 1 + i] = right[i] / total;
  return { left: mode - left.length, weights };
}
