// The structural hash: the trace cache key covers the structure, never the rates.
import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, Graph, GraphError } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { structuralEncoding, structuralHash, TRACE_FORMAT_VERSION } from '../../src/trace/structural-hash.js';

beforeAll(() => ready());

function threeState(rates: { a: number; b: number; c: number[] }, order: 'ab' | 'ba' = 'ab'): Graph {
  const g = new Graph({ stateLength: 1, paramLength: 1 });
  const [v1, v2, v3] = [1, 2, 3].map((i) => g.findOrCreateVertex([i]));
  g.start.addEdge(v1, 1, [0]);
  if (order === 'ab') { v1.addEdge(v2, rates.a, [0]); v1.addEdge(v3, rates.b, rates.c); }
  else { v1.addEdge(v3, rates.b, rates.c); v1.addEdge(v2, rates.a, [0]); }
  v2.addEdge(v1, 1, [0]);
  v2.addEdge(v3, 2, [0]);
  return g;
}

describe('structural hash', () => {
  test('the same model built twice hashes the same (64 hex digits)', async () => {
    const [a, b] = [await structuralHash(models.coalescent(8).structure()), await structuralHash(models.coalescent(8).structure())];
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  test('edge insertion order does not change the hash', async () => {
    expect(await structuralHash(threeState({ a: 1, b: 2, c: [0] }, 'ab').structure()))
      .toBe(await structuralHash(threeState({ a: 1, b: 2, c: [0] }, 'ba').structure()));
  });

  test('rates and coefficients do not change the hash, and the cached trace still answers right', async () => {
    const original = threeState({ a: 1, b: 2, c: [0] });
    const changed = threeState({ a: 5, b: 0.5, c: [3] });
    expect(await structuralHash(changed.structure())).toBe(await structuralHash(original.structure()));
    // phasic's key ignored constant rates and served a stale answer; ours never depends on them.
    const cachedTrace = Trace.record(original.structure());
    const ev = new TraceModel(cachedTrace, changed);
    expect(ev.expectation({ theta: [2] })).toBeCloseTo(changed.expectation({ theta: [2] }), 14);
    expect(ev.expectation({ theta: [2] })).not.toBeCloseTo(original.expectation({ theta: [2] }), 3);
  });

  test('a different structure (one more edge, or discrete) hashes differently', async () => {
    const base = await structuralHash(models.rabbits(4).structure());
    expect(await structuralHash(models.rabbits(5).structure())).not.toBe(base);
    const g = threeState({ a: 1, b: 2, c: [0] });
    const h1 = await structuralHash(g.structure());
    g.vertex(3).addEdge(g.vertex(1), 1, [0]);
    expect(await structuralHash(g.structure())).not.toBe(h1);
  });

  test('the encoding is fixed-width little-endian: version, n, start, discrete, m, then the CSR (rowPtr, col)', () => {
    const g = models.coalescent(2);
    const words = new Uint32Array(structuralEncoding(g.structure()).buffer);
    expect(Array.from(words)).toEqual([TRACE_FORMAT_VERSION, 3, 0, 0, 2, 0, 1, 2, 2, 1, 2]);
  });
});

describe('rates that change the structure at evaluation time', () => {
  test('a zero rate that traps a vertex is a clear NO_EXIT_AT_THETA error, not NaN', () => {
    const g = new Graph({ stateLength: 1, paramLength: 1 });
    const [v1, v2, v3] = [1, 2, 3].map((i) => g.findOrCreateVertex([i]));
    g.start.addEdge(v1, 1, [0]);
    v1.addEdge(v2, 1, [0]);
    v2.addEdge(v1, 1, [0]);
    v2.addEdge(v3, 0, [1]); // the only way out has rate θ
    const ev = new TraceModel(Trace.record(g.structure()), g);
    expect(ev.expectation({ theta: [2] })).toBeCloseTo(g.expectation({ theta: [2] }), 14);
    let error: unknown;
    try { ev.expectation({ theta: [0] }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).code).toBe('NO_EXIT_AT_THETA');
    expect((error as GraphError).message).toMatch(/vertex [12]/);
  });

  test('a vertex whose every rate is zero is named', () => {
    const g = new Graph({ stateLength: 1, paramLength: 1 });
    const [v1, v2] = [1, 2].map((i) => g.findOrCreateVertex([i]));
    g.start.addEdge(v1, 1, [0]);
    v1.addEdge(v2, 0, [1]);
    const ev = new TraceModel(Trace.record(g.structure()), g);
    expect(() => ev.expectation({ theta: [0] })).toThrow(/vertex 1 has out-edges but all their rates are 0/);
  });

  test('a negative rate is refused with the edge named', () => {
    const g = models.coalescent(4);
    const ev = new TraceModel(Trace.record(g.structure()), g);
    expect(() => ev.expectation({ theta: [-1] })).toThrow(GraphError);
    expect(() => ev.expectation({ theta: [-1] })).toThrow(/negative rate/);
  });
});

describe('evaluators and graph edits', () => {
  test('an evaluator refuses a graph edited after compile (no stale answers)', () => {
    const g = threeState({ a: 1, b: 2, c: [0] });
    const ev = new TraceModel(Trace.record(g.structure()), g);
    expect(ev.expectation({ theta: [1] })).toBeCloseTo(g.expectation({ theta: [1] }), 14);
    g.vertex(1).addEdge(g.vertex(3), 5, [0]);
    expect(() => ev.expectation({ theta: [1] })).toThrow(expect.objectContaining({ code: 'STALE' }));
  });

  test('a negative merged rate names every parallel edge', () => {
    const g = new Graph({ stateLength: 1, paramLength: 1 });
    const [v1, v2] = [1, 2].map((i) => g.findOrCreateVertex([i]));
    g.start.addEdge(v1, 1, [0]);
    v1.addEdge(v2, 0.5, [0.25]);
    v1.addEdge(v2, 1, [-1]);
    expect(() => g.expectation({ theta: [3] })).toThrow(/edges 1, 2 \(parallel 1 → 2, merged\) have total negative rate -0.75/);
    expect(g.expectation({ theta: [0.5] })).toBeCloseTo(1 / (0.625 + 0.5), 14);
  });
});
