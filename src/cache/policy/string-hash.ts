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
 * 32-bit hash of a string for the frequency sketch and the key table: MurmurHash3's mix over
 * the key's UTF-8 bytes four at a time (keys of 32 to 1,024 units), else FNV-1a over its
 * UTF-16 code units; then MurmurHash3's finaliser. Not seeded: an adversary can make keys
 * collide, which costs speed and admission accuracy, never correctness (keys are compared
 * on every match).
 */
export function hashString(key: string): number {
  const units = key.length;
  let h: number;
  if (units < ENCODE_FROM || units > ENCODE_UP_TO) {
    h = 0x811c9dc5; // FNV-1a: one multiply per unit, the cheapest step for short keys
    for (let i = 0; i < units; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    const written = encoder.encodeInto(key, bytes).written as number;
    bytes[written] = bytes[written + 1] = bytes[written + 2] = 0;
    h = units;
    for (let i = 0, n = (written + 3) >>> 2; i < n; i++) h = mix(h, words[i]);
    h ^= written;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// MurmurHash3's per-block step (Appleby): scramble the block, fold it in, stir the state.
function mix(h: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
