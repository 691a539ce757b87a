// Per-call weights of the observation points (EvaluateOptions.weights): what a
// mini-batch is. They replace the data's weights for that call only, weight-0
// points take no part, bad weights are refused, and the pool passes them on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, Graph, models, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';

beforeAll(() => ready());
const noCache = { cache: null, traceStore: null } as const;
const thetas = Float64Array.of(0.7, 1, 1.6);
const times = [0.2, 0.5, 0.5, 1.1, 2.4, 3];
const censored = [1.5, 4];

describe('weights per call', () => {
  it('equal the log-likelihood of the same points carrying those weights', async () => {
    const g = models.coalescent(5);
    const ev = await createEvaluator(g, { kind: 'loglik', data: { times, censored } }, noCache);
    const d = ev.target.kind === 'loglik' && ev.target.data.kind === 'times' ? ev.target.data : null;
    expect(d?.points).toHaveLength(5); // 0.5 twice is one point of weight 2
    const weights = Float64Array.of(3, 0, 0.5, 2, 1, 0, 4);
    const got = await ev.evaluate({ thetas, gradient: true, weights });
    const reference = await createEvaluator(g, {
      kind: 'loglik',
      data: { times: d!.points, weights: weights.subarray(0, 5), censored: d!.censored, censoredWeights: weights.subarray(5) },
    }, noCache);
    const want = await reference.evaluate({ thetas, gradient: true });
    expect(Array.from(got.values)).toEqual(Array.from(want.values));
    expect(Array.from(got.gradients!)).toEqual(Array.from(want.gradients!));
  });

  it('leave the evaluator\'s own weights as they were for the next call', async () => {
    const ev = await createEvaluator(models.coalescent(5), { kind: 'loglik', data: { times, censored } }, noCache);
    const before = await ev.evaluate({ thetas, gradient: true });
    await ev.evaluate({ thetas, gradient: true, weights: new Float64Array(7).fill(10) });
    const after = await ev.evaluate({ thetas, gradient: true });
    expect(Array.from(after.values)).toEqual(Array.from(before.values));
    expect(Array.from(after.gradients!)).toEqual(Array.from(before.gradients!));
  });

  it('are taken back when the call fails (a refused θ row)', async () => {
    const ev = await createEvaluator(models.coalescent(5), { kind: 'loglik', data: { times, censored } }, noCache);
    const before = await ev.evaluate({ thetas, gradient: true });
    await expect(ev.evaluate({ thetas: Float64Array.of(1, -1), gradient: true, weights: new Float64Array(7).fill(3) })).rejects.toMatchObject({ code: 'NEGATIVE_RATE' });
    const after = await ev.evaluate({ thetas, gradient: true });
    expect(Array.from(after.values)).toEqual(Array.from(before.values));
  });

  it('of 0 leave a point out, even one of probability 0', async () => {
    // State 1 moves to state 2, which leaves with probability 1/2 per step: pmf(k) = 2^−(k−1) for k ≥ 2, pmf(1) = 0.
    const g = Graph.fromMatrices([1, 0], [[0, 1], [0, 0.5]], { discrete: true });
    const ev = await createEvaluator(g, { kind: 'loglik', data: { steps: [1, 3, 4] } }, noCache);
    expect((await ev.evaluate()).values[0]).toBe(-Infinity);
    const without = await ev.evaluate({ weights: Float64Array.of(0, 1, 1) });
    expect(without.values[0]).toBeCloseTo(Math.log(0.25 * 0.125), 12); // pmf(3) · pmf(4)
  });

  it('that are malformed are refused with BAD_ARGUMENT, naming the problem', async () => {
    const ev = await createEvaluator(models.coalescent(4), { kind: 'loglik', data: { times: [1, 2] } }, noCache);
    const one = Float64Array.of(1);
    await expect(ev.evaluate({ thetas: one, weights: Float64Array.of(1) })).rejects.toThrow(/2 points and 0 censored/);
    await expect(ev.evaluate({ thetas: one, weights: Float64Array.of(1, -1) })).rejects.toThrow(/weights\[1\] is -1/);
    await expect(ev.evaluate({ thetas: one, weights: Float64Array.of(1, NaN) })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(ev.evaluate({ thetas: one, weights: [1, 1] as unknown as Float64Array })).rejects.toThrow(/Float64Array/);
    const moments = await createEvaluator(models.coalescent(4), { kind: 'moments' }, noCache);
    await expect(moments.evaluate({ thetas: one, weights: Float64Array.of(1) })).rejects.toThrow(/not a moments target/);
  });
});

describe('weights in the pool', () => {
  const pool = createPool({ size: 2 });
  afterAll(() => pool.close());

  it('reach every worker: the split batch equals the single-thread one bit for bit', async () => {
    const g = models.coalescent(6);
    const data = { times: g.sample(40, { theta: [1], seed: 3 }) };
    const weights = Float64Array.from({ length: 40 }, (_, i) => (i % 3) * 0.5);
    const local = await createEvaluator(g, { kind: 'loglik', data }, noCache);
    const pooled = await pool.createEvaluator(g, { kind: 'loglik', data });
    const want = await local.evaluate({ thetas, gradient: true, weights });
    const got = await pooled.evaluate({ thetas, gradient: true, weights });
    expect(Array.from(got.values)).toEqual(Array.from(want.values));
    expect(Array.from(got.gradients!)).toEqual(Array.from(want.gradients!));
  });
});
