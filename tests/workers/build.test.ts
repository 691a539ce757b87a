// Pool.build: a model built in a worker, which keeps it. The page's copy is the same
// graph, and the calls that follow send nothing (no 'graph' phase is reported: the
// worker rebuilds a graph only from buffers it was sent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, Graph, GraphError, models, ready } from '../../src/index.js';
import { createPool, type Progress } from '../../src/pool/index.js';
import { GraphStore } from '../../src/worker/graph-store.js';
import { exploreCoalescent } from '../../src/models/coalescent.js';
import { exploreRabbits } from '../../src/models/rabbits.js';
import type { GraphBuffers } from '../../src/graph/state-graph.js';
import { PoolError } from '../../src/pool/errors.js';

const pool = createPool({ size: 2 });
const inPool = models.inPool(pool);
beforeAll(() => ready());
afterAll(() => pool.close());

const phases = (reports: Progress[]) => new Set(reports.map((p) => p.phase));

function expectSameGraph(a: Graph, b: Graph): void {
  expect(a.vertexCount).toBe(b.vertexCount);
  expect(a.edgeCount).toBe(b.edgeCount);
  const sa = a.toBuffers(), sb = b.toBuffers();
  expect(sa.states).toEqual(sb.states);
  expect(sa.from).toEqual(sb.from);
  expect(sa.to).toEqual(sb.to);
  expect(sa.weight).toEqual(sb.weight);
  expect(sa.coefficients).toEqual(sb.coefficients);
}

