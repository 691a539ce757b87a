import type { Serializer } from './serializer.js';

/**
 * Stores values as they are and lets IndexedDB's structured clone copy them:
 * ArrayBuffers, typed arrays, Maps, Dates and cycles survive. The IndexedDB tier's default.
 */
export const structuredCloneSerializer: Serializer<unknown> = {
  name: 'structured-clone',
  encode: (value) => value,
  decode: (data) => data,
};
