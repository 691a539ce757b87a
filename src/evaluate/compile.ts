// compile(graph): the trace model of a graph, from its structure's trace,
// recorded at most once per structure: per process with a memory store, ever
// with the persistent trace cache (layer 1), which is the default.
import type { StateGraph } from '../graph/state-graph.js';
import type { Structure } from '../graph/structure.js';
import { throwIfAborted } from '../errors/index.js';
import { withMemoryRetry } from '../kernel/residency.js';
import { structuralHash } from '../trace/structural-hash.js';
import { Trace } from '../trace/trace.js';
import { traceCache } from '../trace-cache/default-trace-cache.js';
import type { TraceStore } from '../trace-cache/trace-store.js';
import { TraceModel, sameStructure } from './trace-model.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Where traces live; `null` records without storing. Default: the process-wide trace cache (memory + IndexedDB or files). */
  store?: TraceStore | null;
  /** Abandons the wait with AbortError (recording itself is one synchronous kernel call). */
  signal?: AbortSignal;
}

/** The trace of `structure` from `store` (recorded there on a miss), or a fresh recording without a store. */
export async function traceOf(structure: Structure, options: CompileOptions = {}): Promise<Trace> {
  const store = options.store === undefined ? traceCache() : options.store;
  // Recording runs out of kernel memory only when the caches are given back and it fails once more.
  const record = (): Trace => withMemoryRetry(() => Trace.record(structure));
  if (!store) return record();
  throwIfAborted(options.signal, 'compile');
  const hash = await structuralHash(structure);
  // A stored trace of another structure under this key (a forged or damaged record) is dropped and recorded again.
  return store.getOrRecord(hash, () => Object.assign(record(), { hash }), { signal: options.signal, verify: (trace) => sameStructure(trace, structure) });
}

/** The model of `graph` for any θ: moments, gradients and batches from one trace of its structure. */
export async function compile(graph: StateGraph, options: CompileOptions = {}): Promise<TraceModel> {
  const structure = graph.structure();
  return new TraceModel(await traceOf(structure, options), graph, structure);
}
