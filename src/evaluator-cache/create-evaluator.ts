// createEvaluator(graph, target): a ready evaluator, through layer 2. Its key is
// the SHA-256 of its specification (structure, rates, target, backend), so equal
// content finds one evaluator whatever Graph object it came from; a miss plans it
// (and gets the structure's trace from layer 1 when the target eliminates).
import { GraphError, throwIfAborted } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import { traceOf } from '../evaluate/compile.js';
import type { Backend, BackendChoice, Evaluation, EvaluateOptions, Evaluator } from '../evaluate/evaluator.js';
import { encodeSpec, type EvaluatorSpec } from '../evaluate/spec.js';
import { checkTarget, needsElimination, type CheckedTarget, type Target } from '../evaluate/target.js';
import { WasmEvaluator } from '../evaluate/wasm-evaluator.js';
import { sha256Hex, structuralHash } from '../trace/structural-hash.js';
import type { TraceStore } from '../trace-cache/trace-store.js';
import { evaluatorCache } from './default-evaluator-cache.js';
import type { CompiledEntry, EvaluatorCache } from './evaluator-cache.js';

/** Options of {@link createEvaluator}. */
export interface CreateEvaluatorOptions {
  /** Where to compute. Default 'auto': WebGPU where it works, else 'wasm' (today: 'wasm'). */
  backend?: BackendChoice;
  /** The compiled-evaluator cache (layer 2); `null` plans afresh and caches nothing. Default: the process-wide one. */
  cache?: EvaluatorCache | null;
  /** Where the structure's trace comes from (layer 1); `null` records it without storing. Default: the process-wide trace cache. */
  traceStore?: TraceStore | null;
  /** Abandons the wait with AbortError. */
  signal?: AbortSignal;
}

function resolveBackend(choice: BackendChoice | undefined): Backend {
  const backend = choice ?? 'auto';
  if (backend === 'auto') return 'wasm';
  if (backend === 'wasm' || backend === 'wasm-direct') return backend;
  if (backend === 'webgpu') throw new GraphError('BAD_ARGUMENT', "backend 'webgpu' is not available in this build; use 'auto' or 'wasm'");
  throw new GraphError('BAD_ARGUMENT', `unknown backend ${JSON.stringify(backend)} (expected 'auto', 'wasm', 'wasm-direct' or 'webgpu')`);
}

/** The specification of an evaluator for `graph` as it is now, and its key. */
export async function evaluatorSpec(graph: StateGraph, target: Target, backend: BackendChoice = 'auto'): Promise<{ spec: EvaluatorSpec; bytes: Uint8Array; key: string }> {
  const structure = graph.structure();
  const spec: EvaluatorSpec = { backend: resolveBackend(backend), structure, structureHash: await structuralHash(structure), target: checkTarget(target, graph) };
  const bytes = encodeSpec(spec);
  return { spec, bytes, key: await sha256Hex(bytes) };
}

/** Builds the live evaluator of a specification (its trace from `traceStore` when the target eliminates). */
export async function buildEvaluator(spec: EvaluatorSpec, key: string, options: { traceStore?: TraceStore | null; signal?: AbortSignal } = {}): Promise<Evaluator> {
  const wantsTrace = spec.backend === 'wasm' && needsElimination(spec.target);
  const trace = wantsTrace ? await traceOf(spec.structure, { store: options.traceStore, signal: options.signal }) : null;
  return new WasmEvaluator(spec, key, trace);
}

/** A ready evaluator of `target` on `graph` (see {@link Evaluator}), from layer 2 or planned now. */
export async function createEvaluator(graph: StateGraph, target: Target, options: CreateEvaluatorOptions = {}): Promise<Evaluator> {
  throwIfAborted(options.signal, 'createEvaluator');
  const { spec, bytes, key } = await evaluatorSpec(graph, target, options.backend);
  const cache = options.cache === undefined ? evaluatorCache() : options.cache;
  if (!cache) return buildEvaluator(spec, key, options);
  const entry = await cache.getOrMake(key, (): CompiledEntry => ({ bytes, spec, verified: true }), { signal: options.signal });
  return liveEvaluator(entry, key, options);
}

/** The live evaluator of a layer-2 entry, built on first use and shared by every caller. */
export function liveEvaluator(entry: CompiledEntry, key: string, options: { traceStore?: TraceStore | null; signal?: AbortSignal } = {}): Promise<Evaluator> {
  if (!entry.live) {
    entry.live = buildEvaluator(entry.spec, key, options).then((evaluator) => new SharedEvaluator(evaluator));
    entry.live.catch(() => { entry.live = undefined; });
  }
  return entry.live;
}

/** The evaluator a cache entry holds, handed to every caller: dispose() is the cache's business, not theirs. */
class SharedEvaluator implements Evaluator {
  constructor(private readonly inner: Evaluator) {}
  get backend(): Backend { return this.inner.backend; }
  get key(): string { return this.inner.key; }
  get paramLength(): number { return this.inner.paramLength; }
  get outputs(): number { return this.inner.outputs; }
  get target(): CheckedTarget { return this.inner.target; }
  evaluate(options?: EvaluateOptions): Promise<Evaluation> { return this.inner.evaluate(options); }
  /** Does nothing: a cached evaluator is freed when the cache evicts it. */
  dispose(): void {}
}
