// The layer-2 key: a SHA-256 of the record taken by section (header, structure, structural
// hash, target), the structure's digest kept per structure object. The key of stored bytes
// must equal the key of the specification they encode, and any change of any byte must
// change it.
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSpec, encodeSpec, evaluatorSpec, models, ready, type Target } from '../../src/index.js';
import { keyOfBytes, specKey } from '../../src/evaluate/spec.js';

beforeAll(() => ready());

const sfs = (n: number): Target => {
  const g = models.coalescent(n);
  return { kind: 'loglik', data: { counts: Array.from({ length: n - 1 }, (_, i) => 40 / (i + 1)), rewards: models.coalescentSfsRewards(g), scale: 2 } };
};

describe('specKey', () => {
  it('the key of the bytes is the key of the specification, for every target kind and backend', async () => {
    const g = models.rabbits(6);
    const targets: Target[] = [
      { kind: 'moments', k: 3 },
      { kind: 'expectations', rewards: [Array(g.vertexCount).fill(1), Array.from({ length: g.vertexCount }, (_, i) => i % 3)] },
      { kind: 'loglik', data: { times: [0.5, 1, 2] } },
    ];
    for (const target of targets)
      for (const backend of ['wasm', 'wasm-direct', 'webgpu'] as const) {
        const { spec, bytes, key } = await evaluatorSpec(g, target, backend);
        expect(await keyOfBytes(bytes)).toBe(key);
        expect(await specKey(decodeSpec(bytes))).toBe(key);
        expect(encodeSpec(decodeSpec(bytes))).toEqual(bytes);
        expect(await specKey(spec)).toBe(key);
      }
  });

  it('flipping any one byte of a record changes its key or makes it unreadable', async () => {
    const { bytes, key } = await evaluatorSpec(models.coalescent(5), sfs(5));
    let unreadable = 0;
    for (let i = 0; i < bytes.length; i++) {
      const forged = bytes.slice();
      forged[i] ^= 0x01;
      try {
        expect(await keyOfBytes(forged)).not.toBe(key);
      } catch (e) {
        expect((e as Error).name).toBe('TraceError');
        unreadable++;
      }
    }
    expect(unreadable).toBeLessThan(bytes.length);
  });

  it('a changed graph is a new structure object, so its digest is not reused', async () => {
    const g = models.coalescent(6);
    const before = (await evaluatorSpec(g, { kind: 'moments', k: 2 })).key;
    expect((await evaluatorSpec(g, { kind: 'moments', k: 2 })).key).toBe(before);
    g.addEdge(1, 2, 0.25, [0]);
    const after = await evaluatorSpec(g, { kind: 'moments', k: 2 });
    expect(after.key).not.toBe(before);
    expect(await keyOfBytes(after.bytes)).toBe(after.key);
  });

  it('two byte strings that would decode to the same text keep different keys (the structural hash is hashed as bytes)', async () => {
    const { bytes } = await evaluatorSpec(models.coalescent(5), { kind: 'moments', k: 1 });
    const n = decodeSpec(bytes).structure.vertexCount;
    // The 64 bytes of the structural hash sit just before the target section (u32 k, u32 n,
    // n f64 rewards); two invalid UTF-8 bytes at its start.
    const hashAt = bytes.length - (8 + 8 * n) - 64;
    expect(new TextDecoder().decode(bytes.subarray(hashAt, hashAt + 64))).toMatch(/^[0-9a-f]{64}$/);
    const a = bytes.slice(), b = bytes.slice();
    a[hashAt] = 0xfe;
    b[hashAt] = 0xff;
    expect(await keyOfBytes(a)).not.toBe(await keyOfBytes(b));
  });
});
