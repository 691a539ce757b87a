// SVGD's posterior against exact ones: the conjugate exponential–gamma pair in
// closed form; coalescent θ from absorption times and from an SFS and the
// rabbits' two flood rates against grid posteriors (the library's own
// log-likelihood on many θ at once, an independent check of the particles).
// Tolerances are stated per test; every run is seeded and runs in this thread.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready, svgd, type SvgdResult } from '../../src/index.js';
import { gridPosterior, gridSummary, logNormalDensity, poissonCounts } from './support.js';
import { createEvaluator } from '../../src/index.js';

beforeAll(() => ready());

/** One transient state left at rate θ: absorption times are exponential(θ). */
function exponentialModel(): Graph {
  const g = new Graph({ stateLength: 1, paramLength: 1 });
  const a = g.findOrCreateVertex([1]), done = g.findOrCreateVertex([2]);
  g.start.addEdge(a, 1);
  a.addEdge(done, 0, [1]);
  return g;
}

const inside = (r: SvgdResult, i: number, x: number) => r.quantiles['0.025'][i] <= x && x <= r.quantiles['0.975'][i];

describe('the conjugate check: exponential data, gamma prior, gamma posterior in closed form', () => {
  const model = exponentialModel();
  const times = model.sample(200, { theta: [1.5], seed: 21 });
  const S = times.reduce((s, t) => s + t, 0);
  // Gamma(2, 1) prior → Gamma(2 + N, 1 + Σt) posterior.
  const shape = 2 + times.length, rate = 1 + S;
  const exact = { mean: shape / rate, sd: Math.sqrt(shape) / rate };
  const prior = { gamma: { shape: 2, rate: 1 } };

  it('Adam: posterior mean within 1% and sd within 10% of the closed form', async () => {
    const r = await svgd({ model, data: { times }, prior, particles: 100, iterations: 300, seed: 1, execution: 'inline' });
    expect(Math.abs(r.mean[0] / exact.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / exact.sd - 1)).toBeLessThan(0.1);
  });

  it('AdaGrad: the same tolerances', async () => {
    const r = await svgd({ model, data: { times }, prior, particles: 100, iterations: 300, seed: 2, optimizer: 'adagrad', execution: 'inline' });
    expect(Math.abs(r.mean[0] / exact.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / exact.sd - 1)).toBeLessThan(0.1);
  });

  it('softplus instead of log for the positive parameter: the same tolerances', async () => {
    const r = await svgd({ model, data: { times }, prior, particles: 100, iterations: 300, seed: 3, positiveTransform: 'softplus', execution: 'inline' });
    expect(r.diagnostics.transforms).toEqual(['softplus']);
    expect(Math.abs(r.mean[0] / exact.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / exact.sd - 1)).toBeLessThan(0.1);
  });

  it('mini-batches of 50 of 2,000 observations: mean within 1%, sd within 10%', async () => {
    const many = model.sample(2000, { theta: [1.5], seed: 22 });
    const shapeN = 2 + many.length, rateN = 1 + many.reduce((s, t) => s + t, 0);
    const r = await svgd({ model, data: { times: many }, prior, particles: 100, iterations: 400, batchSize: 50, seed: 4, execution: 'inline' });
    expect(r.diagnostics.batchSize).toBe(50);
    expect(Math.abs(r.mean[0] / (shapeN / rateN) - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / (Math.sqrt(shapeN) / rateN) - 1)).toBeLessThan(0.1);
  });

  it('a uniform prior on an interval (logit transform): the truncated gamma posterior', async () => {
    // Uniform(1, 2) prior: the posterior is the likelihood's gamma(1 + N, Σt) truncated to (1, 2).
    const grid = Float64Array.from({ length: 4000 }, (_, i) => 1 + (i + 0.5) / 4000);
    const want = gridSummary(grid, Array.from(grid, (x) => times.length * Math.log(x) - x * S));
    const r = await svgd({ model, data: { times }, prior: { uniform: { low: 1, high: 2 } }, particles: 100, iterations: 300, seed: 5, execution: 'inline' });
    expect(r.diagnostics.transforms).toEqual(['logit']);
    expect(Math.abs(r.mean[0] / want.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / want.sd - 1)).toBeLessThan(0.1);
  });
});

