/**
 * Discrete phase-type quantities from (α, T): T is the sub-transition matrix
 * (stay-put probabilities on the diagonal), t = 1 − T·1 the exit vector and
 * τ the number of steps to absorption (τ = 0 with probability 1 − Σα).
 */
import { type Matrix, dot, identity, matpow, scale, solve, add, vecmat, matvec } from './linalg.js';
import { factorial } from './continuous.js';

const ones = (n: number): number[] => new Array<number>(n).fill(1);

/** Stirling number of the second kind S(n, k). */
export function stirling2(n: number, k: number): number {
  const table: number[][] = [[1]];
  for (let i = 1; i <= n; i++) {
    const row = new Array<number>(i + 1).fill(0);
    for (let j = 1; j <= i; j++) row[j] = j * (table[i - 1][j] ?? 0) + (table[i - 1][j - 1] ?? 0);
    table.push(row);
  }
  return table[n][k] ?? 0;
}

/** The exit vector t = 1 − T·1. */
export function exitProbabilities(T: Matrix): number[] {
  return T.map((row) => 1 - row.reduce((a, b) => a + b, 0));
}

/** P(τ = k) for each k: 1 − Σα at k = 0, α T^{k−1} t for k ≥ 1. */
export function pmf(alpha: number[], T: Matrix, steps: number[]): number[] {
  const t = exitProbabilities(T);
  return steps.map((k) => {
    if (k === 0) return 1 - alpha.reduce((a, b) => a + b, 0);
    return dot(vecmat(alpha, matpow(T, k - 1)), t);
  });
}

/** P(τ ≤ k) = 1 − α T^k 1. */
export function cdf(alpha: number[], T: Matrix, steps: number[]): number[] {
  return steps.map((k) => 1 - dot(vecmat(alpha, matpow(T, k)), ones(alpha.length)));
}

/** Factorial moments E[τ(τ−1)…(τ−j+1)] = j!·α T^{j−1} (I−T)^{−j} 1, j = 1..k. */
export function factorialMoments(alpha: number[], T: Matrix, k: number): number[] {
  const n = alpha.length;
  const IminusT = add(identity(n), scale(T, -1));
  const out: number[] = [];
  let x = ones(n);
  for (let j = 1; j <= k; j++) {
    x = solve(IminusT, x); // (I−T)^{−j} 1
    out.push(factorial(j) * dot(vecmat(alpha, matpow(T, j - 1)), x));
  }
  return out;
}

/** Raw moments E[τ^j] = Σ_i S(j, i) · (i-th factorial moment), j = 1..k. */
export function moments(alpha: number[], T: Matrix, k: number): number[] {
  const fm = factorialMoments(alpha, T, k);
  const out: number[] = [];
  for (let j = 1; j <= k; j++) {
    let s = 0;
    for (let i = 1; i <= j; i++) s += stirling2(j, i) * fm[i - 1];
    out.push(s);
  }
  return out;
}

/**
 * Raw moments of R = Σ_{n<τ} r(X_n) (reward r_i per step spent in i), by the
 * first-step recursion m_k = (I−T)^{-1}[r^k + Σ_{j=1}^{k−1} C(k,j) Δ(r)^{k−j} T m_j].
 */
export function rewardMoments(alpha: number[], T: Matrix, r: number[], k: number): number[] {
  const n = alpha.length;
  const IminusT = add(identity(n), scale(T, -1));
  const m: number[][] = [ones(n)];
  const out: number[] = [];
  for (let kk = 1; kk <= k; kk++) {
    const rhs = r.map((v) => v ** kk);
    for (let j = 1; j < kk; j++) {
      const Tm = matvec(T, m[j]);
      const c = binomial(kk, j);
      for (let i = 0; i < n; i++) rhs[i] += c * r[i] ** (kk - j) * Tm[i];
    }
    m.push(solve(IminusT, rhs));
    out.push(dot(alpha, m[kk]));
  }
  return out;
}

/** Expected number of steps spent in each transient state, α (I−T)^{-1}. */
export function sojournTimes(alpha: number[], T: Matrix): number[] {
  const n = alpha.length;
  const IminusT = add(identity(n), scale(T, -1));
  // Row vector x with x (I−T) = α: solve the transposed system.
  const transposed = IminusT[0] === undefined ? [] : IminusT[0].map((_, j) => IminusT.map((row) => row[j]));
  return solve(transposed, alpha);
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return b;
}

/** Cov(R_a, R_b) by polarization of second moments: (Var(R_a+R_b) − Var R_a − Var R_b)/2. */
export function covariance(alpha: number[], T: Matrix, a: number[], b: number[]): number {
  const variance = (r: number[]): number => {
    const [m1, m2] = rewardMoments(alpha, T, r, 2);
    return m2 - m1 * m1;
  };
  return (variance(a.map((x, i) => x + b[i])) - variance(a) - variance(b)) / 2;
}

/** Expected number of entries into each transient state: steps there × (1 − T_ii). */
export function expectedVisits(alpha: number[], T: Matrix): number[] {
  return sojournTimes(alpha, T).map((x, i) => x * (1 - T[i][i]));
}

/** d/dθ E[R] = α N (dT/dθ) N r with N = (I − T)^{-1}. */
export function rewardExpectationDerivative(alpha: number[], T: Matrix, dT: Matrix, r: number[]): number {
  const n = alpha.length;
  const IminusT = add(identity(n), scale(T, -1));
  const Nr = solve(IminusT, r);
  const aN = sojournTimes(alpha, T);
  return dot(vecmat(aN, dT), Nr);
}
