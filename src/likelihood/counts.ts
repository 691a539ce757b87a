// Log-likelihoods of counts y_j against their expectations μ_j, and ∂ log L/∂μ:
//   Poisson:     Σ_j y_j log μ_j − μ_j − log y_j!
//   multinomial: log N! − Σ_j log y_j! + Σ_j y_j log(μ_j / M),  N = Σ y, M = Σ μ.
// A count with μ_j ≤ 0 (or a multinomial M ≤ 0) has probability 0 unless y_j = 0.
import type { CheckedCounts } from './observations.js';

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error below 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log L and ∂ log L/∂μ_j (written to `muBar`); −Infinity (and muBar all 0) when the counts are impossible. */
export function countLogLikelihood(counts: Float64Array, mu: Float64Array, distribution: 'poisson' | 'multinomial', muBar: Float64Array): number {
  const m = counts.length;
  muBar.fill(0);
  let ll = 0;
  if (distribution === 'poisson') {
    for (let j = 0; j < m; j++) {
      const y = counts[j], u = mu[j];
      if (!(u > 0)) {
        if (y > 0 || u < 0 || u !== u) return impossible(muBar);
        muBar[j] = -1;
        continue;
      }
      ll += y * Math.log(u) - u - logGamma(y + 1);
      muBar[j] = y / u - 1;
    }
    return ll;
  }
  let N = 0, M = 0;
  for (let j = 0; j < m; j++) { N += counts[j]; M += mu[j]; }
  if (!(M > 0)) return impossible(muBar);
  ll = logGamma(N + 1);
  for (let j = 0; j < m; j++) {
    const y = counts[j], u = mu[j];
    ll -= logGamma(y + 1);
    if (u < 0 || u !== u) return impossible(muBar);
    if (y === 0) { muBar[j] = -N / M; continue; }
    if (u === 0) return impossible(muBar);
    ll += y * Math.log(u / M);
    muBar[j] = y / u - N / M;
  }
  return ll;
}

/**
 * log L of counts against μ = scale·E[R] and, as `adjoint`, its derivative along each E[R_j]:
 * log L is a function of the expectations, so its gradient is that of Σ_j adjoint_j E[R_j].
 */
export function countTerms(counts: CheckedCounts, expectations: ArrayLike<number>): { logLik: number; adjoint: Float64Array } {
  const mu = Float64Array.from(expectations, (x) => counts.scale * x), muBar = new Float64Array(counts.m);
  const logLik = countLogLikelihood(counts.counts, mu, counts.distribution, muBar);
  return { logLik, adjoint: muBar.map((g) => g * counts.scale) };
}

function impossible(muBar: Float64Array): number {
  muBar.fill(0);
  return -Infinity;
}
