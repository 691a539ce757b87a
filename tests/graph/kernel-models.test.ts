// The built-in models explored in the kernel (wasm-src/models.c) are the same graphs as
// exploring their transitions in TypeScript: same states in the same vertex order, same
// canonical structure; and the exploration reports progress and honours an abort.
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortError, Graph, GraphError, models, ready } from '../../src/index.js';
import { coalescentByCallback, exploreCoalescent } from '../../src/models/coalescent.js';
import { rabbitsByCallback } from '../../src/models/rabbits.js';
import { trappedVertex } from '../../src/graph/rates.js';
import { coalescentVertices, rabbitsVertices } from '../../src/models/state-count.js';

beforeAll(() => ready());

function expectSameGraph(kernelBuilt: Graph, byCallback: Graph): void {
  expect(kernelBuilt.vertexCount).toBe(byCallback.vertexCount);
  expect(kernelBuilt.toBuffers().states).toEqual(byCallback.toBuffers().states);
  const a = kernelBuilt.structure(), b = byCallback.structure();
  expect(a.rowPtr).toEqual(b.rowPtr);
  expect(a.col).toEqual(b.col);
  expect(a.base).toEqual(b.base);
  expect(a.coef).toEqual(b.coef);
  expect(a.hasOutEdge).toEqual(b.hasOutEdge);
  // The kernel's models skip the per-graph absorption search (markAbsorbing): it must hold.
  expect(trappedVertex(a.vertexCount, a.rowPtr, a.col, null)).toBe(-1);
}

