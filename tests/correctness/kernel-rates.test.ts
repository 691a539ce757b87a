// The direct path's rates at θ come from the kernel (src/kernel/rates-at.ts) when it can:
// they must be the JS path's bit for bit, and anything the kernel cannot answer (a zero
// rate, a failed check) must fall to the JS path, which names the problem.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, Graph, GraphError, models, ready } from '../../src/index.js';
import { eliminate } from '../../src/kernel/elimination.js';
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

  it('with 2 to 5 parameters (the kernel\'s straight-line sums for 2–4), θ_i of 0 or −0 among them: the JS path\'s bits', () => {
    let compared = 0;
    const plain = new Set<number>();
    for (let params = 2; params <= 5; params++)
      for (let seed = 1; seed <= 6; seed++) {
        const g = buildGraph(randomSpec({ seed: 1000 * params + seed, vertices: 30, absorbing: 1, defective: false, params }));
        const s = g.structure();
        for (const zero of [-1, 0, params - 1]) {
          const theta = Float64Array.from(randomTheta(seed, params, 0.2, 3));
          if (zero >= 0) theta[zero] = seed % 2 ? 0 : -0;
          const fromKernel = kernelRatesAt(s, theta);
          if (fromKernel === null) continue;
          compared++;
          if (zero < 0) plain.add(params);
          expect(sameBits(fromKernel.weight, ratesAt(s, theta).weight)).toBe(true);
        }
      }
    expect(compared).toBeGreaterThan(20);
    expect([...plain].sort()).toEqual([2, 3, 4, 5]);
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

describe('rates kept in kernel memory', () => {
  it('are eliminated in place with the bits of an elimination from a JS copy', () => {
    for (const g of [models.coalescent(14), models.rabbits(12), buildGraph(randomSpec({ seed: 77, vertices: 40, absorbing: 2, defective: true, params: 2 }))]) {
      const theta = Float64Array.from(randomTheta(7, g.paramLength, 0.3, 2));
      const resident = kernelRatesAt(g.structure(), theta)!;
      const copy = { ...ratesAt(g.structure(), theta) };
      const a = eliminate(resident), b = eliminate(copy);
      const ones = new Float64Array(g.vertexCount).fill(1);
      expect(sameBits(a.moments(ones, 3), b.moments(ones, 3))).toBe(true);
      a.dispose(); b.dispose(); resident.dispose();
    }
  });

  it('stay readable after the graph moves to another θ and frees them, with the same bits', () => {
    const g = models.coalescent(10);
    const first = g.at([1.3]);
    first.moments(1, g.rewardVector()); // eliminated from the kernel's copy, never read in JS
    g.at([2]); // disposes the first
    const js = ratesAt(g.structure(), Float64Array.of(1.3));
    expect(sameBits(first.csr.weight, js.weight)).toBe(true);
    expect(sameBits(first.csr.exitRate, js.exitRate)).toBe(true);
    expect(first.moments(2, g.rewardVector())).toEqual(g.moments(2, { theta: [1.3] }));
  });

  it('a θ with a zero rate is a kernel code of its own: declined here, and a likelihood still evaluates it', async () => {
    const g = buildGraph({ stateLength: 1, paramLength: 2, discrete: false, states: [[0], [1], [2], [3]], edges: [[0, 1, 1, [0, 0]], [1, 2, 0, [1, 0]], [1, 3, 0, [0, 1]], [2, 3, 1, [0, 0]]] });
    expect(kernelRatesAt(g.structure(), Float64Array.of(1, 0))).toBeNull();
    const ev = await createEvaluator(g, { kind: 'loglik', data: { times: [0.5, 2] } }, { cache: null });
    const r = await ev.evaluate({ thetas: Float64Array.of(1, 0), gradient: true });
    expect(Number.isFinite(r.values[0])).toBe(true);
    expect(r.values[0]).toBeCloseTo(Math.log(0.5 * Math.exp(-0.5)) + Math.log(2 * Math.exp(-2)), 10);
  });
});

describe('rates kept in kernel memory, on error paths', () => {
  it('a graph that traps a vertex throws NO_ABSORPTION again and again, and the kernel stays sound', () => {
    const g = new Graph({ stateLength: 1 });
    const a = g.findOrCreateVertex([1]);
    g.start.addEdge(a, 1);
    a.addEdge(g.findOrCreateVertex([2]), 1);
    g.vertex(2).addEdge(a, 1); // a cycle with no way out
    const ok = models.coalescent(12);
    const want = ok.expectation({ theta: [1] });
    for (let i = 0; i < 40; i++) {
      expect(() => g.expectation()).toThrow(expect.objectContaining({ code: 'NO_ABSORPTION' }));
      expect(models.coalescent(12).expectation({ theta: [1 + i / 1000] })).toBeCloseTo(want / (1 + i / 1000), 12);
    }
  });
});
