// Reading a string one code unit at a time costs about 2 ns a unit in JS (charCodeAt), while
// one call into the platform's UTF-8 encoder costs about 60 ns and then reads 4 bytes per
// step: from this length on (a 64-hex-digit content key hashes in half the time) a key is
// hashed as its UTF-8 bytes.
const ENCODE_FROM = 32;
// Longer keys are rare; they are read unit by unit rather than given a bigger buffer.
const ENCODE_UP_TO = 1024;
const encoder = new TextEncoder();
// Up to 3 UTF-8 bytes per UTF-16 unit, and zeros to round the last word up.
const bytes = new Uint8Array(3 * ENCODE_UP_TO + 4);
const words = new Int32Array(bytes.buffer);

/**
 * 32-bit hash of a string for the frequency sketch and the key table: FNV-1a over its UTF-16
 * code units, or for keys of 32 to 1,024 units MurmurHash3 over their UTF-8 bytes, four at a
 * time. Not seeded: an adversary can make keys collide, which costs speed and admission
 * accuracy, never correctness (keys are compared on every match).
 */
export function hashString(key: string): number {
  const units = key.length;
  // Small enough for V8 to inline into the key table's lookups (with the long-key path
  // written inline here, short-key writes ran 12 % slower).
  if (units >= ENCODE_FROM && units <= ENCODE_UP_TO) return hashBytes(key, units);
  let h = 0x811c9dc5;
  for (let i = 0; i < units; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

// MurmurHash3 (Appleby) over the key's UTF-8 bytes, seeded with its length in units.
function hashBytes(key: string, units: number): number {
  const written = encoder.encodeInto(key, bytes).written as number;
  bytes[written] = bytes[written + 1] = bytes[written + 2] = 0;
  let h = units;
  for (let i = 0, n = (written + 3) >>> 2; i < n; i++) {
    let k = Math.imul(words[i], 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= written;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
