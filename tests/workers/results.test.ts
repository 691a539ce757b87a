// The pool computes exactly what the graph computes in-thread: same kernel, same bits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready } from '../../src/index.js';
import { createPool, type Progress } from '../../src/pool/index.js';

const pool = createPool({ size: 2 });
beforeAll(() => ready());
afterAll(() => pool.close());

describe('results equal the in-thread path bitwise', () => {
  const coalescent = models.coalescent(12);
  const rabbits = models.rabbits(10);

  it('moments of the coalescent', async () => {
    expect(await pool.moments(coalescent, 4, { theta: [0.7] })).toEqual(coalescent.moments(4, { theta: [0.7] }));
  });

  it('moments with rewards', async () => {
    const rewards = Array.from({ length: coalescent.vertexCount }, (_, v) => (v % 3) + 0.5);
    expect(await pool.moments(coalescent, 2, { theta: [1.3], rewards })).toEqual(coalescent.moments(2, { theta: [1.3], rewards }));
  });

  it('expectation of the rabbits model', async () => {
    expect(await pool.expectation(rabbits, { theta: [1, 0.5, 0.8] })).toBe(rabbits.expectation({ theta: [1, 0.5, 0.8] }));
  });

  it('pdf and cdf', async () => {
    const times = [0.1, 0.5, 1, 2, 5];
    expect(await pool.pdf(rabbits, times, { theta: [1, 0.5, 0.8] })).toEqual(rabbits.pdf(times, { theta: [1, 0.5, 0.8] }));
    expect(await pool.cdf(coalescent, times, { theta: [1] })).toEqual(coalescent.cdf(times, { theta: [1] }));
  });

  it('pmf of a discrete graph', async () => {
    const g = Graph.fromMatrices([1, 0], [[0.5, 0.3], [0.1, 0.6]], { discrete: true });
    expect(await pool.pmf(g, [1, 2, 3, 10])).toEqual(g.pmf([1, 2, 3, 10]));
  });

  it('distribution: the density and the cdf of one computation, as pdf / pmf and cdf give them apart', async () => {
    const times = [0, 0.1, 0.5, 1, 2, 5, 40];
    const both = await pool.distribution(rabbits, times, { theta: [1, 0.5, 0.8] });
    expect(both).toEqual(rabbits.distribution(times, { theta: [1, 0.5, 0.8] }));
    expect(both.density).toEqual(rabbits.pdf(times, { theta: [1, 0.5, 0.8] }));
    expect(both.cdf).toEqual(rabbits.cdf(times, { theta: [1, 0.5, 0.8] }));
    for (const method of ['uniformization', 'adaptive', 'krylov', 'dense'] as const) {
      const g = models.coalescent(6);
      const apart = { density: g.pdf(times, { theta: [1.4], method }), cdf: g.cdf(times, { theta: [1.4], method }) };
      expect(g.distribution(times, { theta: [1.4], method }), method).toEqual(apart);
    }
    const discrete = Graph.fromMatrices([1, 0], [[0.5, 0.3], [0.1, 0.6]], { discrete: true });
    const steps = [0, 1, 2, 3, 10, 200];
    expect(await pool.distribution(discrete, steps)).toEqual({ density: discrete.pmf(steps), cdf: discrete.cdf(steps) });
    // Bad points fail as they do for pdf.
    expect(() => rabbits.distribution([1, -2], { theta: [1, 0.5, 0.8] })).toThrow(/-2/);
    await expect(pool.distribution(rabbits, [NaN], { theta: [1, 0.5, 0.8] })).rejects.toMatchObject({ name: 'GraphError' });
  });
});