describe('models built in the kernel', () => {
  it.each([2, 3, 5, 8, 13, 20])('coalescent n = %i equals the TypeScript exploration', (n) => {
    expectSameGraph(models.coalescent(n), coalescentByCallback(n));
  });

  it.each([1, 2, 7, 30])('rabbits N = %i equals the TypeScript exploration', (N) => {
    expectSameGraph(models.rabbits(N), rabbitsByCallback(N));
  });

  it('gives the same moments and the same JSON as the TypeScript exploration', () => {
    const k = models.coalescent(9), t = coalescentByCallback(9);
    expect(k.moments(3, { theta: [1.3] })).toEqual(t.moments(3, { theta: [1.3] }));
    const kj = k.toJSON(), tj = t.toJSON();
    const key = (e: unknown) => JSON.stringify(e);
    expect(kj.vertices).toEqual(tj.vertices);
    expect(kj.edges.map(key).sort()).toEqual(tj.edges.map(key).sort());
  });

  it('stays an ordinary graph: a vertex found by state, an edge added, the structure recomputed', () => {
    const g = models.rabbits(3), t = rabbitsByCallback(3);
    const v = g.findVertex([3, 0]);
    expect(v?.index).toBe(1);
    const before = g.structure().col.length;
    for (const x of [g, t]) x.addEdge(1, x.findVertex([1, 2])!.index, 0.5);
    expect(g.structure().col.length).toBe(before + 1);
    expect(g.expectation({ theta: [1, 2, 4] })).toBeCloseTo(t.expectation({ theta: [1, 2, 4] }), 14);
    expect(g.expectation({ theta: [1, 2, 4] })).not.toBeCloseTo(models.rabbits(3).expectation({ theta: [1, 2, 4] }), 6);
  });

  it('reports progress, ending at the vertex count', () => {
    const seen: Array<{ done: number; total: number }> = [];
    const g = models.coalescent(30, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toEqual({ done: g.vertexCount, total: g.vertexCount });
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
  });

  it('stops with AbortError when aborted between slices, and frees its kernel memory', () => {
    const controller = new AbortController();
    const run = () => models.coalescent(40, { signal: controller.signal, onProgress: () => controller.abort() });
    expect(run).toThrow(AbortError);
    const before = models.coalescent(10).vertexCount;
    expect(before).toBe(43);
  });

  it('refuses at once sizes whose state space cannot be built: too many states, or too many bytes of them', () => {
    expect(() => models.coalescent(5000)).toThrow(/coalescent\(5000\) has more than 1e12 states/);
    expect(() => models.coalescent(120)).toThrow(expect.objectContaining({ code: 'STATE_SPACE_TOO_LARGE', message: expect.stringContaining('1.84e+9 states') }));
    expect(() => models.coalescent(75)).toThrow(/8,118,265 states of 75 integers: 2\.3 GiB/);
    expect(() => models.rabbits(7000)).toThrow(expect.objectContaining({ code: 'STATE_SPACE_TOO_LARGE' }));
  });

  it('counts the states it refuses by: p(n) + 1 for the coalescent, (N+1)(N+2)/2 + 1 for rabbits', () => {
    for (const n of [2, 5, 10, 20, 30]) expect(coalescentVertices(n)).toBe(models.coalescent(n).vertexCount);
    for (const N of [1, 4, 50]) expect(rabbitsVertices(N)).toBe(models.rabbits(N).vertexCount);
  });
});

describe('graphs crossing to a worker as buffers', () => {
  it('a kernel-built model comes back from its buffers as the same graph', () => {
    const g = models.coalescent(12);
    expectSameGraph(Graph.fromBuffers(g.toBuffers()), g);
  });

  it('an explored model sent away as buffers gives the graph\'s buffers and frees its kernel memory (nothing adopted)', () => {
    const explored = exploreCoalescent(12)!;
    const buffers = explored.toBuffers();
    expectSameGraph(Graph.fromBuffers(buffers), models.coalescent(12));
    expect(() => explored.canonical()).toThrow(/freed/);
  });

  it('canonical buffers with two equal states are DUPLICATE_STATE', () => {
    const b = models.rabbits(3).toBuffers();
    b.states.set(b.states.subarray(2, 4), 4); // vertex 2 gets vertex 1's state
    expect(() => Graph.fromBuffers(b)).toThrow(GraphError);
    expect(() => Graph.fromBuffers(b)).toThrow(/DUPLICATE|belongs to vertices 1 and 2/);
  });

  it('canonical buffers with a non-finite rate get the edge-by-edge checks and their message', () => {
    const b = models.rabbits(3).toBuffers();
    b.coefficients[3] = Number.NaN;
    expect(() => Graph.fromBuffers(b)).toThrow(/not a finite number/);
  });

  it('buffers whose edge arrays disagree in length, or are not typed arrays, are BAD_ARGUMENT naming the lengths (no edge goes missing unnoticed)', () => {
    const b = models.coalescent(5).toBuffers();
    for (const bad of [{ ...b, from: new Int32Array(0) }, { ...b, to: b.to.subarray(1) }, { ...b, weight: b.weight.subarray(1) }, { ...b, coefficients: b.coefficients.subarray(1) }])
      expect(() => Graph.fromBuffers(bad)).toThrow(/disagree on the number of edges: from has \d+, to \d+, weight \d+, coefficients \d+/);
    expect(() => Graph.fromBuffers({ ...b, from: Array.from(b.from) as unknown as Int32Array })).toThrow(/need typed arrays .*from is \[0,1/);
    for (const bad of [null, 'buffers', 7]) expect(() => Graph.fromBuffers(bad as never)).toThrow(expect.objectContaining({ name: 'GraphError', code: 'BAD_ARGUMENT' }));
  });

  it('buffers in any edge order still rebuild the same graph', () => {
    const g = models.rabbits(4), b = g.toBuffers();
    const order = Array.from(b.from.keys()).reverse();
    const shuffled = { ...b, from: Int32Array.from(order, (e) => b.from[e]), to: Int32Array.from(order, (e) => b.to[e]), weight: Float64Array.from(order, (e) => b.weight[e]),
      coefficients: Float64Array.from(order.flatMap((e) => Array.from(b.coefficients.subarray(e * 3, e * 3 + 3)))) };
    expectSameGraph(Graph.fromBuffers(shuffled), g);
  });
});

describe('buffers adopted whole against the same buffers built edge by edge', () => {
  /** The graph addEdge builds from `b`, or the error it throws. */
  function edgeByEdge(b: ReturnType<Graph['toBuffers']>): Graph | GraphError {
    try {
      const L = b.stateLength, p = b.paramLength;
      const g = new Graph({ stateLength: L, paramLength: p, startState: b.states.subarray(0, L) });
      for (let i = 1; i < b.states.length / L; i++) g.createVertex(b.states.subarray(i * L, (i + 1) * L));
      for (let e = 0; e < b.from.length; e++) g.addEdge(b.from[e], b.to[e], b.weight[e], p ? b.coefficients.subarray(e * p, (e + 1) * p) : undefined);
      return g;
    } catch (e) {
      if (e instanceof GraphError) return e;
      throw e;
    }
  }
  const copy = (b: ReturnType<Graph['toBuffers']>) => ({ ...b, states: b.states.slice(), from: b.from.slice(), to: b.to.slice(), weight: b.weight.slice(), coefficients: b.coefficients.slice() });
  const mutations: [string, (b: ReturnType<Graph['toBuffers']>, e: number) => void][] = [
    ['a target out of range', (b, e) => { b.to[e] = b.states.length; }],
    ['an edge into the start vertex', (b, e) => { b.to[e] = 0; }],
    ['a self-loop', (b, e) => { b.to[e] = b.from[e]; }],
    ['a duplicate edge', (b, e) => { if (e > 0) { b.from[e] = b.from[e - 1]; b.to[e] = b.to[e - 1]; } }],
    ['edges out of order', (b, e) => { if (e > 0) { const t = b.to[e]; b.to[e] = b.to[e - 1]; b.to[e - 1] = t; const f = b.from[e]; b.from[e] = b.from[e - 1]; b.from[e - 1] = f; } }],
    ['a negative source', (b, e) => { b.from[e] = -1; }],
    ['a NaN rate', (b, e) => { b.weight[e] = Number.NaN; }],
    ['an infinite rate', (b, e) => { b.weight[e] = Number.POSITIVE_INFINITY; }],
    ['a −0 rate', (b, e) => { b.weight[e] = -0; }],
    ['a NaN coefficient', (b, e) => { b.coefficients[e * b.paramLength] = Number.NaN; }],
    ['a −0 coefficient', (b, e) => { b.coefficients[e * b.paramLength] = -0; }],
  ];
  it.each(mutations)('%s: the same graph, or a GraphError both ways', (_, mutate) => {
    const original = models.rabbits(3).toBuffers();
    for (const e of [0, 1, Math.floor(original.from.length / 2), original.from.length - 1]) {
      const b = copy(original);
      mutate(b, e);
      const want = edgeByEdge(copy(b));
      for (const adopt of [(x: typeof b) => Graph.fromBuffers(x), (x: typeof b) => Graph.fromOwnBuffers(x)]) {
        let got: Graph | GraphError;
        try { got = adopt(copy(b)); } catch (err) { if (!(err instanceof GraphError)) throw err; got = err; }
        if (want instanceof GraphError) expect(got, `edge ${e}`).toBeInstanceOf(GraphError);
        else if (got instanceof GraphError) throw new Error(`edge ${e}: adopted buffers threw ${got.message}, edge by edge did not`);
        else {
          const x = got.structure(), y = want.structure();
          expect(x.rowPtr).toEqual(y.rowPtr); expect(x.col).toEqual(y.col); expect(x.base).toEqual(y.base); expect(x.coef).toEqual(y.coef);
        }
      }
    }
  });
});

describe('buffers with a −0 rate', () => {
  it('rebuild the same structure whether adopted whole or edge by edge (−0 becomes +0 in both)', () => {
    const b = models.coalescent(4).toBuffers(); // canonical: edges sorted, no parallels
    b.weight[b.weight.length - 1] = -0;
    const base = Graph.fromBuffers(b).structure().base;
    expect(Object.is(base[base.length - 1], 0)).toBe(true);
  });
});
