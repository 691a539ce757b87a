import { describe, expect, it } from 'vitest';
import { CacheError, stableSerialize } from '../../src/cache/index.js';

const text = (value: unknown) => stableSerialize(value).text;

describe('stableSerialize', () => {
  it('sorts object keys', () => {
    expect(text({ b: 1, a: { d: 2, c: 3 } })).toBe(text({ a: { c: 3, d: 2 }, b: 1 }));
  });

  it('tells apart values JSON would merge', () => {
    const forms = [0, -0, NaN, null, undefined, '1', 1, 1n, [1], new Set([1])].map(text);
    expect(new Set(forms).size).toBe(forms.length);
  });

  it('writes typed arrays by type and content', () => {
    expect(text(new Uint8Array([1, 2]))).toBe('Uint8Array(0102)');
    expect(text(new Uint8Array([1, 2]))).not.toBe(text(new Int8Array([1, 2])));
    expect(text(new Float32Array([1]))).toBe(text(new Float32Array([1])));
  });

  it('respects the byte window of a typed-array view', () => {
    const buffer = new Uint8Array([9, 1, 2, 9]).buffer;
    expect(text(new Uint8Array(buffer, 1, 2))).toBe(text(new Uint8Array([1, 2])));
  });

  it('orders Map and Set contents canonically', () => {
    expect(text(new Map([['b', 1], ['a', 2]]))).toBe(text(new Map([['a', 2], ['b', 1]])));
    expect(text(new Set([2, 1]))).toBe(text(new Set([1, 2])));
  });

  it('writes Dates by time', () => {
    expect(text(new Date(5))).toBe('Date(5)');
  });

  it('sets long binaries aside for hashing', () => {
    const { text: written, binaries } = stableSerialize([new Uint8Array(100)]);
    expect(written).toBe('[Uint8Array(bin#0)]');
    expect(binaries).toHaveLength(1);
  });

  it('refuses functions and cycles with NOT_SERIALIZABLE', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [() => 1, cyclic]) {
      try {
        stableSerialize(value);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(CacheError);
        expect((error as CacheError).code).toBe('NOT_SERIALIZABLE');
      }
    }
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(text([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