describe('errors', () => {
  it('come back as the GraphError the kernel threw, code and vertex included', async () => {
    const g = new Graph({ stateLength: 1 });
    const a = g.findOrCreateVertex([1]);
    g.start.addEdge(a, 1);
    a.addEdge(g.findOrCreateVertex([2]), 1);
    g.vertex(2).addEdge(a, 1); // a cycle with no way out
    const error = await pool.expectation(g).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'NO_ABSORPTION' });
    expect(() => g.expectation()).toThrow(GraphError);
  });

  it('leave the worker usable', async () => {
    await expect(pool.moments(models.coalescent(4), 0, { theta: [1] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(await pool.expectation(models.coalescent(4), { theta: [1] })).toBe(models.coalescent(4).expectation({ theta: [1] }));
    expect(pool.stats().crashed).toBe(0);
  });
});

describe('graph caching', () => {
  const phases = async (call: (onProgress: (p: Progress) => void) => Promise<unknown>): Promise<string[]> => {
    const seen: string[] = [];
    await call((p) => seen.push(p.phase));
    return seen;
  };

  it('sends a graph to a worker once, then only its key', async () => {
    const one = createPool({ size: 1 });
    const g = models.coalescent(6);
    expect(await phases((onProgress) => one.moments(g, 1, { theta: [1], onProgress }))).toContain('graph');
    expect(await phases((onProgress) => one.moments(g, 1, { theta: [2], onProgress }))).not.toContain('graph');
    await one.close();
  });

  it('sends a graph again after it grew', async () => {
    const one = createPool({ size: 1 });
    const g = models.coalescent(5);
    await one.expectation(g, { theta: [1] });
    const extra = g.createVertex([9, 9, 9, 9, 9]);
    g.addEdge(extra, g.vertexCount - 2, 1); // unreachable from the start: same distribution
    expect(await phases((onProgress) => one.moments(g, 1, { theta: [1], onProgress }))).toContain('graph');
    expect(await one.expectation(g, { theta: [1] })).toBe(g.expectation({ theta: [1] }));
    await one.close();
  });

  it('forgets the oldest graph past graphsPerWorker', async () => {
    const one = createPool({ size: 1, graphsPerWorker: 2 });
    const [a, b, c] = [models.coalescent(4), models.coalescent(5), models.coalescent(6)];
    for (const g of [a, b, c]) await one.expectation(g, { theta: [1] });
    expect(await phases((onProgress) => one.expectation(c, { theta: [1], onProgress }))).not.toContain('graph');
    expect(await phases((onProgress) => one.expectation(a, { theta: [1], onProgress }))).toContain('graph');
    await one.close();
  });
});

describe('progress', () => {
  it('reports rebuilding the graph and elimination, ending each phase at done = total', async () => {
    const g = models.coalescent(10);
    const seen: Progress[] = [];
    await pool.moments(g, 2, { theta: [1], onProgress: (p) => seen.push(p) });
    expect(seen.filter((p) => p.phase !== 'graph')).toEqual([
      { phase: 'eliminate', done: 0, total: g.vertexCount },
      { phase: 'eliminate', done: g.vertexCount, total: g.vertexCount },
    ]);
  });

  it('reports a pdf from inside the stepping: model time reached of the largest time', async () => {
    // A 3-state cycle leaking at 10⁻⁷, stepped 3·10⁶ times to t = 10⁶.
    const g = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3], [4]], edges: [[0, 1, 1], [1, 2, 3], [2, 3, 3], [3, 1, 3], [3, 4, 1e-7]] });
    const seen: Progress[] = [];
    const times = [10, 1e6];
    const pdf = await pool.pdf(g, times, { method: 'uniformization', onProgress: (p) => seen.push(p) });
    expect(pdf).toEqual(g.pdf(times, { method: 'uniformization' }));
    const evaluate = seen.filter((p) => p.phase === 'evaluate');
    expect(evaluate[0]).toEqual({ phase: 'evaluate', done: 0, total: 0 });
    expect(evaluate.at(-1)).toEqual({ phase: 'evaluate', done: 1e6, total: 1e6 });
    // The first chunk of steps reports at once.
    expect(evaluate.some((p) => p.total === 1e6 && p.done > 0 && p.done < 1e6)).toBe(true);
  });
});

describe('arguments are checked as the in-thread methods check them, and a bad one rejects', () => {
  const g = models.coalescent(6);
  // Each call, made synchronously: it must return a promise that rejects, never throw, never coerce.
  const bad: [string, () => Promise<unknown>, string, RegExp][] = [
    ['θ as strings', () => pool.expectation(g, { theta: ['2'] as unknown as number[] }), 'NON_FINITE', /θ\[0\] is "2"/],
    ['θ of absurd length', () => pool.moments(g, 2, { theta: { length: 1e12 } as unknown as number[] }), 'BAD_THETA', /1000000000000 values/],
    ['rewards as strings', () => pool.moments(g, 1, { theta: [1], rewards: Array(g.vertexCount).fill('1') }), 'BAD_REWARDS', /vertex 0 is "1"/],
    ['times null', () => pool.pdf(g, null as unknown as number[], { theta: [1] }), 'BAD_ARGUMENT', /times must be an array of numbers, got null/],
    ['a time as a string', () => pool.cdf(g, [0.5, '1'] as unknown as number[], { theta: [1] }), 'BAD_ARGUMENT', /time 1 is "1"/],
    ['a NaN time', () => pool.distribution(g, [NaN], { theta: [1] }), 'BAD_ARGUMENT', /time 0 is NaN/],
    ['times of absurd length', () => pool.distribution(g, { length: 1e12 } as unknown as number[], { theta: [1] }), 'BAD_ARGUMENT', /at most 67108864 points/],
    ['a fractional step', () => pool.pmf(Graph.fromMatrices([1], [[0.5]], { discrete: true }), [1.5]), 'BAD_ARGUMENT', /step 0 is 1.5/],
    ['momentsBatch rewards as strings', () => pool.momentsBatch(g, 1, { thetas: Float64Array.of(1), rewards: Array(g.vertexCount).fill('x') }), 'BAD_REWARDS', /vertex 0 is "x"/],
  ];
  for (const [what, call, code, message] of bad) {
    it(what, async () => {
      let promise: Promise<unknown> | undefined;
      expect(() => { promise = call(); }).not.toThrow();
      const error = await promise!.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    });
  }

  it('refuses what the graph refuses, with the same message', async () => {
    const times = [0.5, '1'] as unknown as number[];
    const inThread = (() => { try { g.cdf(times, { theta: [1] }); } catch (e) { return e as GraphError; } })();
    const inPool = await pool.cdf(g, times, { theta: [1] }).then(() => null, (e: GraphError) => e);
    expect(inPool?.message).toBe(inThread?.message);
  });
});
