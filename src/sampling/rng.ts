// xoshiro128** (Blackman & Vigna): small, fast, good statistical quality,
// reproducible across engines because it only uses 32-bit integer operations.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A seeded xoshiro128** generator. */
export function seededRandom(seed: number): Random {
  // splitmix32 spreads the seed over the 128-bit state.
  let x = seed >>> 0;
  const next32 = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next32(), b = next32(), c = next32(), d = next32();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
