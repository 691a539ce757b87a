// The message protocol between the pool and a kernel worker: a table of methods,
// each called as (graph reference, arguments, progress callback) and answering
// with a reply envelope. Envelopes rather than throws, because Comlink rebuilds
// thrown errors as plain Errors and would drop GraphError's code and vertex.
// Shared by both sides: the pool (main thread) and src/worker/ (worker side).
import { AbortError, GraphError, KernelError, PhasekitError, TraceError } from '../errors/index.js';
import { CacheError } from '../cache/errors.js';
import type { Graph } from '../phase-type/graph.js';
import type { BuiltBuffers, GraphBuffers, StateGraph } from '../graph/state-graph.js';
import { PoolError } from './errors.js';

/** Which graph a call is about: its key, plus its buffers when the worker does not hold it yet. */
export interface GraphRef {
  /** Names one graph object at one version (see graphKey). */
  key: string;
  /**
   * The graph as flat arrays; sent (transferred) only when the worker lacks `key`. With row
   * pointers for a graph whose storage is the kernel builder's canonical structure (see
   * StateGraph.toBuiltBuffers): the worker adopts it without checking each edge again.
   */
  buffers?: BuiltBuffers;
  /** Keys the worker should forget first: the pool mirrors each worker's graphs and decides evictions. */
  drop?: string[];
  /**
   * Set by Pool.build (with key ''): the method returns a graph, which the worker keeps as
   * graph `keep` (key keyOf(keep, vertexCount + edgeCount)) and answers as buffers.
   */
  keep?: number;
}

/** The start-up handshake every served worker answers once its module and the kernel are loaded. */
export const READY_METHOD = '__phasekitReady';

/** Runs the worker's warm-up to its end now (Pool.warmUp; see src/worker/warm-up.ts). */
export const WARM_UP_METHOD = '__phasekitWarmUp';

/** Where a long call stands: `done` of `total` units of its current phase. */
export interface Progress {
  /** 'graph': rebuilding the graph in the worker; 'eliminate': graph elimination (for moments: their whole computation, which on a forward graph eliminates nothing); 'evaluate': rows of a batch, or a distribution; 'iterate': iterations of a fit. */
  phase: 'graph' | 'eliminate' | 'trace' | 'evaluate' | 'iterate';
  /** Units finished (vertices for 'graph' and 'eliminate', rows for a batch, iterations). */
  done: number;
  /** Units in this phase. */
  total: number;
  /** 'iterate': the fit's numbers after this iteration (e.g. SVGD's logPosteriorMean, bandwidth, stepNorm). */
  state?: Record<string, number>;
}

/** Receives progress reports; called on the main thread, through a Comlink proxy. */
export type ProgressCallback = (progress: Progress) => void;

/** One method of a kernel worker: runs in the worker on a graph the worker holds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KernelMethod = (graph: Graph, args: any, report: ProgressCallback) => unknown;

/** The methods a worker serves, by name. */
export type MethodTable = Record<string, KernelMethod>;

/** Arguments of method M of table T. */
export type ArgsOf<T extends MethodTable, M extends keyof T> = Parameters<T[M]>[1];

/**
 * What a method's result is on the page: a graph, or a model still in kernel memory (which
 * has toGraph()), crosses as its buffers (see serve.ts); anything else as it is.
 */
export type OnWire<R> = R extends StateGraph ? GraphBuffers : R extends { toGraph(): StateGraph | undefined } ? GraphBuffers : R;

/** Result of method M of table T, as the pool resolves it. */
export type ResultOf<T extends MethodTable, M extends keyof T> = OnWire<Awaited<ReturnType<T[M]>>>;

/** An error as it crosses the worker boundary (enough to rebuild GraphError and KernelError). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  vertex?: number;
  edge?: number;
  stack?: string;
}

/** A method's answer: its value, or the error it threw and whether the worker holds the graph all the same. */
export type Reply<R> = { ok: true; value: R } | { ok: false; error: SerializedError; held: boolean };

/** The table as the pool sees it through Comlink. */
export type Served<T extends MethodTable> = {
  [M in keyof T]: (ref: GraphRef, args: ArgsOf<T, M>, progress?: ProgressCallback) => Promise<Reply<ResultOf<T, M>>>;
};

/** Flattens an error thrown in a worker. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { name, message, stack } = error;
  const { code, vertex, edge } = error as Partial<GraphError>;
  return { name, message, stack, code, vertex, edge };
}

// phasekit's error classes by name, rebuilt with their class and code.
const revivers: Record<string, (s: SerializedError) => Error> = {
  GraphError: (s) => new GraphError(s.code as GraphError['code'], s.message, { vertex: s.vertex, edge: s.edge }),
  KernelError: (s) => new KernelError(s.code as KernelError['code'], s.message),
  TraceError: (s) => new TraceError(s.code as TraceError['code'], s.message),
  CacheError: (s) => new CacheError(s.code as CacheError['code'], s.message),
  PoolError: (s) => new PoolError(s.code as PoolError['code'], s.message),
  AbortError: (s) => new AbortError(s.message),
};

const builtins: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** Rebuilds an error from a worker as the class it was thrown as: phasekit's classes and JavaScript's built-in ones (others: PhasekitError under their name). */
export function reviveError(s: SerializedError): Error {
  const revive = Object.hasOwn(revivers, s.name) ? revivers[s.name] : undefined;
  const Builtin = Object.hasOwn(builtins, s.name) ? builtins[s.name] : undefined;
  const error = revive ? revive(s) : Builtin ? new Builtin(s.message) : Object.assign(new PhasekitError(s.code ?? 'WORKER_ERROR', s.message), { name: s.name });
  if (s.stack) error.stack = s.stack;
  return error;
}

/** The buffers of a result that can be transferred instead of copied: a typed array, or those among an object's own values. */
export function transferablesOf(value: unknown): Transferable[] {
  const own = (x: unknown): x is ArrayBufferView => ArrayBuffer.isView(x) && x.buffer instanceof ArrayBuffer && x.byteLength === x.buffer.byteLength;
  if (own(value)) return [value.buffer as ArrayBuffer];
  if (typeof value !== 'object' || value === null) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const x of Object.values(value)) if (own(x)) buffers.add(x.buffer as ArrayBuffer);
  return [...buffers];
}

/** The buffers of a graph, for transfer. */
export function graphTransferables(b: BuiltBuffers): Transferable[] {
  const all = [b.states.buffer, b.from.buffer, b.to.buffer, b.weight.buffer, b.coefficients.buffer] as ArrayBuffer[];
  if (b.rowPtr) all.push(b.rowPtr.buffer as ArrayBuffer);
  return all;
}
