// The demo's own worker methods, served beside the kernel's (docs/workers.md,
// "Adding a method"): building gallery models off the main thread, summaries from
// the trace cache with where the trace came from, seeded simulation, and this
// worker's cache counters for the cache panel.
import { compile, models, traceCache, evaluatorCache, type Graph } from '../../src/index.js';
import type { ProgressCallback } from '../../src/pool/index.js';
import { buildModel, type ModelSource } from '../gallery/catalogue.js';

/** Where a computation found its trace. */
export type TraceSource = 'recorded' | 'memory' | 'indexeddb';

/** Arguments of `summarise`. */
export interface SummaryArgs {
  theta: Float64Array;
  /** Raw moments wanted. */
  k: number;
  /** Also the coalescent's SFS branch lengths E[R_1..R_{n−1}]. */
  sfs: boolean;
}

/** What `summarise` answers. */
export interface Summary {
  moments: number[];
  /** E[R_i], i = 1..n−1 (coalescent only). */
  sfs: Float64Array | null;
  trace: { source: TraceSource; ms: number; hash: string; ops: number };
  evaluateMs: number;
}

/** One worker's counters of a layer, for the cache panel. */
export interface WorkerLayerStats {
  hits: number;
  misses: number;
  computed: number;
  tierHits: Record<string, number>;
  hottest: { key: string; hits: number }[];
}

/** A random id per worker, so the panel can tell workers' reports apart. */
const workerId = Math.random().toString(36).slice(2, 8);

function traceCounters(): { computed: number; tierHits: Record<string, number> } {
  const stats = traceCache().cache.stats();
  return { computed: stats.computations, tierHits: Object.fromEntries(Object.entries(stats.tiers).map(([name, t]) => [name, t.hits])) };
}

/** How the trace was found, from the trace cache's counters before and after. */
function sourceOf(before: ReturnType<typeof traceCounters>, after: ReturnType<typeof traceCounters>): TraceSource {
  if (after.computed > before.computed) return 'recorded';
  const gained = (tier: string) => (after.tierHits[tier] ?? 0) > (before.tierHits[tier] ?? 0);
  return gained('memory') ? 'memory' : 'indexeddb';
}

function layerStats(cache: { stats(): { hits: number; misses: number; computations: number; tiers: Record<string, { hits: number }> }; hottestKeys(n: number): { key: string; hits: number }[] }): WorkerLayerStats {
  const stats = cache.stats();
  return {
    hits: stats.hits, misses: stats.misses, computed: stats.computations,
    tierHits: Object.fromEntries(Object.entries(stats.tiers).map(([name, t]) => [name, t.hits])),
    hottest: cache.hottestKeys(5),
  };
}

/** The demo worker's extra methods. */
export const demoMethods = {
  /** Builds a gallery model (or reads graph JSON); through Pool.build this worker keeps it and the page gets its buffers. */
  buildModel(_graph: Graph | undefined, source: ModelSource, report: ProgressCallback): Graph {
    return buildModel(source, { onProgress: ({ done, total }) => report({ phase: 'graph', done, total }) });
  },

  /** Moments (and the SFS) at θ from the structure's trace, through the trace cache (layer 1). */
  async summarise(graph: Graph, args: SummaryArgs, report: ProgressCallback): Promise<Summary> {
    report({ phase: 'trace', done: 0, total: 1 });
    const before = traceCounters();
    let start = performance.now();
    const model = await compile(graph);
    const traceMs = performance.now() - start;
    const source = sourceOf(before, traceCounters());
    report({ phase: 'trace', done: 1, total: 1 });
    start = performance.now();
    const moments = model.moments(args.k, { theta: args.theta });
    let sfs: Float64Array | null = null;
    if (args.sfs) {
      const rewards = models.coalescentSfsRewards(graph);
      sfs = new Float64Array(rewards.length);
      rewards.forEach((r, i) => {
        sfs![i] = model.expectation({ theta: args.theta, rewards: r });
        report({ phase: 'evaluate', done: i + 1, total: rewards.length });
      });
    }
    const trace = model.trace;
    return { moments, sfs, trace: { source, ms: traceMs, hash: trace.hash ?? '', ops: trace.stats().ops }, evaluateMs: performance.now() - start };
  },

  /** `count` seeded draws of the absorption time (steps, for discrete graphs) at θ. */
  simulate(graph: Graph, args: { theta: Float64Array; count: number; seed: number }): Float64Array {
    return graph.sample(args.count, { theta: args.theta, seed: args.seed });
  },

  /** This worker's counters of layers 1 and 2 (the page sees only its own otherwise). */
  cacheStats(): { worker: string; traces: WorkerLayerStats; evaluators: WorkerLayerStats } {
    return { worker: workerId, traces: layerStats(traceCache().cache), evaluators: layerStats(evaluatorCache().cache) };
  },
};
