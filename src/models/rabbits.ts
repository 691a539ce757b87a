// The two-island "rabbits" model (../shared/ALGORITHMS.md): a cyclic benchmark.
// θ = (jump rate, flood rate on A, flood rate on B). N rabbits: (N+1)(N+2)/2 + 1 vertices.
import { Graph } from '../phase-type/graph.js';
import type { Transition } from '../graph/explore.js';
import type { ModelOptions } from './coalescent.js';
import { exploreInKernel, graphOf, type ExploredModel } from './kernel-explore.js';
import { checkStateSpace, rabbitsVertices } from './state-count.js';

/** Rabbits jumping between islands A and B until floods drown them all. */
export function rabbits(N: number, options: ModelOptions = {}): Graph {
  return graphOf(exploreRabbits(N, options)) ?? rabbitsByCallback(N, options);
}

/** @internal The rabbits state space in kernel memory (null before the kernel is loaded), after the checks rabbits() makes. */
export function exploreRabbits(N: number, options: ModelOptions = {}): ExploredModel | null {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`rabbits(N) needs an integer N ≥ 1, got ${N}`);
  const vertices = rabbitsVertices(N);
  checkStateSpace('rabbits', N, vertices, 2);
  return exploreInKernel('rabbits', N, vertices, options);
}

/** @internal The same graph explored in TypeScript through fromCallback (before the kernel is loaded). */
export function rabbitsByCallback(N: number, options: ModelOptions = {}): Graph {
  // (0, 0) is the absorbing state, so the start vertex gets a state that is never reached.
  return Graph.fromCallback([[[N, 0], 1]], rabbitsTransitions, { paramLength: 3, startState: [-1, -1], ...options });
}

/** @internal The rabbits' transitions out of state (a, b), as a fromCallback callback. */
export function rabbitsTransitions([a, b]: Int32Array): Transition[] {
  const out: Transition[] = [];
  if (a > 0) { out.push([[a - 1, b + 1], 0, [1, 0, 0]]); out.push([[0, b], 0, [0, 1, 0]]); }
  if (b > 0) { out.push([[a + 1, b - 1], 0, [1, 0, 0]]); out.push([[a, 0], 0, [0, 0, 1]]); }
  return out;
}
