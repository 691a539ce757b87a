// The built-in models built in a pool's worker: the page never runs the exploration
// (a second at n = 50), the worker keeps the graph, and only its buffers come back,
// so the first call on it sends nothing and validates nothing again. The page adopts them
// as an in-thread kernel build is adopted: the worker's own code says they are canonical.
import { Graph } from '../phase-type/graph.js';
import type { CallOptions, Pool } from '../pool/pool.js';

/** The models a worker can build (the worker method `model`'s arguments). */
export interface ModelArgs {
  name: 'coalescent' | 'rabbits';
  /** n (samples) for the coalescent, N (rabbits) for rabbits. */
  size: number;
}

/** The built-in models built in a worker of `pool`, with progress (phase 'graph') and abort. */
export interface PoolModels {
  coalescent(n: number, options?: CallOptions): Promise<Graph>;
  rabbits(N: number, options?: CallOptions): Promise<Graph>;
}

/** The built-in models, each built in a worker of `pool`, which keeps it for the calls that follow. */
export function inPool(pool: Pool): PoolModels {
  const build = (name: ModelArgs['name'], size: number, options: CallOptions = {}): Promise<Graph> =>
    pool.build('model', { name, size }, (buffers) => Graph.fromBuiltBuffers(buffers), options);
  return {
    coalescent: (n, options) => build('coalescent', n, options),
    rabbits: (N, options) => build('rabbits', N, options),
  };
}
