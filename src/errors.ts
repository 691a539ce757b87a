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

/** Base of phasekit's typed errors: a message for people and a `code` for programs. */
export class PhasekitError<Code extends string> extends Error {
  /** Machine-readable reason. */
  readonly code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
  }
}

/** A graph, parameter vector or argument that phasekit refuses, with the vertex or edge at fault. */
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

/** Why trace bytes were refused. */
export type TraceErrorCode = 'BAD_MAGIC' | 'VERSION_MISMATCH' | 'CHECKSUM_MISMATCH' | 'TRUNCATED' | 'STRUCTURE_MISMATCH' | 'DISPOSED';

/** Trace bytes that are not a valid trace of this format version (or of this graph). */
export class TraceError extends PhasekitError<TraceErrorCode> {
  override readonly name = 'TraceError';
}
