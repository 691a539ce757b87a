// Moments of accumulated rewards from one elimination, by repeated solves
// (each solve is one replay of the elimination's command list).
//
// Continuous (Bladt & Nielsen): m_k = k · E(r ⊙ m_{k−1}), with E(·) the solve.
// Discrete, R = Σ_{t<τ} r(X_t): m_k(v) = E_v[R^k] satisfies
//   (I − T) m_k = Σ_{j=1..k} C(k, j) r^j ⊙ (T̃ m_{k−j}),   T̃ m_0 = 1,
// T̃ the full one-step kernel (stay-put included, absorbing states worth 0).
import type { Elimination } from '../kernel/elimination.js';
import { isTransient, type Csr } from '../graph/rates.js';

/** (T̃ m)(v) = stay_v·m_v + Σ_c w(v→c)·m_c for transient v; 0 elsewhere. */
function stepExpectation(csr: Csr, m: Float64Array): Float64Array {
  const n = csr.vertexCount;
  const out = new Float64Array(n);
  for (let v = 1; v < n; v++) {
    if (!isTransient(csr, v)) continue;
    let s = (1 - csr.exitRate[v]) * m[v];
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) s += csr.weight[j] * m[csr.col[j]];
    out[v] = s;
  }
  return out;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** E[R], E[R²], …, E[R^k] for rewards r (per vertex); `csr` (the rates) is read by discrete graphs only. */
export function rewardMoments(elim: Elimination, csr: Csr | null, r: Float64Array, k: number): number[] {
  const n = elim.vertexCount;
  const out: number[] = [];
  if (!csr?.discrete) return elim.moments(r, k);
  const rates = csr as Csr;
  const ms: Float64Array[] = [new Float64Array(n).fill(1)];
  const steps: Float64Array[] = []; // steps[i] = T̃ m_i, for i ≥ 1
  const powers: Float64Array[] = [r];
  for (let j = 2; j <= k; j++) powers.push(powers[j - 2].map((x, v) => x * r[v]));
  for (let kk = 1; kk <= k; kk++) {
    const b = new Float64Array(n);
    for (let j = 1; j <= kk; j++) {
      const c = binomial(kk, j), rj = powers[j - 1], prev = kk - j;
      if (prev === 0) for (let v = 0; v < n; v++) b[v] += c * rj[v];
      else { const t = steps[prev]; for (let v = 0; v < n; v++) b[v] += c * rj[v] * t[v]; }
    }
    ms.push(elim.solve(b));
    steps[kk] = stepExpectation(rates, ms[kk]);
    out.push(ms[kk][0]);
  }
  return out;
}

/** Cov(R_a, R_b). Continuous: E(E(a)⊙b) + E(E(b)⊙a) − E(a)E(b); discrete from the one-step recursion. */
export function rewardCovariance(elim: Elimination, csr: Csr, a: Float64Array, b: Float64Array): number {
  const n = csr.vertexCount;
  const ma = elim.solve(a), mb = elim.solve(b);
  const rhs = new Float64Array(n);
  if (!csr.discrete) {
    for (let v = 0; v < n; v++) rhs[v] = ma[v] * b[v] + mb[v] * a[v];
  } else {
    const ta = stepExpectation(csr, ma), tb = stepExpectation(csr, mb);
    for (let v = 0; v < n; v++) rhs[v] = a[v] * b[v] + a[v] * tb[v] + b[v] * ta[v];
  }
  return elim.solve(rhs)[0] - ma[0] * mb[0];
}

/** Expected total time (discrete: steps) spent in each vertex, from the start. */
export function sojournTimes(elim: Elimination): Float64Array {
  const y = new Float64Array(elim.vertexCount);
  y[0] = 1;
  return elim.solveAdjoint(y);
}

/**
 * Expected number of entries into each vertex: the initial probability plus the
 * expected flow in, Σ_u (time in u)·w(u→v). For a transient vertex this equals time
 * spent × exit rate; for an absorbing one it is the probability of ending there.
 * The start vertex is entered once.
 */
export function expectedVisits(elim: Elimination, csr: Csr): Float64Array {
  const time = sojournTimes(elim);
  const visits = new Float64Array(time.length);
  visits[0] = 1;
  for (let u = 0; u < time.length; u++) {
    const scale = u === 0 ? 1 : time[u];
    if (scale === 0) continue;
    for (let j = csr.rowPtr[u]; j < csr.rowPtr[u + 1]; j++) visits[csr.col[j]] += scale * csr.weight[j];
  }
  return visits;
}
