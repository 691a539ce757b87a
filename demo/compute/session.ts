// The page's computing session: one worker pool running the demo worker, the
// graphs it has built (kept so the pool sends each one once), and two toolkit
// caches of the page's own (graphs and curves, in IndexedDB), so a reload shows
// the last model again without exploring, recording or stepping anything.
import { Graph, type GraphBuffers } from '../../src/index.js';
import { Pool, type CallOptions } from '../../src/pool/index.js';
import { createCache, type Cache } from '../../src/cache/index.js';
import type { demoMethods, Summary, SummaryArgs } from '../worker/demo-methods.js';
import type { kernelMethods } from '../../src/worker/index.js';
import type { ModelSource } from '../gallery/catalogue.js';
import type { Curves } from './curves.js';

/** The demo worker's method table, as the pool sees it. */
export type DemoMethods = typeof kernelMethods & typeof demoMethods;

/** Where a built graph came from. */
export type GraphSource = 'built' | 'memory' | 'indexeddb';

/** How many graphs the page keeps as objects (each worker keeps 4 by default). */
const GRAPHS_KEPT = 4;

function startWorker(): Worker {
  return new Worker(new URL('../worker/demo-worker.ts', import.meta.url), { type: 'module', name: 'phasekit-demo' });
}

/** A stable text key for a model source: built-ins by name and size, JSON by its SHA-256. */
export async function sourceKey(source: ModelSource): Promise<string> {
  if (source.id !== 'json') return `${source.id}:${source.size}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(source.text));
  return `json:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const isArrayOf = (x: unknown, type: Float64ArrayConstructor | Int32ArrayConstructor): boolean => x instanceof type;

/** The shape of Graph.toBuffers() (its contents are checked again by Graph.fromBuffers). */
export function isGraphBuffers(x: unknown): x is GraphBuffers {
  const b = x as GraphBuffers;
  return typeof b === 'object' && b !== null && Number.isInteger(b.stateLength) && Number.isInteger(b.paramLength) && typeof b.discrete === 'boolean'
    && isArrayOf(b.states, Int32Array) && isArrayOf(b.from, Int32Array) && isArrayOf(b.to, Int32Array)
    && isArrayOf(b.weight, Float64Array) && isArrayOf(b.coefficients, Float64Array);
}

/** The shape of computeCurves()'s answer: three arrays of one length, finite quantiles. */
export function isCurves(x: unknown): x is Curves {
  const c = x as Curves;
  return typeof c === 'object' && c !== null && typeof c.discrete === 'boolean'
    && isArrayOf(c.x, Float64Array) && c.x.length > 1 && isArrayOf(c.density, Float64Array) && isArrayOf(c.cdf, Float64Array)
    && c.density.length === c.x.length && c.cdf.length === c.x.length
    && [c.quantiles?.p025, c.quantiles?.p50, c.quantiles?.p975, c.atomAtZero].every(Number.isFinite);
}

/** The pool, the graphs and the page's caches. */
export class Session {
  readonly pool: Pool<DemoMethods>;
  /** Built graphs' buffers by source key (toolkit cache: memory + IndexedDB). */
  readonly graphCache: Cache<GraphBuffers>;
  /** Curves by source key and θ (toolkit cache: memory + IndexedDB). */
  readonly curveCache: Cache<Curves>;
  private readonly graphs = new Map<string, Graph>();

  constructor(size = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2))) {
    this.pool = new Pool<DemoMethods>({ size, worker: startWorker });
    // Without IndexedDB (some private modes) the page still works, from memory.
    const tiers: ('memory' | 'indexeddb')[] = typeof indexedDB === 'undefined' ? ['memory'] : ['memory', 'indexeddb'];
    // Stored records are checked on load; one that fails is dropped (and counted corrupt) and rebuilt.
    this.graphCache = createCache<GraphBuffers>({ name: 'demo-graphs', tiers, maxEntries: 16, validate: isGraphBuffers });
    this.curveCache = createCache<Curves>({ name: 'demo-curves', tiers, maxEntries: 200, validate: isCurves });
  }

  /** The graph of `source`: from this page, from IndexedDB, or built in a worker. */
  async graph(source: ModelSource, call: CallOptions = {}): Promise<{ graph: Graph; key: string; from: GraphSource }> {
    const key = await sourceKey(source);
    const held = this.graphs.get(key);
    if (held) {
      this.graphs.delete(key); // most recently used last
      this.graphs.set(key, held);
      return { graph: held, key, from: 'memory' };
    }
    let from: GraphSource = 'indexeddb';
    let graph = await this.storedGraph(key);
    if (!graph) {
      // Built in a worker, which keeps it: the summary that follows sends nothing back there.
      graph = await this.pool.build('buildModel', source, (buffers) => Graph.fromOwnBuffers(buffers), call);
      from = 'built';
      // Stored in the background (megabytes for the big models); a graph that cannot be stored is still computed with.
      void this.graphCache.set(key, graph.toBuffers()).catch(() => {});
    }
    this.graphs.set(key, graph);
    for (const old of this.graphs.keys()) if (this.graphs.size > GRAPHS_KEPT) this.graphs.delete(old);
    return { graph, key, from };
  }

  /** A stored graph, validated like any input; a damaged record is dropped. */
  private async storedGraph(key: string): Promise<Graph | undefined> {
    const buffers = await this.graphCache.get(key).catch(() => undefined);
    if (!buffers) return undefined;
    try {
      return Graph.fromBuffers(buffers);
    } catch {
      await this.graphCache.delete(key).catch(() => {});
      return undefined;
    }
  }

  /** Moments and the SFS from the trace cache, in a worker. */
  summarise(graph: Graph, args: SummaryArgs, call: CallOptions = {}): Promise<Summary> {
    return this.pool.call('summarise', graph, args, call);
  }

  /** Forgets the graphs this page holds (the workers keep theirs until evicted). */
  forgetGraphs(): void {
    this.graphs.clear();
  }
}
