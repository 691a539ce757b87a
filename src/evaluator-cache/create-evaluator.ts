// createEvaluator(graph, target): a ready evaluator, through layer 2. Its key is
// a SHA-256 of its specification (structure, rates, target, backend), so equal
// content finds one evaluator whatever Graph object it came from; a miss plans it
// (and gets the structure's trace from layer 1 when the target eliminates).
// The WebGPU backend is loaded with a dynamic import, only when asked for.
import { GraphError, throwIfAborted } from '../errors/index.js';
import type { StateGraph } from '../graph/state-graph.js';
import { traceOf } from '../evaluate/compile.js';
import type { Backend, BackendChoice, Evaluator, GpuPrecision } from '../evaluate/evaluator.js';
import { encodeSpec, specKey, type EvaluatorSpec } from '../evaluate/spec.js';
import { checkTarget, needsElimination, type Target } from '../evaluate/target.js';
import { readsTrace, WasmEvaluator } from '../evaluate/wasm-evaluator.js';
import { structuralHash } from '../trace/structural-hash.js';
import type { TraceStore } from '../trace-cache/trace-store.js';
import { AutoEvaluator, AUTO_GPU_MIN_ROWS } from './auto-evaluator.js';
import { SharedEvaluator } from './shared-evaluator.js';
import { evaluatorCache } from './default-evaluator-cache.js';
import type { CompiledEntry, EvaluatorCache } from './evaluator-cache.js';

/** Options of {@link createEvaluator}. */
export interface CreateEvaluatorOptions {
  /** Where to compute. Default 'auto': WebGPU for large batches where a real GPU works, else 'wasm' (per batch; see `backendReason`). */
  backend?: BackendChoice;
  /** The WebGPU backend's number type: 'f32' (default) or 'df64' (where the device's self-test passes). */
  precision?: GpuPrecision;
  /** 'auto': smallest batch (θ rows) sent to the GPU. Default 256. */
  gpuMinRows?: number;
  /** The compiled-evaluator cache (layer 2); `null` plans afresh and caches nothing. Default: the process-wide one. */
  cache?: EvaluatorCache | null;
  /** Where the structure's trace comes from (layer 1); `null` records it without storing. Default: the process-wide trace cache. */
  traceStore?: TraceStore | null;
  /** Abandons the wait with AbortError. */
  signal?: AbortSignal;
}

// 'auto' is the WASM evaluator's specification: createEvaluator wraps it to reach the GPU per batch.
function resolveBackend(choice: BackendChoice | undefined): Backend {
  const backend = choice ?? 'auto';
  if (backend === 'auto') return 'wasm';
  if (backend === 'wasm' || backend === 'wasm-direct' || backend === 'webgpu') return backend;
  throw new GraphError('BAD_ARGUMENT', `unknown backend ${JSON.stringify(backend)} (expected 'auto', 'wasm', 'wasm-direct' or 'webgpu')`);
}

function checkPrecision(precision: GpuPrecision | undefined): GpuPrecision {
  if (precision === undefined || precision === 'f32' || precision === 'df64') return precision ?? 'f32';
  throw new GraphError('BAD_ARGUMENT', `unknown precision ${JSON.stringify(precision)} (expected 'f32' or 'df64')`);
}

/** The specification of an evaluator for `graph` as it is now, its bytes and its key. */
export async function evaluatorSpec(graph: StateGraph, target: Target, backend: BackendChoice = 'auto', precision?: GpuPrecision): Promise<{ spec: EvaluatorSpec; bytes: Uint8Array; key: string }> {
  const { spec, key } = await plannedSpec(graph, target, backend, precision);
  return { spec, bytes: encodeSpec(spec), key };
}

// The specification and its key, without its bytes: a memory hit needs none (a coalescent's
// SFS at n = 30 is 2.4 MB of them, encoded again at every call before).
async function plannedSpec(graph: StateGraph, target: Target, backend: BackendChoice = 'auto', precision?: GpuPrecision): Promise<Keyed> {
  const structure = graph.structure();
  const resolved = resolveBackend(backend);
  const spec: EvaluatorSpec = { backend: resolved, ...(resolved === 'webgpu' ? { precision: checkPrecision(precision) } : {}), structure, structureHash: await structuralHash(structure), target: checkTarget(target, graph) };
  return keyed(spec);
}

