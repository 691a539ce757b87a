// The direct path's rates at θ come from the kernel (src/kernel/rates-at.ts) when it can:
// they must be the JS path's bit for bit, and anything the kernel cannot answer (a zero
// rate, a failed check) must fall to the JS path, which names the problem.
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphError, models, ready } from '../../src/index.js';
import { ratesAt } from '../../src/graph/rates.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import { buildGraph, randomSpec, randomTheta } from './fixtures.js';

beforeAll(() => ready());

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('rates at θ in the kernel', () => {
  it('equal the JS path bit for bit on random graphs, continuous and discrete, and on the models', () => {
    const graphs = [models.coalescent(12), models.rabbits(9)];
    for (let seed = 1; seed <= 40; seed++) graphs.push(buildGraph(randomSpec({ seed, vertices: 5 + (seed % 30), absorbing: seed % 2 ? 1 : 2, defective: seed % 5 === 0, params: seed % 4, discrete: seed % 3 === 0 })));
    let compared = 0;
    for (const [i, g] of graphs.entries()) {
      const theta = Float64Array.from(randomTheta(100 + i, g.paramLength, 0.2, g.discrete ? 1 : 3)); // discrete sums stay ≤ 1 for θ ≤ 1
      const s = g.structure();
      const fromKernel = kernelRatesAt(s, theta);
      const fromJs = ratesAt(s, theta);
      if (fromKernel === null) { expect(fromJs.weight.length).toBeLessThan(s.col.length); continue; } // only a zero rate declines
      compared++;
      expect(sameBits(fromKernel.weight, fromJs.weight)).toBe(true);
      expect(sameBits(fromKernel.exitRate, fromJs.exitRate)).toBe(true);
      expect(fromKernel.rowPtr).toEqual(fromJs.rowPtr);
      expect(fromKernel.col).toEqual(fromJs.col);
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('declines a θ that fails a check, and the graph then throws the JS path\'s error', () => {
    const g = models.rabbits(3);
    expect(kernelRatesAt(g.structure(), Float64Array.of(1, -1, 1))).toBeNull();
    expect(() => g.expectation({ theta: [1, -1, 1] })).toThrow(expect.objectContaining({ code: 'NEGATIVE_RATE' }));
    expect(kernelRatesAt(g.structure(), Float64Array.of(1, Number.NaN, 1))).toBeNull();
    expect(() => g.expectation({ theta: [1, Number.NaN, 1] })).toThrow(GraphError);
  });

  it('declines zero rates (dropped from the CSR by the JS path), with the same answers through the graph', () => {
    const g = models.rabbits(4);
    expect(kernelRatesAt(g.structure(), Float64Array.of(1, 0, 1))).toBeNull();
    expect(g.expectation({ theta: [1, 0, 1] })).toBe(g.at([1, 0, 1]).moments(1, new Float64Array(g.vertexCount).fill(1))[0]);
  });
});
