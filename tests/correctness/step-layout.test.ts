// The stepper's row layouts (wasm-src/distribution.c): padded rows, chosen on large graphs
// whose in-degrees change from row to row, must step exactly the bits plain rows step,
// including rows longer than the width and rows with no incoming edge.
import { beforeAll, describe, expect, it } from 'vitest';
import { models, ready, type Graph } from '../../src/index.js';
import { Stepper, stepMatrix, type StepMatrix } from '../../src/distributions/stepper.js';
import { buildGraph, randomSpec } from './fixtures.js';

beforeAll(() => ready());

/** a_k and b_k of `steps` steps under the given layout width (−1: the kernel's choice), and the width used. */
function stepped(m: StepMatrix, steps: number, width: number): { a: number[]; b: number[]; width: number } {
  const s = new Stepper(m, 0, width);
  try {
    const a: number[] = [], b: number[] = [];
    while (a.length < steps) {
      const chunk = s.next(Math.min(37, steps - a.length));
      if (chunk.count === 0) break;
      a.push(...chunk.a);
      b.push(...chunk.b);
    }
    return { a, b, width: s.width };
  } finally {
    s.free();
  }
}

/** The stepping matrix of `graph` at θ, scaled by its largest exit rate (plain uniformisation). */
function matrixOf(graph: Graph, theta: number[]): StepMatrix {
  const csr = graph.csrAt(theta);
  let lambda = 0;
  for (let v = 1; v < csr.vertexCount; v++) lambda = Math.max(lambda, csr.exitRate[v]);
  return stepMatrix(csr, lambda);
}

describe('stepping layouts', () => {
  const large = matrixOf(models.randomCyclic({ vertices: 20000, params: 2, seed: 1 }), [1, 1]);

  it('pads the rows of a large random cyclic graph, and every width steps the bits of plain rows', () => {
    const plain = stepped(large, 120, 0);
    expect(plain.width).toBe(0);
    expect(plain.a.length).toBe(120);
    // Rows longer than every width here, and rows with no incoming edge: both layouts' edge cases.
    const degrees = Array.from({ length: large.count }, (_, i) => large.inPtr[i + 1] - large.inPtr[i]);
    expect(Math.max(...degrees)).toBeGreaterThan(4);
    expect(degrees.filter((d) => d === 0).length).toBeGreaterThan(0);
    const chosen = stepped(large, 120, -1);
    expect(chosen.width).toBeGreaterThan(0);
    for (const width of [1, 2, 3, 4]) {
      const padded = width === chosen.width ? chosen : stepped(large, 120, width);
      expect(padded.width).toBe(width);
      expect(padded.a).toEqual(plain.a);
      expect(padded.b).toEqual(plain.b);
    }
  });

  it('keeps plain rows where padding would not pay: small graphs, regular in-degrees, wide rows', () => {
    expect(stepped(matrixOf(models.randomCyclic({ vertices: 2000, params: 2, seed: 1 }), [1, 1]), 1, -1).width).toBe(0);
    expect(stepped(matrixOf(models.rabbits(200), [1, 2, 4]), 1, -1).width).toBe(0);
    expect(stepped(matrixOf(models.coalescent(35), [1]), 1, -1).width).toBe(0);
  });

  it('forced widths on small random graphs step the same bits as plain rows', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const m = matrixOf(buildGraph(randomSpec({ seed, vertices: 8 + (seed % 12), params: 2, absorbing: seed % 2 ? 1 : 2, defective: seed % 3 === 0 })), [0.7, 1.9]);
      const plain = stepped(m, 60, 0);
      for (const width of [1, 3, 4]) {
        const padded = stepped(m, 60, width);
        expect(padded.a).toEqual(plain.a);
        expect(padded.b).toEqual(plain.b);
      }
    }
  });
});
