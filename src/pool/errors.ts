// The pool's own failures. Errors raised by the kernel inside a worker (GraphError,
// KernelError) are rebuilt on the main thread as themselves, not wrapped in these.

/** Why a pool call failed for a reason other than its input. */
export type PoolErrorCode = 'WORKER_CRASHED' | 'TIMEOUT' | 'ABORTED' | 'CLOSED';

/**
 * A call the pool could not complete: its worker crashed or hung twice, its signal
 * aborted it, or the pool was closed. With code ABORTED the name is 'AbortError',
 * so code that checks `error.name === 'AbortError'` (as for fetch) works unchanged.
 */
export class PoolError extends Error {
  override readonly name: 'PoolError' | 'AbortError';
  /** Machine-readable reason. */
  readonly code: PoolErrorCode;
  constructor(code: PoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code === 'ABORTED' ? 'AbortError' : 'PoolError';
  }
}
