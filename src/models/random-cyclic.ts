// Seeded random graphs with cycles, for fuzzing against dense methods and for
// benchmarks. Transient vertices 1..n sit on a line; each has 1–3 forward edges
// within a window and, with probability 0.35, a back edge within the window
// (the cycles). Windows keep the bandwidth, and so the fill-in, bounded.
import { Graph } from '../phase-type/graph.js';
import { seededRandom } from '../sampling/rng.js';

/** Options of {@link randomCyclic}. */
export interface RandomCyclicOptions {
  /** Transient vertices (start and absorbing ones come on top). */
  vertices: number;
  /** Length of θ (0–3 in the tests). Default 0. */
  params?: number;
  /** Absorbing vertices, 1 or 2. Default 1. */
  absorbing?: 1 | 2;
  /** Initial distribution sums to 0.8 instead of 1. Default false. */
  defective?: boolean;
  /** Seed. Default 1. */
  seed?: number;
  /** How far edges reach, in vertex positions. Default 8. */
  window?: number;
}

/** A seeded random continuous graph with back edges. */
export function randomCyclic(options: RandomCyclicOptions): Graph {
  const { vertices: n, params = 0, absorbing = 1, defective = false, seed = 1, window = 8 } = options;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randomCyclic needs vertices ≥ 1, got ${n}`);
  const rng = seededRandom(seed);
  const g = new Graph({ stateLength: 1, paramLength: params });
  for (let i = 1; i <= n + absorbing; i++) g.createVertex([i]);
  const absorbingIndex = () => n + 1 + Math.floor(rng() * absorbing);
  const coefficients = () => {
    const c = new Array<number>(params).fill(0);
    if (params > 0 && rng() < 0.6) c[Math.floor(rng() * params)] = 0.2 + rng();
    return c;
  };
  const rate = () => 0.1 + 2 * rng();
  // Initial distribution over the first few vertices.
  const starts = Math.min(n, 1 + Math.floor(rng() * 3));
  const mass = defective ? 0.8 : 1;
  for (let i = 1; i <= starts; i++) g.addEdge(0, i, mass / starts, params ? new Array(params).fill(0) : undefined);
  for (let v = 1; v <= n; v++) {
    const forward = 1 + Math.floor(rng() * 3);
    for (let f = 0; f < forward; f++) {
      const to = v + 1 + Math.floor(rng() * window);
      g.addEdge(v, to > n ? absorbingIndex() : to, rate(), coefficients());
    }
    if (v > 1 && rng() < 0.35) g.addEdge(v, Math.max(1, v - 1 - Math.floor(rng() * window)), rate(), coefficients());
    if (rng() < 0.05) g.addEdge(v, absorbingIndex(), rate(), coefficients());
  }
  return g;
}
