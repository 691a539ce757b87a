import { CacheError } from '../errors.js';

/** A value written as canonical text, with its large binary parts set aside for hashing. */
export interface StableForm {
  /** Canonical text; equal values give equal text (object keys sorted, -0 and NaN kept apart). */
  text: string;
  /** Binary contents longer than the inline limit, referenced from `text` as `bin#<i>`. */
  binaries: Uint8Array[];
}

// Binary arguments up to this many bytes are written inline as hex; longer ones are hashed.
const INLINE_BYTES = 64;

/**
 * Serializes a value canonically for use in cache keys: sorted object keys, Maps and
 * Sets in sorted order, typed arrays by type and content, Dates by time. Functions,
 * symbols and cycles cannot name a cache entry and throw CacheError `NOT_SERIALIZABLE`.
 */
export function stableSerialize(value: unknown): StableForm {
  const binaries: Uint8Array[] = [];
  const seen = new Set<object>();
  const write = (v: unknown): string => {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        return Object.is(v, -0) ? '-0' : String(v);
      case 'boolean':
        return String(v);
      case 'bigint':
        return `${v}n`;
      case 'undefined':
        return 'undefined';
      case 'function':
      case 'symbol':
        throw new CacheError('NOT_SERIALIZABLE', `a ${typeof v} cannot be part of a cache key`);
    }
    if (v === null) return 'null';
    const object = v as object;
    if (seen.has(object)) throw new CacheError('NOT_SERIALIZABLE', 'a cyclic value cannot be part of a cache key');
    seen.add(object);
    try {
      if (object instanceof ArrayBuffer) return `ArrayBuffer(${bytes(new Uint8Array(object))})`;
      if (ArrayBuffer.isView(object)) {
        const view = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
        return `${object.constructor.name}(${bytes(view)})`;
      }
      if (object instanceof Date) return `Date(${object.getTime()})`;
      if (Array.isArray(object)) return `[${object.map(write).join(',')}]`;
      if (object instanceof Map) return `Map{${[...object].map(([k, x]) => `${write(k)}=>${write(x)}`).sort().join(',')}}`;
      if (object instanceof Set) return `Set{${[...object].map(write).sort().join(',')}}`;
      const record = object as Record<string, unknown>;
      const fields = Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined) // as JSON does: {a: undefined} equals {}
        .map((key) => `${JSON.stringify(key)}:${write(record[key])}`);
      return `{${fields.join(',')}}`;
    } finally {
      seen.delete(object);
    }
  };
  const bytes = (view: Uint8Array): string => {
    if (view.byteLength > INLINE_BYTES) {
      binaries.push(view);
      return `bin#${binaries.length - 1}`;
    }
    let hex = '';
    for (const byte of view) hex += byte.toString(16).padStart(2, '0');
    return hex;
  };
  return { text: write(value), binaries };
}
