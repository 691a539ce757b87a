/**
 * Continuous phase-type quantities from (α, S) by dense linear algebra.
 * α may be defective (Σα < 1: an atom at zero); S is the sub-intensity matrix.
 */
import { expm } from './expm.js';
import { type Matrix, dot, inverse, matmul, matvec, scale, solve, vecmat } from './linalg.js';

const ones = (n: number): number[] => new Array<number>(n).fill(1);

/** Factorial k!. */
export function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** U = (−S)^{-1}, the Green's matrix (expected time in j starting from i). */
export function greenMatrix(S: Matrix): Matrix {
  return inverse(scale(S, -1));
}

/** The exit-rate vector s = −S·1. */
export function exitRates(S: Matrix): number[] {
  return S.map((row) => -row.reduce((a, b) => a + b, 0));
}

/** Raw moments E[T^1..T^k] = j!·α U^j 1. */
export function moments(alpha: number[], S: Matrix, k: number): number[] {
  return rewardMoments(alpha, S, ones(alpha.length), k);
}

/** Raw moments of the accumulated reward R = ∫ r(X_t) dt: E[R^j] = j!·α (U Δ(r))^j 1. */
export function rewardMoments(alpha: number[], S: Matrix, r: number[], k: number): number[] {
  const negS = scale(S, -1);
  const out: number[] = [];
  let x = ones(alpha.length);
  for (let j = 1; j <= k; j++) {
    // x ← U Δ(r) x, i.e. solve (−S) y = r ⊙ x.
    x = solve(
      negS,
      x.map((v, i) => v * r[i]),
    );
    out.push(factorial(j) * dot(alpha, x));
  }
  return out;
}

/** E[T]. */
export function expectation(alpha: number[], S: Matrix, r?: number[]): number {
  return rewardMoments(alpha, S, r ?? ones(alpha.length), 1)[0];
}

/** Var[R] (R = T when r is omitted). */
export function variance(alpha: number[], S: Matrix, r?: number[]): number {
  const [m1, m2] = rewardMoments(alpha, S, r ?? ones(alpha.length), 2);
  return m2 - m1 * m1;
}

/** Cov(R1, R2) = αUΔ(r1)Ur2 + αUΔ(r2)Ur1 − (αUr1)(αUr2). */
export function covariance(alpha: number[], S: Matrix, r1: number[], r2: number[]): number {
  const U = greenMatrix(S);
  const aU = vecmat(alpha, U);
  const Ur1 = matvec(U, r1);
  const Ur2 = matvec(U, r2);
  const cross12 = dot(aU, Ur2.map((v, i) => v * r1[i]));
  const cross21 = dot(aU, Ur1.map((v, i) => v * r2[i]));
  return cross12 + cross21 - dot(aU, r1) * dot(aU, r2);
}

/** Expected total time in each transient state, α U. */
export function sojournTimes(alpha: number[], S: Matrix): number[] {
  return vecmat(alpha, greenMatrix(S));
}

/** Expected number of entries into each transient state, (αU)_i · (−S_ii). */
export function expectedVisits(alpha: number[], S: Matrix): number[] {
  return sojournTimes(alpha, S).map((v, i) => -v * S[i][i]);
}

/** The density α e^{St} s at each t (the atom at zero is not part of it). */
export function pdf(alpha: number[], S: Matrix, times: number[]): number[] {
  const s = exitRates(S);
  return times.map((t) => dot(vecmat(alpha, expm(scale(S, t))), s));
}

/** P(T ≤ t) = 1 − α e^{St} 1 (includes the atom 1 − Σα at zero). */
export function cdf(alpha: number[], S: Matrix, times: number[]): number[] {
  const n = alpha.length;
  return times.map((t) => 1 - dot(vecmat(alpha, expm(scale(S, t))), ones(n)));
}

