// Draws of the absorption time (or accumulated reward) by walking the graph.
import { isTransient, type Csr } from '../graph/rates.js';
import { seededRandom, type Random } from './rng.js';

/** Options of Graph.sample. */
export interface SampleOptions {
  /** Seed of the built-in generator (xoshiro128**). Default: random. */
  seed?: number;
  /** Your own uniform [0, 1) source; takes precedence over seed. */
  rng?: Random;
}

/** Picks an out-edge of v with probability weight / total; -1 for the missing mass. */
function pickEdge(csr: Csr, v: number, u: number, total: number): number {
  let acc = 0;
  const target = u * total;
  for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) {
    acc += csr.weight[j];
    if (target < acc) return csr.col[j];
  }
  return -1;
}

/** n draws of Σ reward × time before absorption (discrete: Σ reward × steps). */
export function sampleAbsorption(csr: Csr, n: number, rewards: Float64Array, options: SampleOptions): Float64Array {
  const rng = options.rng ?? seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // The start's weights are α: pick against total 1 so the defect is an atom at 0.
    let v = pickEdge(csr, 0, rng(), 1);
    let acc = 0;
    while (v > 0 && isTransient(csr, v)) {
      const lambda = csr.exitRate[v];
      if (csr.discrete) {
        // Steps spent in v: geometric with success probability λ_v.
        const stay = lambda >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng()) / Math.log1p(-lambda));
        acc += rewards[v] * stay;
      } else {
        acc += (rewards[v] * -Math.log(1 - rng())) / lambda;
      }
      v = pickEdge(csr, v, rng(), lambda);
      if (v < 0) break; // rounding at the top of the cumulative sum
    }
    out[i] = acc;
  }
  return out;
}