describe('models built in a worker', () => {
  it('the coalescent: the same graph as built here, with progress; the next call sends nothing', async () => {
    const reports: Progress[] = [];
    const g = await inPool.coalescent(14, { onProgress: (p) => reports.push(p) });
    expectSameGraph(g, models.coalescent(14));
    expect(reports.at(-1)).toMatchObject({ phase: 'graph', done: g.vertexCount, total: g.vertexCount });
    const after: Progress[] = [];
    expect(await pool.expectation(g, { theta: [1.5], onProgress: (p) => after.push(p) })).toBe(g.expectation({ theta: [1.5] }));
    expect(phases(after).has('graph')).toBe(false);
  });

  it('the rabbits model, and distributions on it', async () => {
    const g = await inPool.rabbits(6);
    expectSameGraph(g, models.rabbits(6));
    const times = [0.2, 1, 3];
    expect(await pool.cdf(g, times, { theta: [1, 0.5, 0.8] })).toEqual(g.cdf(times, { theta: [1, 0.5, 0.8] }));
  });

  it('a graph changed on this side after the build is sent again, and computes as changed', async () => {
    const g = await inPool.coalescent(5);
    const { rowPtr } = g.structure();
    const absorbing = Array.from({ length: g.vertexCount }, (_, v) => v).find((v) => v > 0 && rowPtr[v + 1] === rowPtr[v])!;
    const extra = g.findOrCreateVertex(Array.from({ length: g.stateLength }, () => 7));
    g.vertex(1).addEdge(extra, 0.5); // a detour out of the first state
    extra.addEdge(g.vertex(absorbing), 1);
    const reports: Progress[] = [];
    expect(await pool.expectation(g, { theta: [1], onProgress: (p) => reports.push(p) })).toBe(g.expectation({ theta: [1] }));
    expect(phases(reports).has('graph')).toBe(true);
  });

  it('bad arguments are the errors the models throw, from the worker', async () => {
    await expect(inPool.coalescent(1)).rejects.toBeInstanceOf(RangeError);
    await expect(inPool.rabbits(2.5)).rejects.toBeInstanceOf(RangeError);
    const unknown = await pool.build('model', { name: 'nope' as 'coalescent', size: 3 }, (b) => Graph.fromOwnBuffers(b)).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(GraphError);
    expect(unknown).toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(String((unknown as Error).message)).toContain('nope');
  });

  it('an abort stops the exploration in its worker; the pool builds again afterwards', async () => {
    const controller = new AbortController();
    const building = inPool.coalescent(60, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(building).rejects.toBeInstanceOf(AbortError);
    const g = await inPool.coalescent(6);
    expect(await pool.expectation(g, { theta: [1] })).toBeCloseTo(2 * (1 - 1 / 6), 12);
  });
});

describe('a pool keeping one graph per worker', () => {
  it('evicts an older built graph and sends it again when asked', async () => {
    const small = createPool({ size: 1, graphsPerWorker: 1 });
    try {
      const a = await models.inPool(small).coalescent(7);
      const b = await models.inPool(small).rabbits(4);
      const reports: Progress[] = [];
      expect(await small.expectation(a, { theta: [2], onProgress: (p) => reports.push(p) })).toBe(a.expectation({ theta: [2] }));
      expect(phases(reports).has('graph')).toBe(true); // a was dropped when b was built
      expect(await small.expectation(b, { theta: [1, 1, 1] })).toBe(b.expectation({ theta: [1, 1, 1] }));
    } finally {
      await small.close();
    }
  });
});

describe('adopting a built graph on the page', () => {
  it('a kernel-built graph carries its row pointers, and is adopted with the same structure as built here', () => {
    const built = models.coalescent(9);
    const b = built.toBuiltBuffers();
    expect(b.rowPtr).toEqual(built.structure().rowPtr);
    const adopted = Graph.fromBuiltBuffers(b);
    expectSameGraph(adopted, models.coalescent(9));
    expect(adopted.structure().rowPtr).toEqual(built.structure().rowPtr);
    expect(adopted.expectation({ theta: [1.3] })).toBe(built.expectation({ theta: [1.3] }));
  });

  it('a graph built edge by edge, or changed after its build, carries none: it is checked as any buffers are', () => {
    const byEdges = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 2]] });
    byEdges.structure();
    expect(byEdges.toBuiltBuffers().rowPtr).toBeUndefined();
    const changed = models.coalescent(4);
    changed.vertex(1).addEdge(changed.vertex(2), 0.25);
    expect(changed.toBuiltBuffers().rowPtr).toBeUndefined();
  });

  it('row pointers that do not fit the buffers fall back to the checked path, which names the problem', () => {
    const b = models.coalescent(5).toBuiltBuffers();
    expect(() => Graph.fromBuiltBuffers({ ...b, rowPtr: b.rowPtr!.subarray(1) , to: Int32Array.from(b.to, () => 0) })).toThrow(GraphError);
    // With the edges' sources along, the checked path rebuilds the graph from them.
    const sources = () => models.coalescent(5).toBuffers().from;
    const good = models.coalescent(5).toBuiltBuffers();
    expectSameGraph(Graph.fromBuiltBuffers({ ...good, from: sources(), rowPtr: new Int32Array(3) }), models.coalescent(5));
    const backwards = models.coalescent(5).toBuiltBuffers();
    const bent = backwards.rowPtr!.slice();
    [bent[2], bent[3]] = [bent[3], bent[2]]; // same ends, one row pointer going back
    expectSameGraph(Graph.fromBuiltBuffers({ ...backwards, from: sources(), rowPtr: bent }), models.coalescent(5));
    // Without them (as a worker sends a kernel-built graph) there is nothing to fall back on.
    const bare = models.coalescent(5).toBuiltBuffers();
    expect(bare.from.length).toBe(0);
    expect(() => Graph.fromBuiltBuffers({ ...bare, rowPtr: bent })).toThrow(/row pointers/);
    expect(() => Graph.fromBuiltBuffers({ ...bare, rowPtr: new Int32Array(3) })).toThrow(GraphError);
  });

  it('built buffers without sources are read by fromBuffers and fromOwnBuffers too (checked edge by edge)', () => {
    for (const read of [(b: GraphBuffers) => Graph.fromBuffers(b), (b: GraphBuffers) => Graph.fromOwnBuffers(b)]) {
      expectSameGraph(read(models.coalescent(7).toBuiltBuffers()), models.coalescent(7));
      expectSameGraph(read(models.rabbits(3).toBuiltBuffers()), models.rabbits(3));
      const b = models.coalescent(5).toBuiltBuffers();
      expect(() => read({ ...b, rowPtr: b.rowPtr!.map((x, i) => (i === 2 ? x + 1000 : x)) } as GraphBuffers)).toThrow(GraphError);
    }
  });

  it('a graph adopted without its sources writes them out when read, and grows as any graph does', () => {
    const g = Graph.fromBuiltBuffers(models.coalescent(6).toBuiltBuffers());
    const reference = models.coalescent(6);
    expect(g.from.subarray(0, g.edgeCount)).toEqual(reference.from.subarray(0, reference.edgeCount));
    expect(g.structure().canonical).toBeNull(); // an identity it does not store
    const h = Graph.fromBuiltBuffers(models.coalescent(6).toBuiltBuffers());
    const { rowPtr } = h.structure();
    const absorbing = Array.from({ length: h.vertexCount }, (_, v) => v).find((v) => v > 0 && rowPtr[v + 1] === rowPtr[v])!;
    const extra = h.findOrCreateVertex(Array.from({ length: h.stateLength }, () => 7));
    h.vertex(1).addEdge(extra, 0.5); // the first write: sources written out, then the edge arrays grow
    extra.addEdge(h.vertex(absorbing), 1);
    expect(h.edgeCount).toBe(reference.edgeCount + 2);
    expect(Array.from(h.from.subarray(h.edgeCount - 2, h.edgeCount))).toEqual([1, extra.index]);
    const copy = Graph.fromBuffers(h.toBuffers());
    expect(copy.expectation({ theta: [1] })).toBe(h.expectation({ theta: [1] }));
    expect(h.expectation({ theta: [1] })).not.toBe(reference.expectation({ theta: [1] }));
  });
});

