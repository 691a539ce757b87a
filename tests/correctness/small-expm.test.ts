// The small exponential of a shift-and-invert Krylov run, exp(τ(I − H⁻¹)) − I for an upper
// Hessenberg H, against the dense oracle (Padé 13 with an explicit inverse) on the H that
// Arnoldi makes from real chains, and on Hessenberg matrices whose solves must pivot (zero and tiny diagonal entries).
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../src/index.js';
import { shiftInvertExpFirstColumn, shiftInvertExpMinusIdentity } from '../../src/distributions/small-expm.js';
import { seededRandom } from '../../src/sampling/rng.js';
import { expm } from '../oracle/expm.js';
import { identity, inverse, scale, add, norm1, type Matrix } from '../oracle/linalg.js';

beforeAll(async () => { await ready(); });

/** A random dense sub-generator of n states (rates over `orders` decades), every state able to leave. */
function subGenerator(n: number, seed: number, orders: number): Matrix {
  const random = seededRandom(seed);
  const S: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    let out = 0;
    for (let j = 0; j < n; j++) if (j !== i && random() < 0.3) { S[i][j] = 10 ** (orders * (random() - 0.5)); out += S[i][j]; }
    const exit = 10 ** (orders * (random() - 0.5));
    S[i][i] = -(out + exit);
  }
  return S;
}

/** H (m × m, row-major) from m steps of Arnoldi on Z = (I − γSᵀ)⁻¹ from a random start, as krylov.ts builds it. */
function arnoldiH(S: Matrix, gamma: number, m: number, seed: number): Float64Array {
  const n = S.length, random = seededRandom(seed);
  const St = S[0].map((_, j) => S.map((row) => row[j]));
  const Z = inverse(add(identity(n), scale(St, -gamma)));
  const basis: number[][] = [];
  let v = Array.from({ length: n }, () => random());
  const norm = (x: number[]) => Math.sqrt(x.reduce((s, y) => s + y * y, 0));
  v = v.map((x) => x / norm(v));
  basis.push(v);
  const h = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    const w = Z.map((row) => row.reduce((s, z, k) => s + z * basis[j][k], 0));
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i <= j; i++) {
        const c = w.reduce((s, x, k) => s + x * basis[i][k], 0);
        h[i * m + j] += c;
        for (let k = 0; k < n; k++) w[k] -= c * basis[i][k];
      }
    if (j + 1 < m) {
      const size = norm(w);
      h[(j + 1) * m + j] = size;
      basis.push(w.map((x) => x / size));
    }
  }
  return h;
}

/** exp(τ(I − H⁻¹)) − I by the oracle. */
function reference(h: Float64Array, m: number, tau: number): Matrix {
  const H: Matrix = Array.from({ length: m }, (_, i) => Array.from(h.subarray(i * m, (i + 1) * m)));
  const E = expm(scale(add(identity(m), scale(inverse(H), -1)), tau));
  for (let i = 0; i < m; i++) E[i][i] -= 1;
  return E;
}

function maxError(e: Float64Array, ref: Matrix): number {
  let worst = 0;
  ref.forEach((row, i) => row.forEach((x, j) => { worst = Math.max(worst, Math.abs(e[i * row.length + j] - x)); }));
  return worst;
}

describe('shiftInvertExpMinusIdentity', () => {
  it.each([
    [1, 4, 1, 0.5], [2, 6, 2, 2], [3, 20, 3, 1], [4, 40, 2, 8], [5, 30, 4, 32],
  ])('Arnoldi H of a random chain (seed %i, m = %i, rates over %i decades) at τ = %f: within 1e-12 of the dense oracle', (seed, m, orders, tau) => {
    const S = subGenerator(Math.max(m + 5, 12), seed, orders);
    const h = arnoldiH(S, 0.5, m, seed + 100);
    const e = shiftInvertExpMinusIdentity(h, m, tau);
    expect(e).toBeDefined();
    const ref = reference(h, m, tau);
    expect(maxError(e!, ref)).toBeLessThan(1e-12 * Math.max(1, norm1(ref)));
    const column = shiftInvertExpFirstColumn(h, m, tau)!;
    ref.forEach((row, i) => expect(Math.abs(column[i] - (row[0] + (i === 0 ? 1 : 0)))).toBeLessThan(1e-12 * Math.max(1, norm1(ref))));
  });

  it('pivots: Hessenberg matrices with zero and tiny diagonal entries', () => {
    for (const seed of [7, 8, 9]) {
      const random = seededRandom(seed), m = 12;
      const h = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let j = Math.max(0, i - 1); j < m; j++) h[i * m + j] = random() - 0.5;
      // Diagonal entries far smaller than those below them: elimination must swap rows.
      for (let i = 0; i < m; i++) h[i * m + i] = i % 3 === 0 ? 0 : 1e-9 * h[i * m + i];
      for (let i = 0; i + 1 < m; i++) h[(i + 1) * m + i] = 0.5 + random();
      const tau = 1e-3;
      const e = shiftInvertExpMinusIdentity(h, m, tau);
      expect(e).toBeDefined();
      const ref = reference(h, m, tau);
      expect(maxError(e!, ref)).toBeLessThan(1e-13 * Math.max(1, norm1(ref))); 
    }
  });

  it('a singular H (no inverse): a finite matrix or undefined, never NaN or ±∞', () => {
    const h = Float64Array.from([1, 2, 3, 1, 2, 3, 0, 0, 0]);
    const e = shiftInvertExpMinusIdentity(h, 3, 1);
    expect(e === undefined || e.every(Number.isFinite)).toBe(true);
  });
});
