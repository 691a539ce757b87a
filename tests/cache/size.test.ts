import { describe, expect, it } from 'vitest';
import { estimateSize } from '../../src/cache/index.js';

describe('estimateSize', () => {
  it('counts strings at 2 bytes per character', () => {
    expect(estimateSize('abcd')).toBe(8);
  });

  it('counts binary values by byteLength', () => {
    expect(estimateSize(new ArrayBuffer(1000))).toBe(1000);
    expect(estimateSize(new Float64Array(10))).toBe(80);
  });

  it('grows with the content of objects and arrays', () => {
    expect(estimateSize({ a: 'x'.repeat(100) })).toBeGreaterThan(200);
    expect(estimateSize([1, 2, 3])).toBeGreaterThan(estimateSize([1]));
  });

  it('terminates on cyclic values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(Number.isFinite(estimateSize(cyclic))).toBe(true);
  });
});