describe('the worker side of a build', () => {
  it('keeps only a Graph, and says what the method answered instead', () => {
    const store = new GraphStore();
    expect(() => store.keep({ key: '', keep: 1 }, { states: [] }, 'someMethod')).toThrow(PoolError);
    expect(() => store.keep({ key: '', keep: 1 }, null, 'someMethod')).toThrow(/someMethod .* answered null/);
    const g = models.coalescent(4);
    const buffers = store.keep({ key: '', keep: 9 }, g, 'model');
    expect(store.keys()).toEqual([`9:${g.vertexCount + g.edgeCount}`]);
    expect(buffers.states).toEqual(g.toBuffers().states);
    expect(buffers.states.buffer).not.toBe((g as unknown as { states: Int32Array }).states.buffer); // a copy: the store keeps the original
  });

  it('a model left in kernel memory: answered at once, kept as a Graph from its own copy once the answer has gone or at first use', async () => {
    const store = new GraphStore();
    const explored = exploreCoalescent(12)!;
    const buffers = store.keep({ key: '', keep: 3 }, explored, 'model');
    const key = `3:${explored.vertexCount + explored.edgeCount}`;
    expect(store.keys()).toEqual([key]);
    expect(buffers.from.length).toBe(0); // the row pointers stand for the sources
    expectSameGraph(Graph.fromBuiltBuffers(buffers), models.coalescent(12));
    // First use before the worker was idle: the Graph is made then, and the kernel copy freed.
    const first = store.resolve({ key }, () => {});
    expectSameGraph(first, models.coalescent(12));
    expect(() => explored.canonical()).toThrow(/freed/);
    expect(store.resolve({ key }, () => {})).toBe(first);
    // Once the answer has gone (serve() calls runAfterReply then): made there, not before.
    const later = exploreCoalescent(9)!;
    store.keep({ key: '', keep: 4 }, later, 'model');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(later.canonical().rowPtr.length).toBe(later.vertexCount + 1);
    store.runAfterReply();
    expect(() => later.canonical()).toThrow(/freed/);
    // Dropped before either: its kernel memory is freed with it.
    const dropped = exploreRabbits(5)!;
    store.keep({ key: '', keep: 5 }, dropped, 'model');
    const droppedKey = `5:${dropped.vertexCount + dropped.edgeCount}`;
    store.forget([droppedKey]);
    expect(() => dropped.canonical()).toThrow(/freed/);
    expect(store.keys()).not.toContain(droppedKey);
    store.runAfterReply(); // its deferred copy finds nothing, and throws nothing
  });

  it('a model method called without a build answers plain buffers, and frees its kernel copy', async () => {
    const b = await pool.call('model', null, { name: 'rabbits', size: 4 });
    expectSameGraph(Graph.fromBuffers(b as unknown as GraphBuffers), models.rabbits(4));
  });
});
