// The site frequency spectrum's rewards on the coalescent's state space: reward i
// at a state is the number of lineages with i descendants (state[i−1]), so E[R_i]
// is the expected total length of branches subtending i samples (2/i with one
// unit of coalescence rate per pair), and the SFS is E[ξ_i] = (θ/2)·E[R_i] = θ/i.
import { GraphError } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';

/** The n − 1 SFS reward vectors of a coalescent graph (from {@link coalescent}), one per vertex each. */
export function coalescentSfsRewards(graph: StateGraph): Float64Array[] {
  const n = graph.stateLength;
  if (n < 2) throw new GraphError('BAD_ARGUMENT', `SFS rewards need a coalescent state of at least 2 classes, got stateLength ${n}`);
  const rewards = Array.from({ length: n - 1 }, () => new Float64Array(graph.vertexCount));
  for (let v = 1; v < graph.vertexCount; v++) {
    const state = graph.stateOf(v);
    for (let i = 1; i < n; i++) rewards[i - 1][v] = state[i - 1];
  }
  return rewards;
}
