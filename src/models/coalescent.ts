// Kingman's coalescent in the site-frequency-spectrum state space
// (../shared/graph-format.md): state[i] = lineages with i+1 descendants.
import { Graph } from '../phase-type/graph.js';
import type { ExploreOptions, Transition } from '../graph/explore.js';
import { exploreInKernel, graphOf, type ExploredModel } from './kernel-explore.js';
import { checkStateSpace, coalescentVertices } from './state-count.js';

/** Options of the built-in models: progress and abort of the state-space exploration. */
export type ModelOptions = Pick<ExploreOptions, 'onProgress' | 'signal'>;

/** The coalescent for n samples; rate of each coalescence is θ0 · (number of pairs). n = 10: 43 vertices. */
export function coalescent(n: number, options: ModelOptions = {}): Graph {
  return graphOf(exploreCoalescent(n, options)) ?? coalescentByCallback(n, options);
}

/** @internal The coalescent's state space in kernel memory (null before the kernel is loaded), after the checks coalescent() makes. */
export function exploreCoalescent(n: number, options: ModelOptions = {}): ExploredModel | null {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`coalescent(n) needs an integer n ≥ 2, got ${n}`);
  const vertices = coalescentVertices(n);
  checkStateSpace('coalescent', n, vertices, n);
  return exploreInKernel('coalescent', n, vertices, options);
}

/** @internal The same graph explored in TypeScript through fromCallback (before the kernel is loaded). */
export function coalescentByCallback(n: number, options: ModelOptions = {}): Graph {
  const first = new Array<number>(n).fill(0);
  first[0] = n;
  return Graph.fromCallback([[first, 1]], coalescentTransitions(n), { paramLength: 1, ...options });
}

/** @internal The coalescent's transitions out of state s, as a fromCallback callback (the benchmark times it alone). */
export function coalescentTransitions(n: number): (s: Int32Array) => Transition[] {
  return (s) => {
    const out: Transition[] = [];
    for (let i = 0; i < n; i++) {
      if (s[i] === 0) continue;
      for (let j = i; j < n; j++) {
        const pairs = i === j ? (s[i] * (s[i] - 1)) / 2 : s[i] * s[j];
        if (pairs === 0) continue;
        const next = s.slice();
        next[i]--; next[j]--; next[i + j + 1]++;
        out.push([next, 0, [pairs]]);
      }
    }
    return out;
  };
}