interface Keyed { spec: EvaluatorSpec; key: string }

async function keyed(spec: EvaluatorSpec): Promise<Keyed> {
  return { spec, key: await specKey(spec) };
}

/** Builds the live evaluator of a specification (its trace from `traceStore` when the target eliminates). */
export async function buildEvaluator(spec: EvaluatorSpec, key: string, options: { traceStore?: TraceStore | null; signal?: AbortSignal } = {}): Promise<Evaluator> {
  const wantsTrace = spec.backend === 'webgpu' ? needsElimination(spec.target) : spec.backend === 'wasm' && needsElimination(spec.target) && readsTrace(spec);
  const trace = wantsTrace ? await traceOf(spec.structure, { store: options.traceStore, signal: options.signal }) : null;
  if (spec.backend === 'webgpu') {
    const { createGpuEvaluator } = await import('../webgpu/index.js');
    return createGpuEvaluator(spec, key, trace);
  }
  // Without a store the trace is this evaluator's alone: its dispose() gives the trace's memory back too.
  return new WasmEvaluator(spec, key, trace, options.traceStore === null);
}

/**
 * A ready evaluator of `target` on `graph` (see {@link Evaluator}), from layer 2 or planned now.
 * 'webgpu' without a usable device throws GpuError (code NO_WEBGPU, NO_ADAPTER, …); 'auto'
 * computes in WASM instead and says why in `backendReason`.
 */
export async function createEvaluator(graph: StateGraph, target: Target, options: CreateEvaluatorOptions = {}): Promise<Evaluator> {
  throwIfAborted(options.signal, 'createEvaluator');
  const precision = checkPrecision(options.precision);
  const planned = await plannedSpec(graph, target, options.backend, precision);
  const evaluator = await cachedEvaluator(planned, options);
  if ((options.backend ?? 'auto') !== 'auto') return evaluator;
  const minRows = options.gpuMinRows ?? AUTO_GPU_MIN_ROWS;
  if (!(minRows >= 1)) throw new GraphError('BAD_ARGUMENT', `gpuMinRows must be a number ≥ 1, got ${options.gpuMinRows}`);
  const gpu = async () => cachedEvaluator(await keyed({ ...planned.spec, backend: 'webgpu', precision }), options);
  return new AutoEvaluator(evaluator, gpu, { precision, minRows });
}

async function cachedEvaluator({ spec, key }: Keyed, options: CreateEvaluatorOptions): Promise<Evaluator> {
  const cache = options.cache === undefined ? evaluatorCache() : options.cache;
  if (!cache) return buildEvaluator(spec, key, options);
  const entry = await cache.getOrStore(key, () => ({ bytes: encodeSpec(spec), spec, verified: true }), { signal: options.signal });
  return liveEvaluator(entry, key, options);
}

/** The live evaluator of a layer-2 entry, built on first use and shared by every caller. */
export function liveEvaluator(entry: CompiledEntry, key: string, options: { traceStore?: TraceStore | null; signal?: AbortSignal } = {}): Promise<Evaluator> {
  if (!entry.live) {
    // Built again after a release without the first caller's signal: that caller is long done.
    const rebuild = () => buildEvaluator(entry.spec, key, { traceStore: options.traceStore });
    // The entry may leave the cache while its evaluator is still being built: it is released once built.
    let leftEarly = false;
    entry.release = () => { leftEarly = true; };
    entry.live = buildEvaluator(entry.spec, key, options).then((evaluator) => {
      const shared = new SharedEvaluator(evaluator, rebuild);
      entry.release = () => shared.release();
      if (leftEarly) shared.release();
      return shared;
    });
    entry.live.catch(() => { entry.live = undefined; });
  }
  return entry.live;
}
