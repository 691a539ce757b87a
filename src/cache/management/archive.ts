import { crc32 } from 'hash-wasm';
import { CacheError } from '../errors.js';
import { binarySerializer } from '../serializers/binary.js';
import { checkEntryMeta } from '../tiers/entry-meta-check.js';
import type { TierRecord } from '../tiers/tier.js';

/*
 * Cache archive format, version 1 (all integers little-endian u32):
 *
 *   "PKCA"  format-version  entry-count
 *   entry-count × ( meta-length  meta (UTF-8 JSON of TierEntryMeta)  value-length  value (binarySerializer) )
 *   crc32 of every byte before it
 *
 * Values larger than 4 GiB cannot be archived.
 */
const MAGIC = [0x50, 0x4b, 0x43, 0x41]; // "PKCA"
const FORMAT_VERSION = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Packs entries (with their metadata) into one checksummed byte array. */
export async function encodeArchive(records: Iterable<TierRecord>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let count = 0;
  for (const record of records) {
    const { value, ...meta } = record;
    const metaBytes = encoder.encode(JSON.stringify(meta));
    const valueBytes = binarySerializer.encode(value);
    parts.push(u32(metaBytes.byteLength), metaBytes, u32(valueBytes.byteLength), valueBytes);
    count++;
  }
  const body = concat([new Uint8Array(MAGIC), u32(FORMAT_VERSION), u32(count), ...parts, new Uint8Array(4)]);
  const checksum = parseInt(await crc32(body.subarray(0, body.byteLength - 4)), 16);
  new DataView(body.buffer).setUint32(body.byteLength - 4, checksum, true);
  return body;
}

/** Unpacks an archive; throws CacheError `BAD_ARCHIVE` when it is not one or is damaged. */
export async function decodeArchive(bytes: Uint8Array): Promise<TierRecord[]> {
  if (bytes.byteLength < 16 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new CacheError('BAD_ARCHIVE', 'not a phasekit cache archive');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = view.getUint32(bytes.byteLength - 4, true);
  const actual = parseInt(await crc32(bytes.subarray(0, bytes.byteLength - 4)), 16);
  if (expected !== actual) throw new CacheError('BAD_ARCHIVE', 'archive checksum mismatch: the data is damaged');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new CacheError('BAD_ARCHIVE', `unsupported archive version ${version}`);
  const count = view.getUint32(8, true);
  const records: TierRecord[] = [];
  let offset = 12;
  const take = (): Uint8Array => {
    if (offset + 4 > bytes.byteLength - 4) throw new CacheError('BAD_ARCHIVE', 'archive entry runs past the end');
    const length = view.getUint32(offset, true);
    const start = offset + 4;
    offset = start + length;
    if (offset > bytes.byteLength - 4) throw new CacheError('BAD_ARCHIVE', 'archive entry runs past the end');
    return bytes.subarray(start, offset);
  };
  for (let i = 0; i < count; i++) {
    const meta = checkEntryMeta(parseJson(take(), i));
    if (typeof meta === 'string') throw new CacheError('BAD_ARCHIVE', `archive entry ${i}: ${meta}`);
    let value: unknown;
    try {
      value = binarySerializer.decode(take());
    } catch (cause) {
      if (cause instanceof CacheError && cause.code === 'BAD_ARCHIVE') throw cause;
      throw new CacheError('BAD_ARCHIVE', `archive entry ${i} ("${meta.key}") has an unreadable value`, { cause });
    }
    records.push({ ...meta, value });
  }
  return records;
}

function parseJson(bytes: Uint8Array, index: number): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new CacheError('BAD_ARCHIVE', `archive entry ${index} has unreadable metadata`, { cause });
  }
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
