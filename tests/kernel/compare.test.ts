// sameInt32: equality of integer arrays, in JS below a size and by memcmp in the kernel above it.
import { beforeAll, expect, test } from 'vitest';
import { ready } from '../../src/index.js';
import { sameInt32 } from '../../src/kernel/compare.js';
import { kernel } from '../../src/kernel/module.js';

beforeAll(() => ready());

test('equal arrays are the same, at every size either side of the kernel threshold', () => {
  for (const n of [0, 1, 255, 256, 257, 100_000]) {
    const a = Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0);
    expect(sameInt32(a, a.slice())).toBe(true);
  }
});

test('one differing element anywhere, or another length, makes them differ', () => {
  for (const n of [10, 300, 100_000]) {
    const a = Int32Array.from({ length: n }, (_, i) => i - 7);
    for (const at of [0, n >> 1, n - 1]) {
      const b = a.slice();
      b[at] ^= 1 << 31;
      expect(sameInt32(a, b)).toBe(false);
    }
    expect(sameInt32(a, a.subarray(0, n - 1))).toBe(false);
  }
});

test('views at odd offsets compare their own elements, and the kernel gets its memory back', () => {
  const backing = Int32Array.from({ length: 2_000 }, (_, i) => i % 500);
  const before = kernel().memory.buffer.byteLength;
  for (let i = 0; i < 100; i++) expect(sameInt32(backing.subarray(0, 500), backing.subarray(500, 1000))).toBe(true);
  expect(sameInt32(backing.subarray(1, 501), backing.subarray(500, 1000))).toBe(false);
  expect(kernel().memory.buffer.byteLength).toBe(before);
});
