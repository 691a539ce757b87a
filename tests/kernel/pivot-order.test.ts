// The pivot order inside a strongly connected component (Markowitz's rule in eliminate.c):
// fill stays small where a poor order makes the component dense, and the answers stay those
// of the dense oracle whatever the order.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, ready, Trace, TraceModel, type GraphJSON } from '../../src/index.js';
import { eliminate } from '../../src/kernel/elimination.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import { expectation } from '../oracle/continuous.js';

beforeAll(() => ready());

// Start → hub; hub ↔ each of k spokes; spokes and hub exit to one absorbing vertex. Eliminated
// before the spokes, the hub would join every spoke to every other (k² arcs).
function hubAndSpokes(k: number): GraphJSON {
  const absorbing = k + 2;
  const vertices = Array.from({ length: k + 3 }, (_, i) => [i]);
  const edges: [number, number, number, number[]][] = [[0, 1, 1, [0]], [1, absorbing, 0.5, [0]]];
  for (let s = 2; s < k + 2; s++) edges.push([1, s, 1 + (s % 3), [0]], [s, 1, 2, [1]], [s, absorbing, 0.25, [0]]);
  return { paramLength: 1, stateLength: 1, vertices, edges };
}

// A w × h lattice with moves both ways along each axis (like an island model's migration
// grid), exits from the last column.
function lattice(w: number, h: number): GraphJSON {
  const id = (x: number, y: number) => 1 + y * w + x, absorbing = 1 + w * h;
  const vertices = Array.from({ length: w * h + 2 }, (_, i) => [i]);
  const edges: [number, number, number, number[]][] = [[0, id(0, 0), 1, [0]]];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (x + 1 < w) edges.push([id(x, y), id(x + 1, y), 1, [0.5]], [id(x + 1, y), id(x, y), 0.7, [0]]);
      if (y + 1 < h) edges.push([id(x, y), id(x, y + 1), 0.3, [1]], [id(x, y + 1), id(x, y), 1.1, [0]]);
      if (x === w - 1) edges.push([id(x, y), absorbing, 0.2, [0]]);
    }
  return { paramLength: 1, stateLength: 1, vertices, edges };
}

function commandsOf(graph: Graph, theta: number[]): number {
  const csr = kernelRatesAt(graph.structure(), Float64Array.from(theta))!;
  const elimination = eliminate(csr);
  const { commands, largestComponent } = elimination.stats();
  elimination.dispose();
  csr.dispose();
  expect(largestComponent).toBeGreaterThan(1); // one component holds the cycle
  return commands;
}

describe('pivot order inside a component', () => {
  it('eliminates a hub last and renormalises it once: 3,000 spokes cost commands and tape ops in proportion to the spokes', () => {
    const graph = Graph.fromJSON(hubAndSpokes(3000));
    // Spokes first, each about 4 commands. The hub's returns through them are taken out of its
    // arcs once, when the hub itself is eliminated: the tape grows as k too, not k².
    expect(commandsOf(graph, [1])).toBeLessThan(5 * 3000);
    const trace = Trace.record(graph.structure());
    expect(trace.stats().ops).toBeLessThan(20 * 3000);
    trace.dispose();
  });

  it('keeps a 40 × 40 lattice within the fill measured for its order (regression bound)', () => {
    // 58,919 commands with Markowitz's order; Tarjan's order gave 187,358.
    const graph = Graph.fromJSON(lattice(40, 40));
    expect(commandsOf(graph, [1])).toBeLessThan(62_000);
    const trace = Trace.record(graph.structure());
    expect(trace.stats().ops).toBeLessThan(600_000); // 562,222
    trace.dispose();
  });

  it('answers E[T] as the dense inverse does, and a trace as the direct path does, bit for bit', () => {
    for (const spec of [hubAndSpokes(40), lattice(7, 6)]) {
      const graph = Graph.fromJSON(spec);
      const trace = Trace.record(graph.structure());
      const model = new TraceModel(trace, graph);
      for (const theta of [[0.5], [1], [3.7]]) {
        const { alpha, S } = graph.toMatrices(theta);
        const want = expectation(Array.from(alpha), S.map((row) => Array.from(row)));
        const got = graph.expectation({ theta });
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want);
        expect(model.expectation({ theta })).toBe(got);
      }
      trace.dispose();
    }
  });
});
