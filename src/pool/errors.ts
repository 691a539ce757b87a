// The pool's own failures. Errors raised inside a worker (GraphError, KernelError,
// CacheError, AbortError, …) are rebuilt on the main thread as themselves, not
// wrapped in these; an aborted call rejects with AbortError like everything else.
import { PhasekitError } from '../errors/phasekit-error.js';

/** Why a pool call failed for a reason other than its input. */
export type PoolErrorCode = 'WORKER_CRASHED' | 'TIMEOUT' | 'CLOSED' | 'WORKER_FAILED' | 'UNKNOWN_EVALUATOR';

/** A call the pool could not complete: its worker crashed or hung twice, would not start, or the pool was closed. */
export class PoolError extends PhasekitError<PoolErrorCode> {
  override readonly name = 'PoolError';
}
