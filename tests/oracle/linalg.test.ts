import { describe, expect, it } from 'vitest';
import { identity, inverse, luFactor, matmul, matpow, matvec, solve, vecmat } from './linalg.js';

// A fixed, well-conditioned but pivot-demanding matrix (a zero leading entry).
const A = [
  [0, 2, 1, -1],
  [3, -1, 4, 2],
  [1, 5, -2, 0.5],
  [-2, 1, 1, 6],
];

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

describe('oracle linear algebra', () => {
  it('solves a system that needs row pivoting', () => {
    const x = [1, -2, 0.5, 3];
    const b = matvec(A, x);
    solve(A, b).forEach((v, i) => expect(v).toBeCloseTo(x[i], 13));
  });

  it('inverts a matrix so that A·A⁻¹ is the identity', () => {
    expect(maxAbsDiff(matmul(A, inverse(A)), identity(4))).toBeLessThan(1e-14);
  });

  it('rejects an exactly singular matrix', () => {
    expect(() => luFactor([[1, 2], [2, 4]])).toThrow(/singular/);
  });

  it('computes matrix powers by repeated squaring', () => {
    const direct = matmul(matmul(matmul(matmul(A, A), A), A), A);
    expect(maxAbsDiff(matpow(A, 5), direct)).toBeLessThan(1e-9);
    expect(maxAbsDiff(matpow(A, 0), identity(4))).toBe(0);
  });

  it('multiplies a row vector from the left', () => {
    expect(vecmat([1, 0, 0, 1], A)).toEqual([-2, 3, 2, 5]);
  });
});
