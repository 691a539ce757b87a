import type { Serializer } from './serializer.js';
import { assertStorable } from './storable.js';

/**
 * Stores values as they are and lets IndexedDB's structured clone copy them:
 * ArrayBuffers, typed arrays, Maps, Sets, Dates, RegExps, Errors and cycles survive; class
 * instances come back as plain objects. Functions, symbols, WeakMap/WeakSet/WeakRef and
 * Promise are refused with `NOT_SERIALIZABLE`. The IndexedDB tier's default.
 */
export const structuredCloneSerializer: Serializer<unknown> = {
  name: 'structured-clone',
  check: (value) => assertStorable(value, 'structured-clone'),
  encode: (value) => value,
  decode: (data) => data,
};
