import { CacheError } from '../errors.js';
import type { ByteSerializer } from './serializer.js';
import { assertStorable } from './storable.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON text as UTF-8 bytes: portable and readable, for plain data values. Values JSON
 * would change (NaN, -0, Infinity, undefined, Date, Map, Set, RegExp, Error, class
 * instances, binary data, sparse arrays, cycles) are refused with `NOT_SERIALIZABLE`.
 */
export const jsonSerializer: ByteSerializer = {
  name: 'json',
  check(value) {
    assertStorable(value, 'json');
  },
  encode(value) {
    assertStorable(value, 'json');
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (cause) {
      throw new CacheError('NOT_SERIALIZABLE', 'value cannot be written as JSON', { cause });
    }
    if (text === undefined) throw new CacheError('NOT_SERIALIZABLE', `a ${typeof value} cannot be written as JSON`);
    return encoder.encode(text);
  },
  decode(data) {
    try {
      return JSON.parse(decoder.decode(data));
    } catch (cause) {
      throw new CacheError('CORRUPT', 'stored JSON is unreadable', { cause });
    }
  },
};
