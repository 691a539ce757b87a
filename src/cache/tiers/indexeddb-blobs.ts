import { CacheError } from '../errors.js';

/**
 * Stored bytes from this size up are written as a Blob. Chromium writes and reads a large
 * Blob 2–3× faster than the same bytes as a typed array inside a record (25 MB: put 130 →
 * 40 ms, get 110 → 40 ms); below about 1 MB the typed array is faster.
 */
export const BLOB_MIN_BYTES = 2 << 20;

/**
 * The codec a Blob-wrapped record is written under: its serializer's name with a suffix, so that
 * code that predates Blobs (another tab, an older phasekit) finds a codec it does not know and
 * drops the record as corrupt, rather than handing its caller a Blob (the structured-clone
 * serializer would pass one through).
 */
export function blobCodec(serializer: string): string {
  return `${serializer}+blob`;
}

/** What a Blob-wrapped value was before wrapping, so that it comes back as it went in. */
export type BlobOf = 'bytes' | 'buffer';

/** The serializer's output as stored: large plain bytes as a Blob, anything else as it is. */
export function wrapLarge(data: unknown, minBytes: number): { data: unknown; blob?: BlobOf } {
  if (typeof Blob !== 'function') return { data };
  // Exact classes only: a subclass or another view type would come back as something else.
  const of: BlobOf | undefined = data instanceof Uint8Array && data.constructor === Uint8Array && data.buffer instanceof ArrayBuffer ? 'bytes'
    : data instanceof ArrayBuffer && data.constructor === ArrayBuffer ? 'buffer' : undefined;
  if (of === undefined || (data as Uint8Array | ArrayBuffer).byteLength < minBytes) return { data };
  return { data: new Blob([data as Uint8Array<ArrayBuffer> | ArrayBuffer]), blob: of };
}

/** The bytes of a Blob-wrapped value, or CORRUPT naming the entry when they cannot be read. */
export async function unwrapLarge(data: unknown, of: unknown, where: string): Promise<unknown> {
  if ((of !== 'bytes' && of !== 'buffer') || typeof Blob !== 'function' || !(data instanceof Blob)) {
    throw new CacheError('CORRUPT', `${where} has a damaged large value`);
  }
  let buffer: ArrayBuffer;
  try {
    buffer = await data.arrayBuffer();
  } catch (cause) {
    // The browser lost the Blob's file (storage partly cleared, disk trouble).
    throw new CacheError('CORRUPT', `${where} has an unreadable large value`, { cause });
  }
  return of === 'buffer' ? buffer : new Uint8Array(buffer);
}
