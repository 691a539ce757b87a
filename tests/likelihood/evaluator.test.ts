// The evaluator API: the θ convention (batches, graphs without parameters),
// typed errors for bad data and θ, bounded work, checkpointed reverse passes,
// weights as multiplicities, abort between rows.
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortError, createEvaluator, Graph, GraphError, logLikelihood, models, ready } from '../../src/index.js';

beforeAll(() => ready());
const noCache = { cache: null, traceStore: null } as const;

describe('the θ convention', () => {
  it('a batch gives one row per θ, each equal to evaluating that θ alone', async () => {
    const ev = await createEvaluator(models.rabbits(5), { kind: 'moments', k: 2 }, noCache);
    const thetas = Float64Array.of(1, 2, 4, 0.5, 0.5, 0.5, 3, 1, 0.2);
    const batch = await ev.evaluate({ thetas, gradient: true });
    expect(batch).toMatchObject({ rows: 3, outputs: 2, paramLength: 3 });
    for (let r = 0; r < 3; r++) {
      const one = await ev.evaluate({ thetas: thetas.slice(3 * r, 3 * r + 3), gradient: true });
      expect(Array.from(batch.values.subarray(2 * r, 2 * r + 2))).toEqual(Array.from(one.values));
      expect(Array.from(batch.gradients!.subarray(6 * r, 6 * r + 6))).toEqual(Array.from(one.gradients!));
    }
  });

  it('a graph without parameters has exactly one θ row (thetas omitted or empty)', async () => {
    const g = Graph.fromMatrices([1], [[-2]]);
    const ev = await createEvaluator(g, { kind: 'loglik', data: { times: [0.5, 1] } }, noCache);
    const a = await ev.evaluate(), b = await ev.evaluate({ thetas: new Float64Array(0), gradient: true });
    expect(a.rows).toBe(1);
    expect(b.rows).toBe(1);
    expect(a.values[0]).toBeCloseTo(2 * Math.log(2) - 2 * 1.5, 12);
    expect(b.gradients).toHaveLength(0);
    await expect(ev.evaluate({ thetas: Float64Array.of(1) })).rejects.toMatchObject({ code: 'BAD_THETA' });
  });

  it('rows that do not divide by paramLength, or non-finite θ, are refused with BAD_THETA / NON_FINITE', async () => {
    const ev = await createEvaluator(models.rabbits(3), { kind: 'moments' }, noCache);
    await expect(ev.evaluate({ thetas: Float64Array.of(1, 2) })).rejects.toMatchObject({ code: 'BAD_THETA' });
    await expect(ev.evaluate({ thetas: Float64Array.of(1, NaN, 2) })).rejects.toMatchObject({ code: 'NON_FINITE' });
    await expect(ev.evaluate({ thetas: [1, 2, 3] as unknown as Float64Array })).rejects.toMatchObject({ code: 'BAD_THETA' });
  });

  it('a θ row with a negative rate is refused naming the row and the edge', async () => {
    const data = { times: [1] };
    const error = await logLikelihood(models.coalescent(4), data, { thetas: Float64Array.of(1, -1), cache: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'NEGATIVE_RATE' });
    expect((error as Error).message).toMatch(/^θ row 1: edge/);
  });

  it('in a batch of more rows than one kernel call takes, the row named is the batch\'s', async () => {
    const thetas = new Float64Array(600).fill(1);
    thetas[300] = -1;
    const error = await logLikelihood(models.coalescent(4), { times: [1] }, { thetas, cache: null }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NEGATIVE_RATE' });
    expect((error as Error).message).toMatch(/^θ row 300: edge/);
  });
});

describe('data', () => {
  const g = models.coalescent(5);
  it.each([
    [{ times: [] }, /no observations/],
    [{ times: [1, -0.5] }, /times\[1\] is -0\.5/],
    [{ times: [1, Infinity] }, /times\[1\] is Infinity/],
    [{ times: [1, 2], weights: [1] }, /weights has 1 entries but there are 2 times/],
    [{ times: [1], weights: [-1] }, /weights\[0\] is -1/],
    [{ times: [1], steps: [1] }, /exactly one of times, steps or counts/],
    [{ counts: [1, 2], rewards: [[1]] }, /one reward vector per count/],
    [{ counts: [1], rewards: [[1, 2]] }, /rewards\[0\] has 2 entries/],
    [{ counts: [1], rewards: [new Array(8).fill(1)], scale: 0 }, /scale must be/],
    ['times', /must be an object/],
    // Array-likes whose length no array can have: a typed error, not a RangeError.
    [{ times: { length: 1e12 } }, /times has length 1000000000000; at most/],
    [{ times: [1], weights: { length: -1 } }, /weights has length -1; at most/],
    [{ counts: { length: 2.5 }, rewards: [] }, /counts has length 2.5; at most/],
  ])('%j is refused with BAD_DATA', async (data, message) => {
    const error = await createEvaluator(g, { kind: 'loglik', data: data as never }, noCache).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'BAD_DATA' });
    expect((error as Error).message).toMatch(message);
  });

  it('steps for a continuous graph, or times for a discrete one, are WRONG_KIND', async () => {
    await expect(createEvaluator(g, { kind: 'loglik', data: { steps: [1] } }, noCache)).rejects.toMatchObject({ code: 'WRONG_KIND' });
    const d = Graph.fromMatrices([1], [[0.5]], { discrete: true });
    await expect(createEvaluator(d, { kind: 'loglik', data: { times: [1] } }, noCache)).rejects.toMatchObject({ code: 'WRONG_KIND' });
  });

  it('weights are multiplicities: weight 3 equals the time three times', async () => {
    const a = await logLikelihood(g, { times: [0.4, 1.2, 1.2, 1.2] }, { theta: [1.1], cache: null });
    const b = await logLikelihood(g, { times: [1.2, 0.4], weights: [3, 1] }, { theta: [1.1], cache: null });
    expect(Math.abs(a.logLik[0] - b.logLik[0])).toBeLessThanOrEqual(1e-12 * Math.abs(a.logLik[0]));
    expect(Math.abs(a.gradient![0] - b.gradient![0])).toBeLessThanOrEqual(1e-12 * Math.abs(a.gradient![0]));
  });

  it('an observation with probability 0 makes log L −∞ (a time 0 with no mass there)', async () => {
    const r = await logLikelihood(g, { times: [0] }, { theta: [1], cache: null });
    expect(r.logLik[0]).toBe(-Infinity);
  });
});

