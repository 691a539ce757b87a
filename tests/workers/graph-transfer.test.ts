// What the pool sends a worker for a graph built on this side: a graph whose storage is the
// kernel builder's canonical structure goes with its row pointers (StateGraph.toBuiltBuffers)
// and the worker adopts it without checking each edge again (coalescent n = 40, first pool
// call on such a graph: 38–47 → 27–30 ms in Node); any other graph, or one edited since it was
// built, goes as before and is checked edge by edge. Either way the answers are the in-thread
// ones, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { graphTransferables } from '../../src/pool/protocol.js';

const pool = createPool({ size: 1 });
beforeAll(() => ready());
afterAll(() => pool.close());

const times = [0.3, 1, 2.5];

describe('graphs sent to a worker', () => {
  it('a kernel-built model goes with its row pointers (transferred too); a graph built edge by edge without', () => {
    const built = models.coalescent(10).toBuiltBuffers();
    expect(built.rowPtr).toBeInstanceOf(Int32Array);
    expect(built.from.length).toBe(0);
    expect(graphTransferables(built)).toContain(built.rowPtr!.buffer);
    const g = new Graph({ stateLength: 1 });
    const a = g.findOrCreateVertex([1]);
    g.start.addEdge(a, 1);
    a.addEdge(g.findOrCreateVertex([2]), 2);
    const plain = g.toBuiltBuffers();
    expect(plain.rowPtr).toBeUndefined();
    expect(graphTransferables(plain)).toHaveLength(5);
  });

  it('the worker answers as the thread does: a kernel-built model, the same read from JSON, one edited after its build', async () => {
    const model = models.coalescent(20);
    const fromJSON = Graph.fromJSON(JSON.stringify(model.toJSON()));
    const edited = models.coalescent(12);
    // One more state after the build: the storage is no longer the built structure.
    const before = edited.vertex(edited.vertexCount - 1), state = new Array<number>(edited.stateLength).fill(0);
    state[0] = 99;
    before.addEdge(edited.findOrCreateVertex(state), 0, [1]);
    expect(edited.toBuiltBuffers().rowPtr).toBeUndefined();
    for (const g of [model, fromJSON, edited]) {
      expect(await pool.moments(g, 3, { theta: [1.4] })).toEqual(g.moments(3, { theta: [1.4] }));
      expect(Array.from(await pool.pdf(g, times, { theta: [1.4] }))).toEqual(Array.from(g.pdf(times, { theta: [1.4] })));
    }
  });
});
