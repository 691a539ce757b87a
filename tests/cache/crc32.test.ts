// The JavaScript CRC-32 that checks small entries gives zlib's value bit for bit (the file
// format's checksum must not depend on which of the two computed it).
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/cache/tiers/crc32.js';

describe('crc32', () => {
  it('equals zlib.crc32 on the empty input, known strings and random bytes of 1 to 5,000 bytes', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (const n of [1, 2, 3, 7, 64, 255, 256, 1000, 4096, 4097, 5000]) {
      const bytes = Uint8Array.from({ length: n }, next);
      expect(crc32(bytes), `${n} bytes`).toBe(zlibCrc32(bytes));
      expect(crc32(bytes.subarray(1)), `${n - 1} bytes at an offset`).toBe(zlibCrc32(bytes.subarray(1)));
    }
  });
});
