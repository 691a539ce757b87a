// compile(graph): the evaluator for a graph, from its structure's trace,
// recorded at most once per structure (per process without a store; ever, with
// a persistent trace cache in front).
import type { Graph } from '../graph/graph.js';
import type { Structure } from '../graph/structure.js';
import { TraceEvaluator } from './evaluator.js';
import { structuralHash } from './structural-hash.js';
import { Trace } from './trace.js';

/** Where traces are kept between compilations (the trace cache implements this). */
export interface TraceStore {
  /** The trace for `hash`, recording it with `record` on a miss; concurrent calls share one recording. */
  getOrRecord(hash: string, record: () => Trace, options?: { signal?: AbortSignal }): Promise<Trace>;
}

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Where traces live; `null` records without storing. Default: the process-wide trace cache (memory + IndexedDB or files). */
  store?: TraceStore | null;
  /** Abandons the wait (recording itself is one synchronous kernel call). */
  signal?: AbortSignal;
}

/** A store that keeps traces for the life of the process (single-flight per hash). */
export class MemoryTraceStore implements TraceStore {
  private readonly traces = new Map<string, Promise<Trace>>();
  getOrRecord(hash: string, record: () => Trace): Promise<Trace> {
    let p = this.traces.get(hash);
    if (!p) {
      p = Promise.resolve().then(record);
      p.catch(() => this.traces.delete(hash));
      this.traces.set(hash, p);
    }
    return p;
  }
  /** Traces kept. */
  get size(): number { return this.traces.size; }
  /** Forgets every trace. */
  clear(): void { this.traces.clear(); }
}

// The default store: the persistent trace cache, whose module registers itself
// here (lazily: nothing is opened until the first compile); a memory store without it.
let defaultStore: TraceStore | null = null;
let defaultStoreFactory: () => TraceStore = () => new MemoryTraceStore();

/** Sets the store {@link compile} uses when none is given (e.g. a persistent trace cache). */
export function setDefaultTraceStore(store: TraceStore | (() => TraceStore)): void {
  if (typeof store === 'function') { defaultStore = null; defaultStoreFactory = store; }
  else defaultStore = store;
}

/** The evaluator of `graph` for any θ: moments, gradients and batches from one trace of its structure. */
export async function compile(graph: Graph, options: CompileOptions = {}): Promise<TraceEvaluator> {
  const structure: Structure = graph.structure();
  const store = options.store === undefined ? (defaultStore ??= defaultStoreFactory()) : options.store;
  const record = () => Trace.record(structure);
  if (!store) return new TraceEvaluator(record(), graph, structure);
  options.signal?.throwIfAborted();
  const hash = await structuralHash(structure);
  const trace = await store.getOrRecord(hash, () => Object.assign(record(), { hash }), { signal: options.signal });
  return new TraceEvaluator(trace, graph, structure);
}
