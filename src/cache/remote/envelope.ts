import { createXXHash64, type IHasher } from 'hash-wasm';
import { CacheError } from '../errors.js';
import type { ByteSerializer } from '../serializers/serializer.js';
import { metaOf, type TierEntryMeta, type TierRecord } from '../tiers/tier.js';

/*
 * The integrity envelope of the remote tiers. A remote store is shared, reached over a
 * network and written by other processes, so every value carries what a reader needs to
 * trust it before use:
 *
 *   head:    "PKRE"  u32 LE format-version  u32 LE header-length  8-byte xxhash64 of (header ‖ payload)
 *            header: UTF-8 JSON of TierEntryMeta (key included) + codec + payloadBytes
 *   payload: the value as the tier's ByteSerializer wrote it
 *
 * Head and payload travel as separate parts where the store allows it (two Redis hash
 * fields; a Blob of parts for fetch), so a large value is never copied just to be wrapped.
 * xxhash64 rather than SHA-256: it guards against damage (truncation, bit flips, a wrong
 * object behind a URL), not against forgery, and is several times faster per byte.
 */
const MAGIC = [0x50, 0x4b, 0x52, 0x45]; // "PKRE"
/** Version of the envelope layout; a reader rejects any other. */
export const ENVELOPE_VERSION = 1;
const FIXED = 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
let hasher: Promise<IHasher> | undefined;

/** A sealed record: the small head (metadata and checksum) and the value bytes. */
export interface Envelope {
  head: Uint8Array;
  payload: Uint8Array;
}

interface Header extends TierEntryMeta {
  codec: string;
  payloadBytes: number;
}

/** Serialises `record` and seals it with its metadata and a checksum. */
export async function sealRecord(record: TierRecord, serializer: ByteSerializer): Promise<Envelope> {
  const payload = serializer.encode(record.value);
  const header: Header = { ...metaOf(record), codec: serializer.name, payloadBytes: payload.byteLength };
  const json = encoder.encode(JSON.stringify(header));
  const head = new Uint8Array(FIXED + json.byteLength);
  head.set(MAGIC);
  const view = new DataView(head.buffer);
  view.setUint32(4, ENVELOPE_VERSION, true);
  view.setUint32(8, json.byteLength, true);
  head.set(json, FIXED);
  head.set(await checksum(json, payload), 12);
  return { head, payload };
}

/** Verifies an envelope read back for `key` (layout, version, key, codec, checksum) and decodes its value. */
export async function openRecord(envelope: Envelope, key: string, serializer: ByteSerializer): Promise<TierRecord> {
  const { header, json } = parseHead(envelope.head, key);
  const { payload } = envelope;
  if (header.payloadBytes !== payload.byteLength) throw corrupt(key, `${payload.byteLength} value bytes, ${header.payloadBytes} expected`);
  const expected = envelope.head.subarray(12, FIXED);
  const actual = await checksum(json, payload);
  if (!actual.every((byte, i) => byte === expected[i])) throw corrupt(key, 'checksum mismatch');
  if (header.codec !== serializer.name) throw corrupt(key, `written by serializer "${header.codec}", not "${serializer.name}"`);
  const { codec: _codec, payloadBytes: _bytes, ...meta } = header;
  return { ...meta, value: serializer.decode(payload) };
}

/** The metadata in a head, checked for layout, version and key (the payload checksum needs the payload). */
export function readHead(head: Uint8Array, key: string): TierEntryMeta {
  const { codec: _codec, payloadBytes: _bytes, ...meta } = parseHead(head, key).header;
  return meta;
}

/** Splits one stored byte string (an HTTP body) into head and payload. */
export function splitEnvelope(bytes: Uint8Array, key: string): Envelope {
  if (bytes.byteLength < FIXED) throw corrupt(key, `${bytes.byteLength} bytes is too short`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (FIXED + length > bytes.byteLength) throw corrupt(key, 'truncated header');
  return { head: bytes.subarray(0, FIXED + length), payload: bytes.subarray(FIXED + length) };
}

/** Bytes an envelope occupies once stored. */
export function envelopeBytes(envelope: Envelope): number {
  return envelope.head.byteLength + envelope.payload.byteLength;
}

function parseHead(head: Uint8Array, key: string): { header: Header; json: Uint8Array } {
  if (head.byteLength < FIXED || MAGIC.some((byte, i) => head[i] !== byte)) throw corrupt(key, 'not a phasekit remote entry');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (version !== ENVELOPE_VERSION) throw corrupt(key, `envelope version ${version}, this reader knows ${ENVELOPE_VERSION}`);
  const length = view.getUint32(8, true);
  if (FIXED + length !== head.byteLength) throw corrupt(key, 'header length does not match');
  const json = head.subarray(FIXED);
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(json)) as Header;
  } catch (cause) {
    throw corrupt(key, 'unreadable header', cause);
  }
  if (typeof header !== 'object' || header === null || typeof header.codec !== 'string' || !Number.isSafeInteger(header.payloadBytes)) {
    throw corrupt(key, 'malformed header');
  }
  // A content-addressed store may serve the wrong object under a key: the key inside must match.
  if (header.key !== key) throw corrupt(key, `holds the entry of key ${JSON.stringify(header.key)}`);
  return { header, json };
}

async function checksum(header: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  const h = await (hasher ??= createXXHash64());
  // init/update/digest run synchronously, so concurrent callers never interleave on the shared hasher.
  h.init();
  h.update(header);
  h.update(payload);
  return h.digest('binary');
}

function corrupt(key: string, why: string, cause?: unknown): CacheError {
  return new CacheError('CORRUPT', `remote entry ${JSON.stringify(key)}: ${why}`, cause === undefined ? undefined : { cause });
}
