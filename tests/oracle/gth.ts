/**
 * Subtraction-free solves with −S for nearly closed (ill-conditioned) chains,
 * in the manner of Grassmann, Taksar & Heyman (1985): Gaussian elimination
 * without pivoting in which every pivot is recomputed as the sum of its row's
 * remaining off-diagonal rates plus its (updated) exit rate instead of by
 * subtraction. For b ≥ 0 every operation adds non-negative numbers, so the
 * result has small entrywise relative error however close the chain is to
 * having a closed class; LU with pivoting loses digits there.
 */
import type { Matrix } from './linalg.js';

/**
 * Solves (−S) x = b where −S = diag(Σ_j A_ij + exit_i) − A. `A` holds the
 * off-diagonal rates (its diagonal is ignored) and `exit` the rates straight
 * into absorption, both given separately so no exit is ever a difference.
 */
export function gthSolve(A: Matrix, exit: number[], b: number[]): number[] {
  const n = A.length;
  const a = A.map((row, i) => row.map((v, j) => (i === j ? 0 : v)));
  const s = exit.slice();
  const x = b.slice();
  const d = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    // Pivot: rates from k to not-yet-eliminated states, plus k's exit.
    let dk = s[k];
    for (let j = k + 1; j < n; j++) dk += a[k][j];
    if (!(dk > 0)) throw new Error(`gthSolve: state ${k} cannot reach absorption`);
    d[k] = dk;
    for (let i = k + 1; i < n; i++) {
      const aik = a[i][k];
      if (aik === 0) continue;
      const f = aik / dk;
      a[i][k] = 0;
      for (let j = k + 1; j < n; j++) if (j !== i) a[i][j] += f * a[k][j];
      s[i] += f * s[k];
      x[i] += f * x[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let acc = x[k];
    for (let j = k + 1; j < n; j++) acc += a[k][j] * x[j];
    x[k] = acc / d[k];
  }
  return x;
}

/** Raw reward moments E[R^j] = j!·α (UΔ(r))^j 1 using GTH solves (r ≥ 0). */
export function gthRewardMoments(alpha: number[], A: Matrix, exit: number[], r: number[], k: number): number[] {
  const out: number[] = [];
  let x = new Array<number>(alpha.length).fill(1);
  let fact = 1;
  for (let j = 1; j <= k; j++) {
    fact *= j;
    x = gthSolve(
      A,
      exit,
      x.map((v, i) => v * r[i]),
    );
    out.push(fact * alpha.reduce((acc, ai, i) => acc + ai * x[i], 0));
  }
  return out;
}