describe('the coalescent: θ from absorption times', () => {
  const model = models.coalescent(6);
  const prior = logNormalDensity(0, 2); // the default prior

  it.each([1, 2, 3])('data seed %i: the truth inside the 95% interval; mean within 1% and sd within 10% of the grid posterior', async (seed) => {
    const times = model.sample(200, { theta: [2], seed });
    const exact = await gridPosterior(model, { times }, 1, 3.5, prior);
    expect(exact.edgeMass).toBeLessThan(1e-12);
    const r = await svgd({ model, data: { times }, particles: 50, iterations: 200, seed, execution: 'inline' });
    expect(inside(r, 0, 2)).toBe(true);
    expect(Math.abs(r.mean[0] / exact.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / exact.sd - 1)).toBeLessThan(0.1);
  });

  it('the interval shrinks as the data grow (50 → 800 times: about 4× narrower)', async () => {
    const width = async (n: number) => {
      const r = await svgd({ model, data: { times: model.sample(n, { theta: [2], seed: 9 }) }, particles: 50, iterations: 200, seed: 9, execution: 'inline' });
      expect(inside(r, 0, 2)).toBe(true);
      return r.quantiles['0.975'][0] - r.quantiles['0.025'][0];
    };
    const ratio = (await width(50)) / (await width(800));
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5.5);
  });
});

describe('the coalescent: θ from a site frequency spectrum', () => {
  const model = models.coalescent(8);
  const rewards = models.coalescentSfsRewards(model);
  // E[R_i] = 2/(iθ) on this graph (θ: the coalescence rate); counts ~ Poisson(scale·E[R_i]).
  const sfs = (scale: number, seed: number) => poissonCounts(rewards.map((_, i) => (scale * 2) / ((i + 1) * 2)), seed);
  const data = (scale: number, seed: number) => ({ counts: sfs(scale, seed), rewards, scale });

  it.each([1, 2, 3])('data seed %i: the truth inside the 95% interval; mean within 1% and sd within 10% of the grid posterior', async (seed) => {
    const d = data(40, seed);
    const exact = await gridPosterior(model, d, 0.8, 5, logNormalDensity(0, 2));
    expect(exact.edgeMass).toBeLessThan(1e-12);
    const r = await svgd({ model, data: d, particles: 50, iterations: 300, seed, execution: 'inline' });
    expect(inside(r, 0, 2)).toBe(true);
    expect(Math.abs(r.mean[0] / exact.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.sd[0] / exact.sd - 1)).toBeLessThan(0.1);
  });

  it('the interval shrinks as the data grow (scale 10 → 160: about 4× narrower)', async () => {
    const width = async (scale: number) => {
      const r = await svgd({ model, data: data(scale, 7), particles: 50, iterations: 300, seed: 7, execution: 'inline' });
      expect(inside(r, 0, 2)).toBe(true);
      return r.quantiles['0.975'][0] - r.quantiles['0.025'][0];
    };
    const ratio = (await width(10)) / (await width(160));
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5.5);
  });
});

describe('two parameters: the rabbits\' floods on A and B, the jump rate fixed', () => {
  it('means within 2% and sds within 10% of the 2-D grid posterior; the truth inside both 95% intervals', async () => {
    const model = models.rabbits(3);
    const times = model.sample(300, { theta: [1, 2, 4], seed: 1 });
    const gamma = (x: number) => Math.log(x) - 0.5 * x; // Gamma(2, 0.5), up to a constant
    // Grid over (θ1, log θ2): 120 × 120 rows in one call.
    const n = 120, rows = new Float64Array(n * n * 3);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      rows.set([1, 1.2 + (1.6 * (i + 0.5)) / n, Math.exp(Math.log(0.5) + (Math.log(50) * (j + 0.5)) / n)], (i * n + j) * 3);
    }
    const ev = await createEvaluator(model, { kind: 'loglik', data: { times } }, { cache: null, traceStore: null });
    const { values } = await ev.evaluate({ thetas: rows });
    const logPost = Array.from(values, (v, k) => v + gamma(rows[3 * k + 1]) + gamma(rows[3 * k + 2]) + Math.log(rows[3 * k + 2]));
    const top = Math.max(...logPost), w = logPost.map((x) => Math.exp(x - top)), W = w.reduce((s, x) => s + x, 0);
    const moment = (f: (k: number) => number) => w.reduce((s, x, k) => s + x * f(k), 0) / W;
    const mean = [moment((k) => rows[3 * k + 1]), moment((k) => rows[3 * k + 2])];
    const sd = [Math.sqrt(moment((k) => (rows[3 * k + 1] - mean[0]) ** 2)), Math.sqrt(moment((k) => (rows[3 * k + 2] - mean[1]) ** 2))];

    const prior = { gamma: { shape: 2, rate: 0.5 } };
    const r = await svgd({ model, data: { times }, fixed: [1, null, null], prior: [null, prior, prior], particles: 50, iterations: 200, seed: 1, execution: 'inline' });
    expect(r.mean[0]).toBe(1);
    expect(r.sd[0]).toBe(0);
    for (const i of [0, 1]) {
      expect(Math.abs(r.mean[i + 1] / mean[i] - 1)).toBeLessThan(0.02);
      expect(Math.abs(r.sd[i + 1] / sd[i] - 1)).toBeLessThan(0.1);
    }
    expect(inside(r, 1, 2) && inside(r, 2, 4)).toBe(true);
  });
});