describe('bounded work', () => {
  // The hardening issue's stiff chain: rates 1e8 in a cycle, 1e-8 out of it.
  const stiff = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 1e8], [2, 1, 1e8], [2, 3, 1e-8]] });

  it('a small chain that would take λt = 1e10 steps is computed with dense matrices, exactly', async () => {
    const a = 1e8, b = 1e-8, t = 100;
    // S = [[−a, a], [a, −(a + b)]]: eigenvalues μ₂ = (tr − √disc)/2, μ₁ = det/μ₂ (no cancellation);
    // f(t) = b·a·(e^{μ₁t} − e^{μ₂t})/(μ₁ − μ₂), and e^{μ₂t} = e^{−2e10} = 0.
    const tr = -(2 * a + b), det = a * b, mu2 = (tr - Math.sqrt(tr * tr - 4 * det)) / 2, mu1 = det / mu2;
    const want = Math.log(a * b) + mu1 * t - Math.log(mu1 - mu2);
    const started = performance.now();
    const got = await logLikelihood(stiff, { times: [t] }, { cache: null });
    expect(Math.abs(got.logLik[0] - want)).toBeLessThanOrEqual(1e-10 * Math.abs(want));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a chain too large for dense matrices that would take λt = 1e10 steps, whose density Krylov cannot resolve, stops at once with WORK_LIMIT naming the limits', async () => {
    // The stiff cycle, then 200 slow states in a row: 202 transient states.
    const n = 203;
    const vertices = Array.from({ length: n + 1 }, (_, i) => [i]);
    const edges: [number, number, number][] = [[0, 1, 1], [1, 2, 1e8], [2, 1, 1e8], [2, 3, 1e-8], ...Array.from({ length: n - 3 }, (_, i): [number, number, number] => [3 + i, 4 + i, 1])];
    const big = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices, edges });
    const started = performance.now();
    const error = await logLikelihood(big, { times: [100] }, { cache: null }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WORK_LIMIT' });
    // f(100) is about 10⁻²⁹ (the 200 slow states take 200 on average): below what Krylov resolves.
    expect((error as Error).message).toMatch(/maxSteps = 10000000 .*at most 128.*shift-and-invert Krylov gives the density at time 100 as .* too close to its absolute tolerance/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a memory budget too small to store the steps switches to √N checkpoints with the same result', async () => {
    const rb = models.rabbits(8);
    const data = { times: [0.2, 0.5, 1, 2.5, 6], censored: [4] };
    const thetas = Float64Array.of(1, 2, 4);
    const full = await (await createEvaluator(rb, { kind: 'loglik', data }, noCache)).evaluate({ thetas, gradient: true });
    const tight = await (await createEvaluator(rb, { kind: 'loglik', data, limits: { maxMemoryBytes: 40_000 } }, noCache)).evaluate({ thetas, gradient: true });
    expect(tight.values).toEqual(full.values);
    expect(tight.gradients).toEqual(full.gradients);
    const tooTight = await createEvaluator(rb, { kind: 'loglik', data, limits: { maxMemoryBytes: 1000 } }, noCache);
    await expect(tooTight.evaluate({ thetas, gradient: true })).rejects.toMatchObject({ code: 'WORK_LIMIT' });
  });

  it('an aborted batch rejects with AbortError between rows', async () => {
    const ev = await createEvaluator(models.rabbits(20), { kind: 'moments', k: 3 }, noCache);
    const controller = new AbortController();
    // Abort at the first report of rows done: surely mid-way. Reports come every 50 ms, so a
    // batch that a fast machine finishes sooner gets only its final one: it grows until aborted.
    const onProgress = ({ done, total }: { done: number; total: number }): void => {
      if (done < total) controller.abort();
    };
    for (let rows = 3000; !controller.signal.aborted && rows <= 3_000_000; rows *= 4) {
      const thetas = Float64Array.from({ length: 3 * rows }, (_, i) => 0.5 + (i % 7) / 5);
      const run = ev.evaluate({ thetas, gradient: true, signal: controller.signal, onProgress });
      await run.catch(() => {});
      if (controller.signal.aborted) await expect(run).rejects.toBeInstanceOf(AbortError);
    }
    expect(controller.signal.aborted).toBe(true);
  });
});
