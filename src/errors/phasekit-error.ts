// The base of every error phasekit throws, and its one abort shape. The cache
// toolkit imports this file only, so it stays free of the product's domain.

/** Base of phasekit's typed errors: a message for people and a `code` for programs. */
export class PhasekitError<Code extends string = string> extends Error {
  /** Machine-readable reason. */
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Work stopped by an AbortSignal. Named 'AbortError' like the platform's own, so code
 * that checks `error.name === 'AbortError'` (as for fetch) works unchanged; the signal's
 * reason is the `cause`.
 */
export class AbortError extends PhasekitError<'ABORTED'> {
  override readonly name = 'AbortError';
  constructor(message = 'phasekit: the operation was aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** The AbortError for `signal` (its reason as the cause). */
export function abortErrorOf(signal: AbortSignal, what = 'the operation'): AbortError {
  return new AbortError(`phasekit: ${what} was aborted`, { cause: signal.reason });
}

/** Throws {@link AbortError} when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortErrorOf(signal, what);
}

/** The error to rethrow for a failure that may be an abort: one AbortError shape whatever threw. */
export function asAbortError(error: unknown, signal: AbortSignal | undefined, what?: string): unknown {
  if (error instanceof AbortError) return error;
  if (signal?.aborted) return abortErrorOf(signal, what);
  if ((error as { name?: string } | null)?.name === 'AbortError') return new AbortError(`phasekit: ${what ?? 'the operation'} was aborted`, { cause: error });
  return error;
}