/** d E[T]/dθ = α U (dS/dθ) U 1. */
export function expectationDerivative(alpha: number[], S: Matrix, dS: Matrix): number {
  const U = greenMatrix(S);
  return dot(vecmat(alpha, matmul(U, dS)), matvec(U, ones(alpha.length)));
}

/** d E[R]/dθ = α U (dS/dθ) U r for a reward vector r. */
export function rewardExpectationDerivative(alpha: number[], S: Matrix, dS: Matrix, r: number[]): number {
  const U = greenMatrix(S);
  return dot(vecmat(alpha, matmul(U, dS)), matvec(U, r));
}

/**
 * Sub-intensity matrix of the reward-transformed process (rewards > 0 only):
 * state i's rates divided by r_i. Zero rewards are handled by the caller via
 * `eliminateZeroRewards`.
 */
export function rewardTransformPositive(S: Matrix, r: number[]): Matrix {
  return S.map((row, i) => row.map((v) => v / r[i]));
}

/**
 * Removes zero-reward states: the result (α', S') on the positive-reward
 * states has the same distribution as the accumulated reward R. With P the
 * embedded jump matrix, states split into + (r > 0) and 0 (r = 0):
 * α' = α₊ + α₀ (I − P₀₀)^{-1} P₀₊ and S' = Δ(1/r₊)(S₊₊ + S₊₀ (−S₀₀)^{-1} S₀₊).
 */
export function rewardTransform(
  alpha: number[],
  S: Matrix,
  r: number[],
): { alpha: number[]; S: Matrix; kept: number[] } {
  const pos = r.map((_, i) => i).filter((i) => r[i] > 0);
  const zer = r.map((_, i) => i).filter((i) => r[i] === 0);
  const sub = (rows: number[], cols: number[]): Matrix => rows.map((i) => cols.map((j) => S[i][j]));
  const Spp = sub(pos, pos);
  if (zer.length === 0) return { alpha: alpha.slice(), S: rewardTransformPositive(Spp, r), kept: pos };
  const Szz = sub(zer, zer);
  const Szp = sub(zer, pos);
  const Spz = sub(pos, zer);
  const Uzz = inverse(scale(Szz, -1));
  const absorbZ = matmul(Uzz, Szp); // P(leave zero block into each + state)
  const alphaP = pos.map((i) => alpha[i]);
  const alphaZ = zer.map((i) => alpha[i]);
  const a2 = vecmat(alphaZ, absorbZ).map((v, j) => v + alphaP[j]);
  const Snew = matmul(Spz, absorbZ).map((row, a) => row.map((v, b) => v + Spp[a][b]));
  const rp = pos.map((i) => r[i]);
  return { alpha: a2, S: rewardTransformPositive(Snew, rp), kept: pos };
}


/**
 * d/dθ E[R^k] for k = 1..K, with dU/dθ = U (dS/dθ) U: the product rule over
 * k!·α (UΔ(r))^k 1 gives k!·Σ_j α (UΔ)^j (U dS U Δ) (UΔ)^{k−1−j} 1.
 */
export function rewardMomentDerivatives(alpha: number[], S: Matrix, dS: Matrix, r: number[], K: number): number[] {
  const n = alpha.length;
  const U = greenMatrix(S);
  const UD = U.map((row) => row.map((v, j) => v * r[j])); // U Δ(r)
  const dUD = matmul(matmul(U, dS), UD); // (U dS U) Δ(r)
  // Right vectors (UΔ)^m 1 and left vectors α (UΔ)^m.
  const right: number[][] = [ones(n)];
  const left: number[][] = [alpha.slice()];
  for (let m = 1; m < K; m++) {
    right.push(matvec(UD, right[m - 1]));
    left.push(vecmat(left[m - 1], UD));
  }
  const out: number[] = [];
  for (let k = 1; k <= K; k++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += dot(vecmat(left[j], dUD), right[k - 1 - j]);
    out.push(factorial(k) * s);
  }
  return out;
}
