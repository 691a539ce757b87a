// The binary trace format: round trip, and every way bytes can be wrong.
import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, TraceError } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { decodeTrace, encodeTrace, readTraceHeader } from '../../src/trace/format.js';
import { structuralHash, TRACE_FORMAT_VERSION } from '../../src/trace/structural-hash.js';

beforeAll(() => ready());

async function encoded(N = 8) {
  const graph = models.rabbits(N);
  const trace = Trace.record(graph.structure());
  const hash = await structuralHash(graph.structure());
  return { graph, trace, hash, bytes: encodeTrace(trace, hash) };
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
  test('the payload checksum is the low 32 bits of XXH64 (checked against hash-wasm) for every length 0..80', async () => {
    const { payloadChecksum } = await import('../../src/trace/format.js');
    const { xxhash64 } = await import('hash-wasm');
    for (let len = 0; len <= 80; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
      const expected = parseInt((await xxhash64(bytes)).slice(-8), 16);
      expect(payloadChecksum(bytes)).toBe(expected);
    }
  });

  test('the WebCrypto SHA-256 and hash-wasm give the same structural hash', async () => {
    const { sha256 } = await import('hash-wasm');
    const { sha256Hex, structuralEncoding } = await import('../../src/trace/structural-hash.js');
    const bytes = structuralEncoding(models.rabbits(12).structure());
    expect(await sha256Hex(bytes)).toBe(await sha256(bytes));
  });
});
