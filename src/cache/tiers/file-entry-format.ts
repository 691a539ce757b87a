import { CacheError } from '../errors.js';
import { checkEntryMeta } from './entry-meta-check.js';
import type { TierEntryMeta } from './tier.js';

/*
 * One entry file:
 *   "PKCE"  u32 LE header-length  header (UTF-8 JSON: TierEntryMeta + codec)  value bytes
 * Everything read from a file is checked before use: the header length against the file's
 * size (never allocate or read past the file), the JSON against the shape of TierEntryMeta.
 * A file that fails is CORRUPT, whatever its bytes.
 */
const MAGIC = [0x50, 0x4b, 0x43, 0x45]; // "PKCE"
/** Bytes before the header JSON: magic and header length. */
export const PREFIX_BYTES = 8;
/** Largest header accepted (metadata: key, tags, dependsOn). Larger ones are refused on write and corrupt on read. */
export const MAX_HEADER_BYTES = 16 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The header as stored: the entry's metadata and the name of the serializer that wrote the value. */
export interface EntryHeader {
  meta: TierEntryMeta;
  codec: string;
}

/** Magic, length and header JSON of an entry; throws `NOT_SERIALIZABLE` when the metadata exceeds {@link MAX_HEADER_BYTES}. */
export function encodeEntryPrefix(meta: TierEntryMeta, codec: string): Uint8Array {
  const header = encoder.encode(JSON.stringify({ ...meta, codec }));
  if (header.byteLength > MAX_HEADER_BYTES) {
    throw new CacheError('NOT_SERIALIZABLE', `metadata of "${meta.key}" takes ${header.byteLength} bytes; the file tier stores at most ${MAX_HEADER_BYTES}`);
  }
  const prefix = new Uint8Array(PREFIX_BYTES + header.byteLength);
  prefix.set(MAGIC);
  new DataView(prefix.buffer).setUint32(4, header.byteLength, true);
  prefix.set(header, PREFIX_BYTES);
  return prefix;
}

/**
 * The header length announced by the first bytes of a file of `fileSize` bytes, checked
 * against the magic, {@link MAX_HEADER_BYTES} and the file size.
 */
export function headerLength(start: Uint8Array, fileSize: number, where: string): number {
  if (start.byteLength < PREFIX_BYTES || fileSize < PREFIX_BYTES) throw corrupt(where, `${fileSize} bytes is too short for an entry`);
  if (MAGIC.some((byte, i) => start[i] !== byte)) throw corrupt(where, 'not a cache entry (wrong magic)');
  const length = new DataView(start.buffer, start.byteOffset, PREFIX_BYTES).getUint32(4, true);
  if (length > MAX_HEADER_BYTES) throw corrupt(where, `header length ${length} exceeds ${MAX_HEADER_BYTES}`);
  if (PREFIX_BYTES + length > fileSize) throw corrupt(where, `header length ${length} runs past the end of a ${fileSize}-byte file`);
  return length;
}

/** Parses the header of a whole entry (or of its first `PREFIX_BYTES + length` bytes); returns it and where the value starts. */
export function parseEntryHeader(bytes: Uint8Array, where: string, fileSize = bytes.byteLength): EntryHeader & { valueOffset: number } {
  const length = headerLength(bytes, fileSize, where);
  if (PREFIX_BYTES + length > bytes.byteLength) throw corrupt(where, 'truncated header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + length)));
  } catch (cause) {
    throw corrupt(where, 'unreadable header', cause);
  }
  return { ...checkedHeader(parsed, where), valueOffset: PREFIX_BYTES + length };
}

// The header must be exactly what a tier writes: no NaN times, no missing key, no odd types.
function checkedHeader(parsed: unknown, where: string): EntryHeader {
  const codec = (parsed as { codec?: unknown } | null)?.codec;
  if (typeof codec !== 'string') throw corrupt(where, 'header names no serializer');
  const meta = checkEntryMeta(parsed);
  if (typeof meta === 'string') throw corrupt(where, meta);
  return { meta, codec };
}

function corrupt(where: string, what: string, cause?: unknown): CacheError {
  return new CacheError('CORRUPT', `${where}: ${what}`, cause === undefined ? undefined : { cause });
}
