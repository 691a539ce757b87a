import { CacheError } from '../errors.js';
import type { ByteSerializer } from './serializer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON text as UTF-8 bytes: portable and readable, for plain data values. */
export const jsonSerializer: ByteSerializer = {
  name: 'json',
  encode(value) {
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
