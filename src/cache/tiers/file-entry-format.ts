import { CacheError } from '../errors.js';
import { checkEntryMeta } from './entry-meta-check.js';
import type { TierEntryMeta } from './tier.js';

/*
 * One entry file, version 2 (written since phasekit 0.2):
 *   "PKC2"  u32 LE header-length  u32 LE CRC-32 of the header  header  value bytes
 * header: UTF-8 JSON of TierEntryMeta + codec (serializer name) + crc (CRC-32 of the value bytes).
 * Version 1 (phasekit 0.1, still read, not verifiable): "PKCE"  u32 LE header-length  header  value.
 *
 * Everything read from a file is checked before use: the header length against the file
 * size (never allocate or read past the file), the checksums, and the JSON against the
 * shape of TierEntryMeta. A file that fails is CORRUPT, whatever its bytes.
 */
const MAGIC_V2 = [0x50, 0x4b, 0x43, 0x32]; // "PKC2"
const MAGIC_V1 = [0x50, 0x4b, 0x43, 0x45]; // "PKCE"
/** Bytes before the header JSON in the format written now. */
export const PREFIX_BYTES = 12;
/** The shortest prefix of any version: enough to tell the version and header length. */
export const MIN_PREFIX_BYTES = 8;
/** Largest header accepted (metadata: key, tags, dependsOn). Larger ones are refused on write and corrupt on read. */
export const MAX_HEADER_BYTES = 16 << 20;

/** CRC-32 (IEEE) of some bytes: in Node, crc32.ts for a few KiB, node:zlib's `crc32` beyond. */
export type Crc32 = (bytes: Uint8Array) => number;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The header as stored: the entry's metadata, the serializer that wrote the value and the value's checksum (absent in version 1). */
export interface EntryHeader {
  meta: TierEntryMeta;
  codec: string;
  valueCrc?: number;
}

/** Where an entry's header lies, from its first bytes. */
export interface EntryLayout {
  /** Bytes before the header JSON. */
  prefixBytes: number;
  /** Length of the header JSON. */
  headerBytes: number;
  /** CRC-32 the header JSON must have (absent in version 1). */
  headerCrc?: number;
}

/** Everything before the value of an entry; throws `NOT_SERIALIZABLE` when the metadata exceeds {@link MAX_HEADER_BYTES}. */
export function encodeEntryPrefix(meta: TierEntryMeta, codec: string, value: Uint8Array, crc32: Crc32): Uint8Array {
  const header = encoder.encode(JSON.stringify({ ...meta, codec, crc: crc32(value) }));
  if (header.byteLength > MAX_HEADER_BYTES) {
    throw new CacheError('NOT_SERIALIZABLE', `metadata of "${meta.key}" takes ${header.byteLength} bytes; the file tier stores at most ${MAX_HEADER_BYTES}`);
  }
  const prefix = new Uint8Array(PREFIX_BYTES + header.byteLength);
  prefix.set(MAGIC_V2);
  const view = new DataView(prefix.buffer);
  view.setUint32(4, header.byteLength, true);
  view.setUint32(8, crc32(header), true);
  prefix.set(header, PREFIX_BYTES);
  return prefix;
}

/**
 * The layout announced by the first bytes (at least {@link PREFIX_BYTES} when the file has
 * them) of a file of `fileSize` bytes, checked against the magic, {@link MAX_HEADER_BYTES}
 * and the file size.
 */
export function entryLayout(start: Uint8Array, fileSize: number, where: string): EntryLayout {
  if (start.byteLength < MIN_PREFIX_BYTES || fileSize < MIN_PREFIX_BYTES) throw corrupt(where, `${fileSize} bytes is too short for an entry`);
  const v2 = MAGIC_V2.every((byte, i) => start[i] === byte);
  if (!v2 && !MAGIC_V1.every((byte, i) => start[i] === byte)) throw corrupt(where, 'not a cache entry (wrong magic)');
  const prefixBytes = v2 ? PREFIX_BYTES : MIN_PREFIX_BYTES;
  if (start.byteLength < prefixBytes || fileSize < prefixBytes) throw corrupt(where, `${fileSize} bytes is too short for an entry`);
  const view = new DataView(start.buffer, start.byteOffset, prefixBytes);
  const headerBytes = view.getUint32(4, true);
  if (headerBytes > MAX_HEADER_BYTES) throw corrupt(where, `header length ${headerBytes} exceeds ${MAX_HEADER_BYTES}`);
  if (prefixBytes + headerBytes > fileSize) throw corrupt(where, `header length ${headerBytes} runs past the end of a ${fileSize}-byte file`);
  return { prefixBytes, headerBytes, ...(v2 ? { headerCrc: view.getUint32(8, true) } : {}) };
}

/** Parses and verifies the header of an entry given its first `prefixBytes + headerBytes` bytes (or all of it); returns it and where the value starts. */
export function parseEntryHeader(bytes: Uint8Array, where: string, crc32: Crc32, fileSize = bytes.byteLength): EntryHeader & { valueOffset: number } {
  const { prefixBytes, headerBytes, headerCrc } = entryLayout(bytes, fileSize, where);
  const end = prefixBytes + headerBytes;
  if (end > bytes.byteLength) throw corrupt(where, 'truncated header');
  const header = bytes.subarray(prefixBytes, end);
  if (headerCrc !== undefined && crc32(header) !== headerCrc) throw corrupt(where, 'header checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(header));
  } catch (cause) {
    throw corrupt(where, 'unreadable header', cause);
  }
  const codec = (parsed as { codec?: unknown } | null)?.codec;
  if (typeof codec !== 'string') throw corrupt(where, 'header names no serializer');
  const meta = checkEntryMeta(parsed);
  if (typeof meta === 'string') throw corrupt(where, meta);
  const valueCrc = (parsed as { crc?: unknown }).crc;
  if (headerCrc !== undefined && !(typeof valueCrc === 'number' && Number.isInteger(valueCrc) && valueCrc >= 0 && valueCrc <= 0xffffffff)) throw corrupt(where, 'header has no value checksum');
  return { meta, codec, ...(headerCrc !== undefined ? { valueCrc: valueCrc as number } : {}), valueOffset: end };
}

/** Throws CORRUPT unless `value` has the checksum its header recorded (version 1 entries recorded none). */
export function verifyValue(header: EntryHeader, value: Uint8Array, where: string, crc32: Crc32): void {
  if (header.valueCrc !== undefined && crc32(value) !== header.valueCrc) throw corrupt(where, 'value checksum mismatch');
}

function corrupt(where: string, what: string, cause?: unknown): CacheError {
  return new CacheError('CORRUPT', `${where}: ${what}`, cause === undefined ? undefined : { cause });
}
