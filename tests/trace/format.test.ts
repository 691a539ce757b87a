// The binary trace format: round trip, and every way bytes can be wrong.
import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, TraceError } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { checksum32, decodeTrace, encodeTrace, readTraceHeader } from '../../src/trace/format.js';
import { structuralHash, TRACE_FORMAT_VERSION } from '../../src/trace/structural-hash.js';

beforeAll(() => ready());

async function encoded(N = 8) {
  const graph = models.rabbits(N);
  const trace = Trace.record(graph.structure());
  const hash = await structuralHash(graph.structure());
  return { graph, trace, hash, bytes: encodeTrace(trace, hash) };
}

// A copy of `bytes` with the int32 at `offset` set to `value` and the checksum made right again: a forged record.
function forge(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const forged = bytes.slice();
  const view = new DataView(forged.buffer);
  view.setInt32(offset, value, true);
  const covered = new Uint8Array(forged.byteLength - 4);
  covered.set(forged.subarray(0, 60));
  covered.set(forged.subarray(64), 60);
  view.setUint32(60, checksum32(covered), true);
  return forged;
}

function code(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return e instanceof TraceError ? e.code : `not a TraceError: ${String(e)}`; }
  return undefined;
}

describe('trace format', () => {
  test('a decoded trace evaluates exactly like the recorded one', async () => {
    const { graph, trace, hash, bytes } = await encoded();
    const back = decodeTrace(bytes);
    expect(back.hash).toBe(hash);
    expect(new TraceModel(back.trace, graph).moments(3, { theta: [1, 2, 4] })).toEqual(new TraceModel(trace, graph).moments(3, { theta: [1, 2, 4] }));
  });

  test('the header states version, hash and counts; ops take 16 bytes each', async () => {
    const { trace, hash, bytes } = await encoded();
    const h = readTraceHeader(bytes);
    const s = trace.stats();
    expect(h).toMatchObject({ version: TRACE_FORMAT_VERSION, hash, vertices: s.vertices, inputs: s.inputs, ops: s.ops, commands: s.commands, discrete: false });
    expect(bytes.byteLength).toBe(s.bytes);
    expect(64 + 4 * (s.vertices + 1 + s.inputs + s.vertices) + 16 * s.ops + 12 * s.commands).toBe(s.bytes);
  });

  test('a flipped payload byte is caught by the checksum', async () => {
    const { bytes } = await encoded();
    const bad = bytes.slice();
    bad[bad.length - 5] ^= 0x40;
    expect(code(() => decodeTrace(bad))).toBe('CHECKSUM_MISMATCH');
  });

  test('every byte but the checksum\'s own is covered: a flip anywhere in the header is caught too (the discrete flag at 56, the hash, the counts)', async () => {
    const { bytes } = await encoded();
    for (const offset of [8, 39, 40, 48, 52, 56, 57, 59]) {
      const bad = bytes.slice();
      bad[offset] ^= 0x01;
      // A changed count makes the length disagree (TRUNCATED) before the checksum is read.
      expect(['CHECKSUM_MISMATCH', 'TRUNCATED']).toContain(code(() => decodeTrace(bad)));
    }
    const flag = bytes.slice();
    flag[56] ^= 0x01;
    expect(code(() => decodeTrace(flag))).toBe('CHECKSUM_MISMATCH');
  });

  test('a forged record whose checksum is right but whose indices point outside its arrays is refused, not used', async () => {
    const { bytes } = await encoded();
    const { vertices: n, inputs: m } = readTraceHeader(bytes);
    const forged = forge(bytes, 64 + 4 * (n + 1 + m) + 4, 0x7fff_ffff); // the first op's first operand
    expect(code(() => decodeTrace(forged))).toBe('MALFORMED');
  });

  test('every kind of out-of-range index in a forged record is refused: opcodes, each operand slot (unused ones are 0), commands and scales', async () => {
    const { bytes } = await encoded();
    const h = readTraceHeader(bytes);
    const { vertices: n, inputs: m, ops, commands } = h;
    const opsAt = 64 + 4 * (n + 1 + m), dstAt = opsAt + 16 * ops, srcAt = dstAt + 4 * commands, slotAt = srcAt + 4 * commands, scaleAt = slotAt + 4 * commands;
    const nvals = m + 1 + ops;
    const words = new DataView(bytes.buffer, bytes.byteOffset);
    // The last op (its own value is m + 1 + ops − 1: its operands must be below that) and a command in the middle.
    const last = opsAt + 16 * (ops - 1), here = m + ops, mid = commands >> 1;
    const cases: [string, number, number][] = [
      ['opcode 0', last, 0], ['opcode 5', last, 5],
      ['operand 1 = its own value', last + 4, here], ['operand 2 = its own value', last + 8, here], ['operand 3 = its own value', last + 12, here],
      ['operand 2 negative', opsAt + 8, -1],
      ['dst = n', dstAt + 4 * mid, n], ['dst = −1', dstAt + 4 * mid, -1],
      ['src = n', srcAt + 4 * mid, n], ['src = −2', srcAt + 4 * mid, -2], ['src = INT32_MAX', srcAt + 4 * mid, 0x7fff_ffff],
      ['slot = values', slotAt + 4 * mid, nvals], ['slot = −1', slotAt + 4 * mid, -1],
      ['scale slot = values', scaleAt + 4 * (n - 1), nvals], ['scale slot = −1', scaleAt, -1],
    ];
    for (const [what, offset, value] of cases) expect([what, code(() => decodeTrace(forge(bytes, offset, value)))]).toEqual([what, 'MALFORMED']);
    // In range but changed (an earlier value, a scaling's src −1 kept): decoded, not refused.
    const ok = (offset: number, value: number) => { const { trace } = decodeTrace(forge(bytes, offset, value)); trace.dispose(); };
    expect(() => ok(last + 4, here - 1)).not.toThrow();
    expect(() => ok(srcAt + 4 * mid, words.getInt32(srcAt + 4 * mid, true) < 0 ? -1 : n - 1)).not.toThrow();
    expect(() => ok(slotAt + 4 * mid, nvals - 1)).not.toThrow();
  });

  test('a forged record whose structure is not a CSR of its vertices is refused (column out of range, negative, row pointer going back)', async () => {
    const { bytes } = await encoded();
    const { vertices: n } = readTraceHeader(bytes);
    const colAt = 64 + 4 * (n + 1);
    expect(code(() => decodeTrace(forge(bytes, colAt, n)))).toBe('MALFORMED');
    expect(code(() => decodeTrace(forge(bytes, colAt, -1)))).toBe('MALFORMED');
    expect(code(() => decodeTrace(forge(bytes, 64 + 4, 1 << 20)))).toBe('MALFORMED'); // rowPtr[1] past rowPtr[2]
    expect(code(() => decodeTrace(forge(bytes, 64, 1)))).toBe('MALFORMED'); // rowPtr[0] ≠ 0
  });

  test('bad magic, another format version and truncation are refused with their own codes', async () => {
    const { bytes } = await encoded();
    const magic = bytes.slice(); magic[0] = 0x58;
    const version = bytes.slice(); new DataView(version.buffer).setUint32(4, TRACE_FORMAT_VERSION + 1, true);
    expect(code(() => decodeTrace(magic))).toBe('BAD_MAGIC');
    expect(code(() => decodeTrace(version))).toBe('VERSION_MISMATCH');
    expect(code(() => decodeTrace(bytes.subarray(0, bytes.length - 4)))).toBe('TRUNCATED');
    expect(code(() => decodeTrace(bytes.subarray(0, 10)))).toBe('TRUNCATED');
  });

  test('a trace is refused for a graph of another structure', async () => {
    const { trace } = await encoded(8);
    expect(code(() => new TraceModel(trace, models.rabbits(9)))).toBe('STRUCTURE_MISMATCH');
  });
});

describe('checksums and hashes', () => {
  test('the checksum is the low 32 bits of XXH64 (checked against hash-wasm) for every length 0..80', async () => {
    const { checksum32 } = await import('../../src/trace/format.js');
    const { xxhash64 } = await import('hash-wasm');
    for (let len = 0; len <= 80; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
      const expected = parseInt((await xxhash64(bytes)).slice(-8), 16);
      expect(checksum32(bytes)).toBe(expected);
    }
  });

  test('the WebCrypto SHA-256 and hash-wasm give the same structural hash', async () => {
    const { sha256 } = await import('hash-wasm');
    const { sha256Hex, structuralEncoding } = await import('../../src/trace/structural-hash.js');
    const bytes = structuralEncoding(models.rabbits(12).structure());
    expect(await sha256Hex(bytes)).toBe(await sha256(bytes));
  });
});
