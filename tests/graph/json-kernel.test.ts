// The kernel's graph JSON reader (wasm-src/json.c) against the TypeScript reader: whenever
// the kernel accepts a text the graph is the TypeScript reader's, bit for bit and in the
// same vertex and edge order; whenever the TypeScript reader throws, the kernel did not
// accept, and Graph.fromJSON throws exactly the TypeScript reader's error.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, PhasekitError, models, ready } from '../../src/index.js';
import { StateGraph } from '../../src/graph/state-graph.js';
import { kernel } from '../../src/kernel/module.js';
import { readGraphJSONText } from '../../src/kernel/json-reader.js';
import { randomSpec } from '../correctness/fixtures.js';
import { mutateText, mutateValue, pick, prng, seeds } from './json-corpus.js';

beforeAll(() => ready());

type Outcome = { graph: StateGraph } | { error: unknown };

function outcome(read: () => StateGraph): Outcome {
  try {
    return { graph: read() };
  } catch (error) {
    return { error };
  }
}

/** The graph the kernel path makes of `text`, or null where Graph.fromJSON would fall back. */
function viaKernel(text: string): StateGraph | null {
  try {
    return readGraphJSONText(kernel(), text, (b) => StateGraph.fromBuffers(b));
  } catch {
    return null;
  }
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

/** Everything a graph stores, as bytes (states, edges, weights and coefficients bit for bit), and its canonical structure. */
function storage(g: StateGraph): unknown {
  const b = g.toBuffers();
  const st = g.structure();
  return {
    shape: [b.stateLength, b.paramLength, b.discrete, g.vertexCount, g.edgeCount],
    states: bytes(b.states), from: bytes(b.from), to: bytes(b.to), weight: bytes(b.weight), coefficients: bytes(b.coefficients),
    // null stands for the identity (an adopted canonical graph): compare it as one.
    structure: [st.rowPtr, st.col, st.canonical ?? Int32Array.from({ length: g.edgeCount }, (_, e) => e), st.hasOutEdge, st.base, st.coef, st.loopBase, st.loopCoef].map(bytes),
  };
}

function describeError(e: unknown): unknown {
  if (!(e instanceof PhasekitError)) return { untyped: String(e) };
  return { class: e.constructor.name, code: e.code, message: e.message, vertex: (e as GraphError).vertex, edge: (e as GraphError).edge };
}

/** Checks one text both ways; says which path Graph.fromJSON took. */
function compare(text: string): 'kernel' | 'typescript' {
  const reference = outcome(() => StateGraph.fromJSON(text));
  const fast = viaKernel(text);
  if (fast) {
    if ('error' in reference) throw new Error(`the kernel accepted a text the TypeScript reader refuses (${describeError(reference.error) as string}): ${text.slice(0, 300)}`);
    expect(storage(fast)).toEqual(storage(reference.graph));
  }
  const graph = outcome(() => Graph.fromJSON(text));
  if ('error' in reference) {
    expect('error' in graph && describeError(graph.error)).toEqual(describeError(reference.error));
  } else {
    expect('graph' in graph).toBe(true);
    if ('graph' in graph) expect(storage(graph.graph)).toEqual(storage(reference.graph));
  }
  return fast ? 'kernel' : 'typescript';
}

const text = (x: unknown) => JSON.stringify(x);

describe('the kernel JSON reader', () => {
  it('reads the built-in models exactly as the TypeScript reader does', () => {
    for (const g of [models.coalescent(4), models.coalescent(12), models.rabbits(3), models.rabbits(30), models.randomCyclic({ vertices: 300, params: 2, seed: 5 })])
      expect(compare(text(g.toJSON()))).toBe('kernel');
  });

  it('reads random graphs (weights in shortest round-trip form) exactly, continuous and discrete', () => {
    const paths: string[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const spec = randomSpec({ seed, vertices: 5 + (seed % 40), params: seed % 4, absorbing: (1 + (seed % 2)) as 1 | 2, defective: seed % 3 === 0, discrete: seed % 5 === 0 });
      const json = { paramLength: spec.paramLength, stateLength: spec.stateLength, discrete: spec.discrete, vertices: spec.states, edges: spec.edges.map(([f, t, w, c]) => (spec.paramLength ? [f, t, w, c] : [f, t, w])) };
      paths.push(compare(text(json)));
    }
    expect(paths.filter((p) => p === 'kernel').length).toBe(60);
  });

  it('reads pretty-printed text and keys in any order', () => {
    const g = models.rabbits(4).toJSON();
    expect(compare(JSON.stringify(g, null, 2))).toBe('kernel');
    expect(compare(JSON.stringify(g, null, '\t').replace(/\n/g, '\r\n'))).toBe('kernel');
    expect(compare(text({ edges: g.edges, vertices: g.vertices, discrete: g.discrete, stateLength: g.stateLength, paramLength: g.paramLength }))).toBe('kernel');
  });

  it('reads the optional parts: no paramLength, no discrete, empty coefficient lists, no edges, one vertex', () => {
    expect(compare('{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1]]}')).toBe('kernel');
    expect(compare('{"paramLength":0,"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[]]]}')).toBe('kernel');
    expect(compare('{"paramLength":2,"stateLength":2,"vertices":[[0,0]],"edges":[]}')).toBe('kernel');
    expect(compare('{"paramLength":0,"stateLength":1,"discrete":true,"vertices":[[0],[1],[2]],"edges":[[0,1,1],[1,2,0.5]]}')).toBe('kernel');
  });

  it('reads exponents, -0 in states and extreme int32 states as JSON.parse does', () => {
    expect(compare('{"stateLength":2,"vertices":[[-0,0],[-2147483648,2147483647]],"edges":[[0,1,0.0]]}')).toBe('kernel');
    expect(compare('{"stateLength":1,"vertices":[[0],[1],[2]],"edges":[[0,1,1E-1],[0,2,9e-1],[1,2,1.7976931348623157e308],[2,1,2.2250738585072014E-308]]}')).toBe('kernel');
  });

  it('leaves to the TypeScript reader what is valid but unusual: integers written 1.0 or 1e0, a repeated key, an unknown key, escapes, -0 rates', () => {
    for (const t of [
      '{"stateLength":1,"vertices":[[0],[1.0]],"edges":[[0,1,1]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1e0,1]]}',
      '{"stateLength":1.0,"vertices":[[0],[1]],"edges":[[0,1,1]]}',
      '{"stateLength":1,"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1]],"name":"x"}',
      '{"state\\u004cength":1,"vertices":[[0],[1]],"edges":[[0,1,1]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,5e-324]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,0.1000000000000000055511151231257827]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1]],"é":0}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,-0.0]]}',
      '{"stateLength":1,"paramLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[-0]]]}',
    ]) expect(compare(t)).toBe('typescript');
  });

  it('never accepts what the TypeScript reader refuses, and Graph.fromJSON throws the same error', () => {
    const refused = [
      '', ' ', '[]', 'null', '{}', '\ufeff{"stateLength":1,"vertices":[[0]],"edges":[]}', '{"stateLength":1,"vertices":[[0]],"edges":[]} x',
      '{"stateLength":1,"vertices":[[0]],"edges":[],}', '{"stateLength":1,"vertices":[[0],],"edges":[]}', '{"stateLength":1,"vertices":[[0]],"edges":[]',
      '{"stateLength":1,"vertices":[],"edges":[]}', '{"stateLength":0,"vertices":[[]],"edges":[]}', '{"stateLength":1,"vertices":[[0]]}',
      '{"stateLength":1,"paramLength":null,"vertices":[[0]],"edges":[]}', '{"stateLength":"1","vertices":[[0]],"edges":[]}',
      '{"stateLength":1,"paramLength":-1,"vertices":[[0]],"edges":[]}', '{"stateLength":99999,"vertices":[[0]],"edges":[]}',
      '{"stateLength":1,"discrete":1,"vertices":[[0]],"edges":[]}', '{"stateLength":1,"discrete":tru,"vertices":[[0]],"edges":[]}',
      '{"stateLength":1,"vertices":[[0],[01]],"edges":[]}', '{"stateLength":1,"vertices":[[0],[+1]],"edges":[]}', '{"stateLength":1,"vertices":[[0],[1.25]],"edges":[]}',
      '{"stateLength":1,"vertices":[[0],[2147483648]],"edges":[]}', '{"stateLength":1,"vertices":[[0],[[1]]],"edges":[]}',
      '{"stateLength":2,"vertices":[[0,0],[1,0],[2]],"edges":[]}', '{"stateLength":1,"vertices":[[0],[1],[2],[1]],"edges":[]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1],[1,5,2]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,-1,1]]}',
      '{"stateLength":1,"vertices":[[0],[1],[2]],"edges":[[0,1,1],[1,0,1]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1e400]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,NaN]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,.5]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1.]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1e]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,-]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,"1"]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[],2]]}',
      '{"stateLength":1,"paramLength":1,"vertices":[[0],[1],[2]],"edges":[[0,1,1,[0]],[1,2,1]]}',
      '{"stateLength":1,"paramLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[0,0]]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[2]]]}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1,[null]]]}', '{"stateLength":1,"vertices":[[0],[1]],"edges":{}}',
      '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1]]}\u0000', '{"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,1\u0000]]}',
    ];
    for (const t of refused) expect(compare(t), t).toBe('typescript');
  });

  it('agrees with the TypeScript reader on the seeded fuzz corpus (value and text mutations)', () => {
    const rnd = prng(20261201);
    const paths = { kernel: 0, typescript: 0 };
    for (let i = 0; i < 1500; i++) paths[compare(text(mutateValue(rnd, pick(rnd, seeds))))]++;
    const rndText = prng(7);
    for (let i = 0; i < 1500; i++) paths[compare(mutateText(rndText, text(pick(rndText, seeds))))]++;
    // Both paths are exercised: the corpus holds valid graphs and refused texts.
    expect(paths.kernel).toBeGreaterThan(100);
    expect(paths.typescript).toBeGreaterThan(100);
  });

  it('reports progress once, complete, when the kernel reads the text', () => {
    const reports: { done: number; total: number }[] = [];
    const g = Graph.fromJSON(text(models.coalescent(6).toJSON()), { onProgress: (p) => reports.push(p) });
    expect(reports).toEqual([{ done: g.vertexCount + g.edgeCount, total: g.vertexCount + g.edgeCount }]);
  });
});
