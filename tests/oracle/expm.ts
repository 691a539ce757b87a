/**
 * Matrix exponential by scaling and squaring with the degree-13 Padé
 * approximant (Higham 2005, "The scaling and squaring method for the matrix
 * exponential revisited"), plus a uniformization variant for sub-generators
 * used to cross-check it.
 */
import { type Matrix, add, identity, matmul, norm1, scale, solveMatrix } from './linalg.js';

// Padé(13) numerator coefficients b_0..b_13 (Higham 2005, table 10.4).
const B13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000,
  10559470521600, 670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
];
// Largest 1-norm for which Padé(13) meets unit roundoff without scaling.
const THETA13 = 5.371920351148152;

/** e^A for a square matrix A. */
export function expm(a: Matrix): Matrix {
  const n = a.length;
  if (n === 0) return [];
  const norm = norm1(a);
  if (!Number.isFinite(norm)) throw new Error('expm: non-finite matrix');
  const s = norm > THETA13 ? Math.max(0, Math.ceil(Math.log2(norm / THETA13))) : 0;
  const A = s > 0 ? scale(a, 2 ** -s) : a;
  const I = identity(n);
  const A2 = matmul(A, A);
  const A4 = matmul(A2, A2);
  const A6 = matmul(A4, A2);
  const b = B13;
  // U = A[A6(b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I]
  const u1 = add(add(scale(A6, b[13]), scale(A4, b[11])), scale(A2, b[9]));
  const u2 = add(add(add(scale(A6, b[7]), scale(A4, b[5])), scale(A2, b[3])), scale(I, b[1]));
  const U = matmul(A, add(matmul(A6, u1), u2));
  // V = A6(b12 A6 + b10 A4 + b8 A2) + b6 A6 + b4 A4 + b2 A2 + b0 I
  const v1 = add(add(scale(A6, b[12]), scale(A4, b[10])), scale(A2, b[8]));
  const v2 = add(add(add(scale(A6, b[6]), scale(A4, b[4])), scale(A2, b[2])), scale(I, b[0]));
  const V = add(matmul(A6, v1), v2);
  // r13 = (V − U)^{-1} (V + U)
  let R = solveMatrix(add(V, scale(U, -1)), add(V, U));
  for (let i = 0; i < s; i++) R = matmul(R, R);
  return R;
}

/**
 * e^{St}·x for a sub-generator S (off-diagonal ≥ 0, row sums ≤ 0) by
 * uniformization: Σ_k Pois(k; Λt) P^k x with P = I + S/Λ ≥ 0. Every term is
 * non-negative for x ≥ 0, so there is no cancellation; the series is summed
 * until the Poisson tail is below `tol`.
 */
export function expmvUniformized(S: Matrix, t: number, x: number[], tol = 1e-16): number[] {
  const n = S.length;
  let lambda = 0;
  for (let i = 0; i < n; i++) lambda = Math.max(lambda, -S[i][i]);
  if (lambda === 0 || t === 0) return x.slice();
  const P = add(identity(n), scale(S, 1 / lambda));
  const mean = lambda * t;
  // Work in log space for the Poisson weights so large Λt does not underflow.
  let term = x.slice();
  const out = new Array<number>(n).fill(0);
  let logw = -mean;
  let cumulative = 0;
  const kmax = Math.ceil(mean + 12 * Math.sqrt(mean) + 60);
  for (let k = 0; k <= kmax; k++) {
    const w = Math.exp(logw);
    cumulative += w;
    for (let i = 0; i < n; i++) out[i] += w * term[i];
    if (k > mean && 1 - cumulative < tol) break;
    term = P.map((row) => row.reduce((s, v, j) => s + v * term[j], 0));
    logw += Math.log(mean) - Math.log(k + 1);
  }
  return out;
}
