/**
 * Dense f64 linear algebra for the test oracle. Deliberately naive and
 * independent of src/: row-major `number[][]`, no typed-array tricks.
 */

/** A dense matrix as an array of rows. */
export type Matrix = number[][];

/** The n×n identity matrix. */
export function identity(n: number): Matrix {
  const out: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n).fill(0);
    row[i] = 1;
    out.push(row);
  }
  return out;
}

/** An r×c matrix of zeros. */
export function zeros(r: number, c: number = r): Matrix {
  const out: Matrix = [];
  for (let i = 0; i < r; i++) out.push(new Array<number>(c).fill(0));
  return out;
}

/** A deep copy of a matrix. */
export function copy(a: Matrix): Matrix {
  return a.map((row) => row.slice());
}

/** Matrix product a·b. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const m = b.length;
  const p = m === 0 ? 0 : b[0].length;
  const out = zeros(n, p);
  for (let i = 0; i < n; i++) {
    if (a[i].length !== m) throw new Error('matmul: shape mismatch');
    const oi = out[i];
    for (let k = 0; k < m; k++) {
      const aik = a[i][k];
      if (aik === 0) continue;
      const bk = b[k];
      for (let j = 0; j < p; j++) oi[j] += aik * bk[j];
    }
  }
  return out;
}

/** Matrix-vector product a·x (x a column). */
export function matvec(a: Matrix, x: number[]): number[] {
  return a.map((row) => {
    if (row.length !== x.length) throw new Error('matvec: shape mismatch');
    let s = 0;
    for (let j = 0; j < x.length; j++) s += row[j] * x[j];
    return s;
  });
}

/** Row-vector-matrix product x·a. */
export function vecmat(x: number[], a: Matrix): number[] {
  if (x.length !== a.length) throw new Error('vecmat: shape mismatch');
  const p = a.length === 0 ? 0 : a[0].length;
  const out = new Array<number>(p).fill(0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    for (let j = 0; j < p; j++) out[j] += xi * a[i][j];
  }
  return out;
}

/** Inner product. */
export function dot(x: number[], y: number[]): number {
  if (x.length !== y.length) throw new Error('dot: shape mismatch');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** a + b. */
export function add(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((v, j) => v + b[i][j]));
}

/** s·a. */
export function scale(a: Matrix, s: number): Matrix {
  return a.map((row) => row.map((v) => v * s));
}

/** Diagonal matrix from a vector. */
export function diag(v: number[]): Matrix {
  const out = zeros(v.length);
  for (let i = 0; i < v.length; i++) out[i][i] = v[i];
  return out;
}

/** The induced 1-norm (max absolute column sum). */
export function norm1(a: Matrix): number {
  if (a.length === 0) return 0;
  let best = 0;
  for (let j = 0; j < a[0].length; j++) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i][j]);
    if (s > best) best = s;
  }
  return best;
}

/** The LU factorisation PA = LU of a square matrix, packed in one matrix. */
export interface LU {
  /** L (unit lower, below the diagonal) and U (on and above it). */
  lu: Matrix;
  /** perm[i] = the row of A that sits in row i of PA. */
  perm: number[];
}

/** LU factorisation with partial pivoting; throws on an exactly singular matrix. */
export function luFactor(a: Matrix): LU {
  const n = a.length;
  const lu = copy(a);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < n; k++) {
    if (lu[k].length !== n) throw new Error('luFactor: matrix is not square');
    let p = k;
    let best = Math.abs(lu[k][k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i][k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) throw new Error(`luFactor: singular matrix (column ${k})`);
    if (p !== k) {
      [lu[p], lu[k]] = [lu[k], lu[p]];
      [perm[p], perm[k]] = [perm[k], perm[p]];
    }
    const pivot = lu[k][k];
    for (let i = k + 1; i < n; i++) {
      const f = lu[i][k] / pivot;
      lu[i][k] = f;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i][j] -= f * lu[k][j];
    }
  }
  return { lu, perm };
}

/** Solves A x = b given A's LU factorisation. */
export function luSolve({ lu, perm }: LU, b: number[]): number[] {
  const n = lu.length;
  const x = perm.map((p) => b[p]);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let j = 0; j < i; j++) s -= lu[i][j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i][j] * x[j];
    x[i] = s / lu[i][i];
  }
  return x;
}

/** Solves A x = b. */
export function solve(a: Matrix, b: number[]): number[] {
  return luSolve(luFactor(a), b);
}

/** Solves A X = B column by column. */
export function solveMatrix(a: Matrix, b: Matrix): Matrix {
  const f = luFactor(a);
  const n = a.length;
  const p = b.length === 0 ? 0 : b[0].length;
  const out = zeros(n, p);
  for (let j = 0; j < p; j++) {
    const col = luSolve(
      f,
      b.map((row) => row[j]),
    );
    for (let i = 0; i < n; i++) out[i][j] = col[i];
  }
  return out;
}

/** A^{-1}. */
export function inverse(a: Matrix): Matrix {
  return solveMatrix(a, identity(a.length));
}

/** A^k for an integer k ≥ 0 (binary powering). */
export function matpow(a: Matrix, k: number): Matrix {
  if (!Number.isInteger(k) || k < 0) throw new Error('matpow: k must be a non-negative integer');
  let result = identity(a.length);
  let base = a;
  let e = k;
  while (e > 0) {
    if (e & 1) result = matmul(result, base);
    e >>= 1;
    if (e > 0) base = matmul(base, base);
  }
  return result;
}
