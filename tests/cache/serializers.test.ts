import { describe, expect, it } from 'vitest';
import { binarySerializer, CacheError, jsonSerializer, structuredCloneSerializer } from '../../src/cache/index.js';

describe('serializers', () => {
  it('binary: stores an ArrayBuffer as its raw bytes behind one tag byte', () => {
    const value = new Uint8Array([1, 2, 3]).buffer;
    const bytes = binarySerializer.encode(value);
    expect([...bytes.subarray(1)]).toEqual([1, 2, 3]);
    expect(binarySerializer.decode(bytes)).toEqual(value);
  });

  it('binary: round-trips every typed-array kind with its type', () => {
    for (const value of [new Float64Array([1.5, -2]), new Int32Array([-1, 7]), new BigInt64Array([5n]), new Uint8ClampedArray([255])]) {
      const back = binarySerializer.decode(binarySerializer.encode(value));
      expect(back).toBeInstanceOf(value.constructor);
      expect(back).toEqual(value);
    }
  });

  it('binary: encodes only the viewed window of a typed array', () => {
    const view = new Float64Array(new Float64Array([1, 2, 3, 4]).buffer, 8, 2);
    expect(binarySerializer.decode(binarySerializer.encode(view))).toEqual(new Float64Array([2, 3]));
  });

  it('binary: falls back to JSON for other values', () => {
    expect(binarySerializer.decode(binarySerializer.encode({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
  });

  it('binary: reports an unknown tag as CORRUPT', () => {
    expect(() => binarySerializer.decode(new Uint8Array([200, 1]))).toThrow(CacheError);
  });

  it('json: round-trips plain data as UTF-8', () => {
    const bytes = jsonSerializer.encode({ ü: 'ß' });
    expect(new TextDecoder().decode(bytes)).toBe('{"ü":"ß"}');
    expect(jsonSerializer.decode(bytes)).toEqual({ ü: 'ß' });
  });

  it('json: refuses values JSON cannot hold', () => {
    expect(() => jsonSerializer.encode(undefined)).toThrow(/undefined/);
    expect(() => jsonSerializer.encode(1n)).toThrow(CacheError);
  });

  it('structured clone: passes values through for IndexedDB to copy', () => {
    const value = new Map([[1, 2]]);
    expect(structuredCloneSerializer.decode(structuredCloneSerializer.encode(value))).toBe(value);
  });
});
