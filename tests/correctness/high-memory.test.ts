// Kernel memory past 2 GiB: pointers come out of the wasm32 exports as i32, so there they
// read as negative numbers, and a JS view at a negative offset throws RangeError. Found on
// coalescent n = 66 (2.3 million states), whose pdf failed after its E[T] had taken the
// kernel to 2 GB. Here two blocks of 1.05 GiB (allocated, never written: they cost address
// space, not memory) push every later allocation past 2 GiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, Graph, models, ready } from '../../src/index.js';
import { allocate, kernel } from '../../src/kernel/module.js';
import { PointLikelihood } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { decodeTrace, encodeTrace } from '../../src/trace/format.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';

const blocks: number[] = [];
const low = { expectation: 0, pdf: new Float64Array(0), trace: 0, logLik: 0, json: 0 };
const g = () => models.coalescent(8);

function compute() {
  const graph = g();
  const points = checkObservations({ times: [0.5, 1, 2] }, { discrete: false, vertexCount: graph.vertexCount }) as CheckedPoints;
  const likelihood = new PointLikelihood(graph.structure(), points);
  const logLik = likelihood.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(1.5) }, true).logLik[0];
  likelihood.dispose();
  return {
    expectation: graph.expectation({ theta: [1.5] }),
    pdf: graph.pdf([0.1, 1, 3], { theta: [1.5] }),
    logLik,
    json: Graph.fromJSON(JSON.stringify(graph.toJSON())).expectation({ theta: [1.5] }),
  };
}

beforeAll(async () => {
  await ready();
  Object.assign(low, compute(), { trace: (await compile(g(), { store: null })).expectation({ theta: [1.5] }) });
  for (let i = 0; i < 2; i++) blocks.push(allocate(kernel(), 1.05 * 2 ** 30));
  // Free holes below 2 GiB (kernel memory that the computations above let go) would take
  // small allocations: fill them, large pieces first, so that what follows lands high.
  for (const size of [65536, 1024, 16]) {
    for (let i = 0; i < 1_000_000; i++) {
      const p = allocate(kernel(), size);
      if (p > 2 ** 31) { kernel().pk_free(p); break; }
      blocks.push(p);
    }
  }
});
afterAll(() => { for (const b of blocks) kernel().pk_free(b); });

describe('kernel memory past 2 GiB', () => {
  it('allocations land past 2 GiB and come back as positive offsets', () => {
    const p = allocate(kernel(), 1024);
    expect(p).toBeGreaterThan(2 ** 31);
    new Float64Array(kernel().memory.buffer, p, 128).fill(1);
    kernel().pk_free(p);
  });

  it('a size pk_malloc cannot take (its int32 would wrap to a small block) is OUT_OF_MEMORY, at once', () => {
    for (const bytes of [2 ** 31, 2 ** 32 + 64, Number.NaN, Infinity])
      expect(() => allocate(kernel(), bytes)).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
  });

  it('builds, E[T], pdf, the likelihood, JSON and traces give the same numbers there', async () => {
    const high = compute();
    expect(high.expectation).toBe(low.expectation);
    expect(Array.from(high.pdf)).toEqual(Array.from(low.pdf));
    expect(high.logLik).toBe(low.logLik);
    expect(high.json).toBe(low.json);
    const model = await compile(g(), { store: null });
    expect(model.expectation({ theta: [1.5] })).toBe(low.trace);
    // The trace format's encoder reads the tape where the kernel keeps it; the decoder adopts it there.
    const graph = g();
    const decoded = decodeTrace(encodeTrace(Object.assign(model.trace, { hash: 'ab'.repeat(32) }))).trace;
    expect(new TraceModel(decoded, graph).expectation({ theta: [1.5] })).toBe(low.trace);
  });
});
