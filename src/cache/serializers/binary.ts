import { CacheError } from '../errors.js';
import { jsonSerializer } from './json.js';
import type { ByteSerializer } from './serializer.js';

// Format: one tag byte, then the payload. Binary values travel as their raw bytes
// (no base64, no JSON), everything else as JSON. Tags are part of the stored format: never renumber.
const TAG_JSON = 0;
const TAG_ARRAY_BUFFER = 1;
const TAG_DATA_VIEW = 2;
const VIEW_TAGS = [
  Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
] as const;
const FIRST_VIEW_TAG = 3;

type TypedArrayConstructor = (typeof VIEW_TAGS)[number];

/**
 * ArrayBuffer, typed arrays and DataView as raw bytes behind a one-byte tag; any other
 * value as JSON (and refused where JSON would change it, see {@link jsonSerializer}).
 * The file tier's default, and the payload format of cache archives.
 */
export const binarySerializer: ByteSerializer = {
  name: 'binary',
  check(value) {
    if (!isBinary(value)) jsonSerializer.check?.(value);
  },
  encode(value) {
    if (value instanceof ArrayBuffer) return tagged(TAG_ARRAY_BUFFER, new Uint8Array(value));
    if (value instanceof DataView) return tagged(TAG_DATA_VIEW, bytesOf(value));
    if (ArrayBuffer.isView(value)) {
      const index = VIEW_TAGS.findIndex((View) => value instanceof View);
      if (index !== -1) return tagged(FIRST_VIEW_TAG + index, bytesOf(value));
    }
    return tagged(TAG_JSON, jsonSerializer.encode(value));
  },
  decode(data) {
    if (data.byteLength === 0) throw new CacheError('CORRUPT', 'empty binary payload');
    const tag = data[0];
    const payload = data.subarray(1);
    if (tag === TAG_JSON) return jsonSerializer.decode(payload);
    // slice() copies into a fresh, aligned buffer that the caller owns outright.
    // (Uint8Array's slice, not Buffer's, which would share memory.)
    const buffer = Uint8Array.prototype.slice.call(payload).buffer;
    if (tag === TAG_ARRAY_BUFFER) return buffer;
    if (tag === TAG_DATA_VIEW) return new DataView(buffer);
    const View: TypedArrayConstructor | undefined = VIEW_TAGS[tag - FIRST_VIEW_TAG];
    if (!View) throw new CacheError('CORRUPT', `unknown binary tag ${tag}`);
    if (buffer.byteLength % View.BYTES_PER_ELEMENT !== 0) throw new CacheError('CORRUPT', `truncated ${View.name} payload`);
    return new View(buffer);
  },
};

function isBinary(value: unknown): boolean {
  return value instanceof ArrayBuffer || (ArrayBuffer.isView(value) && (value instanceof DataView || VIEW_TAGS.some((View) => value instanceof View)));
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function tagged(tag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.byteLength + 1);
  out[0] = tag;
  out.set(payload, 1);
  return out;
}
