// When a chain's mass is all but absorbed, from its moments, so that 'auto' can tell a run
// whose stepping stops early (rabbits N = 400 at t = 100: absorbed by t ≈ 10) from one whose
// mass lives to the last time, without stepping first to see. Markov's inequality gives
// P(T > t) ≤ E[T^k]/t^k for every k, so P(T > t) ≤ tolerance from t_k = (E[T^k]/tolerance)^(1/k);
// the best k of 1..12 is within about 2× of the true time for an exponential tail.
import { GraphError, isOutOfMemory } from '../errors/index.js';
import { eliminate } from '../kernel/elimination.js';
import type { Csr } from '../graph/rates.js';

/** Moments whose bounds are compared. */
const ORDERS = 12;

/**
 * A time by which P(T > t) ≤ `tolerance` (Infinity where the moments overflow), or undefined
 * where the elimination for the moments would merge more than `maxWork` arcs or find no
 * kernel memory (the caller then steps to see: nothing is lost but the bound).
 */
export function absorbedBy(csr: Csr, tolerance: number, maxWork: number): number | undefined {
  let elimination;
  try {
    elimination = eliminate(csr, Math.max(1, maxWork));
  } catch (e) {
    if ((e instanceof GraphError && e.code === 'WORK_LIMIT') || isOutOfMemory(e)) return undefined;
    throw e;
  }
  try {
    const moments = elimination.moments(new Float64Array(csr.vertexCount).fill(1), ORDERS);
    let best = Infinity;
    moments.forEach((m, i) => {
      const t = (m / tolerance) ** (1 / (i + 1));
      if (t < best) best = t;
    });
    return best;
  } finally {
    elimination.dispose();
  }
}
