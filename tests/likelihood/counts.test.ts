// Counts against reward expectations: the coalescent SFS (E[ξ_i] = θ/i), Poisson
// and multinomial log-likelihoods and their gradients (finite differences), and
// the gradient through the trace against the direct elimination.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, logGammaForTests, models, ready } from './support.js';

beforeAll(() => ready());

describe('coalescent site frequency spectrum', () => {
  it.each([5, 10, 20])('E[R_i] = 2/i for n = %i, so (θ/2)·E[R_i] = θ/i', async (n) => {
    const g = models.coalescent(n);
    const ev = await createEvaluator(g, { kind: 'expectations', rewards: models.coalescentSfsRewards(g) }, { cache: null });
    const { values } = await ev.evaluate({ thetas: Float64Array.of(1) });
    expect(values).toHaveLength(n - 1);
    values.forEach((e, k) => expect(Math.abs(e - 2 / (k + 1))).toBeLessThanOrEqual(1e-13));
  });

  it('the gradient of E[R_i] with respect to the coalescence rate is −E[R_i]/θ', async () => {
    const g = models.coalescent(8);
    const ev = await createEvaluator(g, { kind: 'expectations', rewards: models.coalescentSfsRewards(g) }, { cache: null });
    const theta = 1.7;
    const { values, gradients } = await ev.evaluate({ thetas: Float64Array.of(theta), gradient: true });
    values.forEach((e, k) => expect(Math.abs(gradients![k] + e / theta)).toBeLessThanOrEqual(1e-13));
  });
});

describe('Poisson and multinomial log-likelihoods of counts', () => {
  const g = models.coalescent(10);
  const rewards = models.coalescentSfsRewards(g);
  const counts = [48, 26, 15, 13, 9, 9, 6, 4, 7];

  it('the Poisson log-likelihood equals its closed form with μ_i = scale·2/(i·θ0)', async () => {
    const scale = 3, theta0 = 0.8;
    const ev = await createEvaluator(g, { kind: 'loglik', data: { counts, rewards, scale } }, { cache: null });
    const { values } = await ev.evaluate({ thetas: Float64Array.of(theta0) });
    const expected = counts.reduce((s, y, k) => { const mu = (scale * 2) / ((k + 1) * theta0); return s + y * Math.log(mu) - mu - logGammaForTests(y + 1); }, 0);
    expect(Math.abs(values[0] - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
  });

  it.each(['poisson', 'multinomial'] as const)('the %s gradient matches central differences', async (distribution) => {
    // A two-parameter model: the rabbits' floods, with counts against each vertex class.
    const rb = models.rabbits(6);
    const r = [0, 1, 2].map((j) => Array.from({ length: rb.vertexCount }, (_, v) => ((v + j) % 3) * 0.5 + 0.25));
    const data = { counts: [12, 7, 20], rewards: r, distribution, scale: 10 };
    const ev = await createEvaluator(rb, { kind: 'loglik', data }, { cache: null });
    const theta = [1.2, 0.7, 2.1];
    const { gradients } = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
    for (let i = 0; i < 3; i++) {
      const h = 1e-6, up = theta.slice(), dn = theta.slice();
      up[i] += h; dn[i] -= h;
      const at = async (t: number[]) => (await ev.evaluate({ thetas: Float64Array.from(t) })).values[0];
      const fd = ((await at(up)) - (await at(dn))) / (2 * h);
      expect(Math.abs(gradients![i] - fd)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('the trace and the direct elimination give the same log-likelihood and gradient', async () => {
    const data = { counts, rewards, scale: 2 };
    const thetas = Float64Array.of(0.5, 1, 2.5);
    const a = await (await createEvaluator(g, { kind: 'loglik', data }, { cache: null, backend: 'wasm' })).evaluate({ thetas, gradient: true });
    const b = await (await createEvaluator(g, { kind: 'loglik', data }, { cache: null, backend: 'wasm-direct' })).evaluate({ thetas, gradient: true });
    a.values.forEach((x, i) => expect(Math.abs(x - b.values[i])).toBeLessThanOrEqual(1e-13 * Math.abs(x)));
    a.gradients!.forEach((x, i) => expect(Math.abs(x - b.gradients![i])).toBeLessThanOrEqual(1e-12 * Math.abs(x)));
  });

  it('counts that a zero expectation cannot produce have log-likelihood −∞', async () => {
    const zero = rewards.map((r, j) => (j === 0 ? r.map(() => 0) : r));
    const ev = await createEvaluator(g, { kind: 'loglik', data: { counts, rewards: zero } }, { cache: null });
    const { values, gradients } = await ev.evaluate({ thetas: Float64Array.of(1), gradient: true });
    expect(values[0]).toBe(-Infinity);
    expect(Array.from(gradients!)).toEqual([0]);
  });
});
