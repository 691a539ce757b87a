// The log-likelihood and its exact gradient by dense matrices, independent of
// src/: f(t) = α e^{St} s and P(T > t) = α e^{St} 1, differentiated with the
// Fréchet derivative of the matrix exponential (the block-matrix identity
// e^[[A, E], [0, A]] = [[e^A, L(A, E)], [0, e^A]]); discrete graphs by matrix powers.
import { expm, linalg, type Matrix } from '../oracle/index.js';
import { denseAt, dSdTheta, type Dense, type GraphSpec } from '../correctness/fixtures.js';

const { matmul, vecmat, dot, matpow, zeros } = linalg;

/** L(A, E): the Fréchet derivative of e^A in direction E. */
export function expmFrechet(A: Matrix, E: Matrix): Matrix {
  const m = A.length;
  const big = zeros(2 * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    big[i][j] = A[i][j];
    big[i][m + j] = E[i][j];
    big[m + i][m + j] = A[i][j];
  }
  const e = expm(big);
  return e.slice(0, m).map((row) => row.slice(m));
}

/** ∂α/∂θ_i and ∂s/∂θ_i on the rows of `d`. */
function dAlphaExit(spec: GraphSpec, d: Dense, i: number): { dAlpha: number[]; dExit: number[] } {
  const m = d.rows.length;
  const dAlpha = new Array<number>(m).fill(0), dExit = new Array<number>(m).fill(0);
  for (const [f, t, , c] of spec.edges) {
    if (f === t || c[i] === 0) continue;
    if (f === 0) { if (d.rowOf[t] >= 0) dAlpha[d.rowOf[t]] += c[i]; continue; }
    if (d.rowOf[f] >= 0 && d.rowOf[t] < 0) dExit[d.rowOf[f]] += c[i];
  }
  return { dAlpha, dExit };
}

/** ∂S/∂θ_i allowing parametrised start edges (they go to ∂α instead). */
function dS(spec: GraphSpec, d: Dense, i: number): Matrix {
  return dSdTheta({ ...spec, edges: spec.edges.filter(([f]) => f !== 0) }, d, i);
}

/** Observations as the oracle reads them. */
export interface OracleData {
  times: number[];
  weights?: number[];
  censored?: number[];
  censoredWeights?: number[];
}

/** log L and ∂ log L/∂θ of continuous observations, by dense expm and its Fréchet derivative. */
export function continuousLogLik(spec: GraphSpec, theta: number[], data: OracleData): { logLik: number; gradient: number[] } {
  const d = denseAt(spec, theta);
  const m = d.rows.length, p = spec.paramLength;
  const ones = new Array<number>(m).fill(1);
  const parts = [
    ...data.times.map((t, k) => ({ t, w: data.weights?.[k] ?? 1, density: true })),
    ...(data.censored ?? []).map((t, k) => ({ t, w: data.censoredWeights?.[k] ?? 1, density: false })),
  ];
  let logLik = 0;
  const gradient = new Array<number>(p).fill(0);
  const derivs = Array.from({ length: p }, (_, i) => ({ dS: dS(spec, d, i), ...dAlphaExit(spec, d, i) }));
  for (const { t, w, density } of parts) {
    const St = d.S.map((row) => row.map((x) => x * t));
    const E = expm(St);
    const x = density ? d.exit : ones;
    const value = dot(vecmat(d.alpha, E), x);
    logLik += w * Math.log(value);
    derivs.forEach(({ dS: D, dAlpha, dExit }, i) => {
      const L = expmFrechet(St, D.map((row) => row.map((v) => v * t)));
      let dv = dot(vecmat(dAlpha, E), x) + dot(vecmat(d.alpha, L), x);
      if (density) dv += dot(vecmat(d.alpha, E), dExit);
      gradient[i] += (w * dv) / value;
    });
  }
  return { logLik, gradient };
}

/** log L and ∂ log L/∂θ of discrete observations (steps), by matrix powers and the product rule. */
export function discreteLogLik(spec: GraphSpec, theta: number[], data: { steps: number[]; censored?: number[] }): { logLik: number; gradient: number[] } {
  const d = denseAt(spec, theta);
  const m = d.rows.length, p = spec.paramLength;
  const ones = new Array<number>(m).fill(1);
  const derivs = Array.from({ length: p }, (_, i) => ({ dT: dS(spec, d, i), ...dAlphaExit(spec, d, i) }));
  // α T^j x and its derivative.
  const term = (j: number, x: number[], dx: (i: number) => number[]) => {
    const value = dot(vecmat(d.alpha, matpow(d.S, j)), x);
    const grad = derivs.map(({ dT, dAlpha }, i) => {
      let g = dot(vecmat(dAlpha, matpow(d.S, j)), x) + dot(vecmat(d.alpha, matpow(d.S, j)), dx(i));
      for (let a = 0; a < j; a++) g += dot(vecmat(vecmat(d.alpha, matpow(d.S, a)), matmul(dT, matpow(d.S, j - 1 - a))), x);
      return g;
    });
    return { value, grad };
  };
  let logLik = 0;
  const gradient = new Array<number>(p).fill(0);
  for (const k of data.steps) {
    if (k === 0) {
      const mass = d.alpha.reduce((a, b) => a + b, 0);
      logLik += Math.log(1 - mass);
      derivs.forEach(({ dAlpha }, i) => { gradient[i] -= dAlpha.reduce((a, b) => a + b, 0) / (1 - mass); });
      continue;
    }
    const { value, grad } = term(k - 1, d.exit, (i) => derivs[i].dExit);
    logLik += Math.log(value);
    grad.forEach((g, i) => { gradient[i] += g / value; });
  }
  for (const k of data.censored ?? []) {
    const { value, grad } = term(k, ones, () => new Array<number>(m).fill(0));
    logLik += Math.log(value);
    grad.forEach((g, i) => { gradient[i] += g / value; });
  }
  return { logLik, gradient };
}
