// Dense f64 baselines from the test oracle: moments by the Green's matrix
// U = (−S)⁻¹ (only where an n×n inverse is affordable), and the coalescent's
// exact absorption-time density (a hypoexponential, by dense expm) to measure
// the pdf's error.
import type { Graph } from '../../src/index.js';
import { continuous, expm, linalg, type Matrix } from '../../tests/oracle/index.js';
import { timeMedian } from './timing.js';

/** Largest transient state count the dense oracle is run on. */
export const ORACLE_MAX_STATES = 1000;

/** Dense moments E[T^k] = k!·αU^k1 (k = 1..3), timed from (α, S) to the three numbers. */
export function denseMoments(graph: Graph, theta: number[], reps: number): { ms: number; moments: number[] } | null {
  // toMatrices allocates n² doubles: refuse before calling it.
  if (graph.vertexCount > ORACLE_MAX_STATES + 2) return null;
  const { alpha, S } = graph.toMatrices(theta);
  const a = Array.from(alpha), s: Matrix = S.map((row) => Array.from(row));
  const { ms, value } = timeMedian(() => {
    const U = continuous.greenMatrix(s);
    const out: number[] = [];
    let x = new Array<number>(a.length).fill(1);
    for (let k = 1; k <= 3; k++) {
      x = linalg.matvec(U, x);
      out.push(continuous.factorial(k) * linalg.dot(a, x));
    }
    return out;
  }, reps, reps > 1 ? 1 : 0);
  return { ms, moments: value };
}

/** The density of the coalescent's absorption time (TMRCA): exponential stages at rates C(k,2), k = n..2. */
export function coalescentPdf(n: number, times: number[]): number[] {
  const rates: number[] = [];
  for (let k = n; k >= 2; k--) rates.push((k * (k - 1)) / 2);
  const S: Matrix = rates.map((l, i) => rates.map((_, j) => (j === i ? -l : j === i + 1 ? l : 0)));
  const alpha = rates.map((_, i) => (i === 0 ? 1 : 0));
  const exit = rates.map((l, i) => (i === rates.length - 1 ? l : 0));
  return times.map((t) => linalg.dot(linalg.vecmat(alpha, expm(linalg.scale(S, t))), exit));
}
