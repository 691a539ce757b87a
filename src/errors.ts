/** Why a graph or its arguments were refused. */
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
  | 'WRONG_KIND'
  | 'BAD_ARGUMENT'
  | 'BAD_FORMAT'
  | 'STATE_SPACE_TOO_LARGE'
  | 'ABORTED'
  | 'STALE';

/** A graph, parameter vector or argument that phasekit refuses, with the vertex or edge at fault. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  /** Machine-readable reason. */
  readonly code: GraphErrorCode;
  /** Index of the offending vertex, when one is at fault. */
  readonly vertex?: number;
  /** Index of the offending edge (in insertion / JSON order), when one is at fault. */
  readonly edge?: number;

  constructor(code: GraphErrorCode, message: string, where: { vertex?: number; edge?: number } = {}) {
    super(message);
    this.code = code;
    if (where.vertex !== undefined) this.vertex = where.vertex;
    if (where.edge !== undefined) this.edge = where.edge;
  }
}

/** Why the WebAssembly kernel could not do its part. */
export type KernelErrorCode = 'NOT_READY' | 'OUT_OF_MEMORY' | 'LOAD_FAILED';

/** The WebAssembly kernel is not loaded, failed to load, or ran out of its 4 GiB of memory. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  /** Machine-readable reason. */
  readonly code: KernelErrorCode;
  constructor(code: KernelErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Why trace bytes were refused. */
export type TraceErrorCode = 'BAD_MAGIC' | 'VERSION_MISMATCH' | 'CHECKSUM_MISMATCH' | 'TRUNCATED' | 'STRUCTURE_MISMATCH' | 'DISPOSED';

/** Trace bytes that are not a valid trace of this format version (or of this graph). */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  /** Machine-readable reason. */
  readonly code: TraceErrorCode;
  constructor(code: TraceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
