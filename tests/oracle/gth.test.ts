import { describe, expect, it } from 'vitest';
import { gthRewardMoments, gthSolve } from './gth.js';
import { matvec, solve } from './linalg.js';

describe('oracle GTH solve', () => {
  it('agrees with LU on a well-conditioned cyclic chain', () => {
    const A = [
      [0, 1, 0.5],
      [2, 0, 1],
      [0.3, 0.2, 0],
    ];
    const exit = [0.5, 0.1, 1];
    const negS = A.map((row, i) => row.map((v, j) => (i === j ? row.reduce((s, w) => s + w, 0) + exit[i] : -v)));
    const b = [1, 2, 0.5];
    const lu = solve(negS, b);
    gthSolve(A, exit, b).forEach((v, i) => expect(Math.abs(v - lu[i]) / lu[i]).toBeLessThan(1e-14));
    matvec(negS, gthSolve(A, exit, b)).forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));
  });

  it('gets E[T] = (a + b + ε)/(aε) of a nearly closed two-state cycle to full precision', () => {
    const [a, b, eps] = [1, 2, 1e-11];
    const [m1] = gthRewardMoments([1, 0], [[0, a], [b, 0]], [0, eps], [1, 1], 1);
    expect(Math.abs(m1 - (a + b + eps) / (a * eps)) / m1).toBeLessThan(1e-14);
  });

  it('refuses a chain with a closed class', () => {
    expect(() => gthSolve([[0, 1], [1, 0]], [0, 0], [1, 1])).toThrow(/absorption/);
  });
});
