import { describe, expect, it } from 'vitest';
import { hashString } from '../../src/cache/index.js';

// 64 hex digits per key, as a SHA-256 content key is written.
function digests(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: 8 }, (_, w) => ((Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(w + 7, 0xcc9e2d51)) >>> 0).toString(16).padStart(8, '0')).join(''));
}

describe('hashString', () => {
  it('gives equal strings equal hashes however they were built', () => {
    for (const length of [0, 1, 31, 32, 33, 64, 127, 1024, 1025, 5000]) {
      const flat = 'ab'.repeat(length).slice(0, length);
      let rope = '';
      for (let i = 0; i < length; i++) rope += i % 2 === 0 ? 'a' : 'b';
      expect(hashString(rope)).toBe(hashString(flat));
    }
  });

  it('gives a key the same hash whatever was hashed before it', () => {
    // A longer key hashed first leaves its bytes past the shorter key's end in the encoder's buffer.
    for (const length of [33, 34, 35, 64]) {
      const key = 'k'.repeat(length);
      hashString('x'.repeat(100));
      const first = hashString(key);
      hashString('y'.repeat(100));
      expect(hashString(key)).toBe(first);
    }
  });

  it('reads every unit: changing any one of a key\'s units changes its hash', () => {
    // 31 and 1025 units: read as code units; 32, 33, 34, 35, 64 and 1024: as UTF-8 bytes, with
    // the last 4-byte word padded.
    for (const length of [31, 32, 33, 34, 35, 64, 1024, 1025]) {
      const key = digests(Math.ceil(length / 64) + 1).join('').slice(0, length);
      const hash = hashString(key);
      for (let i = 0; i < length; i++) {
        const changed = key.slice(0, i) + (key[i] === '0' ? '1' : '0') + key.slice(i + 1);
        expect(hashString(changed), `unit ${i} of ${length}`).not.toBe(hash);
      }
    }
  });

  it('tells apart keys that differ only by trailing NULs or by length', () => {
    const base = 'a'.repeat(33);
    const hashes = new Set([base, `${base}\0`, `${base}\0\0`, `${base}\0\0\0`, `${base}a`, base.slice(1)].map(hashString));
    expect(hashes.size).toBe(6);
  });

  it('hashes non-ASCII keys by their UTF-8 bytes, without collisions on a sample', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `ключ-日本語-${i}-\u{1F600}-${'é'.repeat(i % 30)}`);
    expect(new Set(keys.map(hashString)).size).toBe(keys.length);
  });

  it('spreads content keys evenly over the top bits the sketch and the key table use', () => {
    const keys = digests(65536);
    const buckets = new Float64Array(256);
    for (const key of keys) buckets[hashString(key) >>> 24]++;
    // 256 buckets expecting 256 each: a chi-square far beyond 255 ± 5 sd would mean poor mixing.
    let chi = 0;
    for (const count of buckets) chi += (count - 256) ** 2 / 256;
    expect(chi).toBeLessThan(255 + 5 * Math.sqrt(2 * 255));
    expect(new Set(keys.map(hashString)).size).toBeGreaterThan(keys.length - 10);
  });
});
