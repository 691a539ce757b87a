import { PhasekitError } from '../errors/phasekit-error.js';

/** Why a cache operation failed. */
export type CacheErrorCode =
  | 'BAD_OPTION'
  | 'QUOTA_EXCEEDED'
  | 'TIER_UNAVAILABLE'
  | 'REJECTED'
  | 'CORRUPT'
  | 'BAD_ARCHIVE'
  | 'NOT_SERIALIZABLE'
  | 'CLOSED';

/** A cache failure with a machine-readable `code`. */
export class CacheError extends PhasekitError<CacheErrorCode> {
  override readonly name = 'CacheError';
}

/** True for the storage-full errors of IndexedDB (DOMException QuotaExceededError), Node (ENOSPC) and our own. */
export function isQuotaError(error: unknown): boolean {
  if (error instanceof CacheError) return error.code === 'QUOTA_EXCEEDED';
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'QuotaExceededError' || e?.code === 'ENOSPC' || e?.code === 'EDQUOT';
}
