// phasekit's typed errors. Every class extends PhasekitError and carries a `code`;
// the pool rebuilds each of them, class and code, when it crosses from a worker.
import { PhasekitError } from './phasekit-error.js';

export { PhasekitError, AbortError, abortErrorOf, throwIfAborted, asAbortError } from './phasekit-error.js';

/** Why a graph, its parameters, its data or another argument was refused. */
export type GraphErrorCode =
  | 'VERTEX_OUT_OF_RANGE'
  | 'NON_FINITE'
  | 'BAD_STATE'
  | 'DUPLICATE_STATE'
  | 'NEGATIVE_RATE'
  | 'START_WEIGHTS_EXCEED_ONE'
  | 'DISCRETE_WEIGHTS_EXCEED_ONE'
  | 'NO_ABSORPTION'
  | 'NO_EXIT_AT_THETA'
  | 'EDGE_TO_START'
  | 'BAD_THETA'
  | 'BAD_REWARDS'
  | 'BAD_DATA'
  | 'WRONG_KIND'
  | 'BAD_ARGUMENT'
  | 'BAD_FORMAT'
  | 'STATE_SPACE_TOO_LARGE'
  | 'WORK_LIMIT'
  | 'OVERFLOW'
  | 'STALE';

/** A graph, parameter vector, data set or argument that phasekit refuses, with the vertex or edge at fault. */
export class GraphError extends PhasekitError<GraphErrorCode> {
  override readonly name = 'GraphError';
  /** Index of the offending vertex, when one is at fault. */
  readonly vertex?: number;
  /** Index of the offending edge (in insertion / JSON order), when one is at fault. */
  readonly edge?: number;

  constructor(code: GraphErrorCode, message: string, where: { vertex?: number; edge?: number } = {}) {
    super(code, message);
    if (where.vertex !== undefined) this.vertex = where.vertex;
    if (where.edge !== undefined) this.edge = where.edge;
  }
}

/** Why the WebAssembly kernel could not do its part. */
export type KernelErrorCode = 'NOT_READY' | 'OUT_OF_MEMORY' | 'LOAD_FAILED';

/** The WebAssembly kernel is not loaded, failed to load, or ran out of its 4 GiB of memory. */
export class KernelError extends PhasekitError<KernelErrorCode> {
  override readonly name = 'KernelError';
}

/** Whether `e` is the kernel running out of memory (KernelError OUT_OF_MEMORY). */
export function isOutOfMemory(e: unknown): e is KernelError {
  return e instanceof KernelError && e.code === 'OUT_OF_MEMORY';
}

/** Why stored bytes (a trace or a compiled evaluator) were refused. */
export type TraceErrorCode = 'BAD_MAGIC' | 'VERSION_MISMATCH' | 'CHECKSUM_MISMATCH' | 'TRUNCATED' | 'MALFORMED' | 'STRUCTURE_MISMATCH' | 'DISPOSED';

/** Trace or evaluator bytes that are not valid in this format version (or not of this graph). */
export class TraceError extends PhasekitError<TraceErrorCode> {
  override readonly name = 'TraceError';
}

/**
 * Throws GraphError OVERFLOW when a result is not a finite number: rates near the limits
 * of double precision (5e-324, 1e300) give moments that overflow, and an overflow must
 * be an error, never a quiet Infinity or NaN.
 */
export function checkFinite<T extends ArrayLike<number>>(values: T, what: string): T {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw new GraphError('OVERFLOW', `${what}${values.length > 1 ? ` [${i}]` : ''} is ${values[i]}: it overflows double precision (rates near 5e-324 or 1e308?)`);
  return values;
}
