// svgd() as an API: the same seed gives the same bits wherever it runs (worker,
// pool split, inline), progress after every iteration, abort leaves nothing
// broken, a second fit plans and records nothing, the stopping rule, history,
// fixed and given particles, priors of your own, failing particles, and typed
// errors for bad options.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError, closeCacheLayers, createEvaluator, GraphError, models, ready, svgd, type SvgdOptions, type SvgdProgress } from '../../src/index.js';
import { planSvgd } from '../../src/inference/plan.js';
import { runSvgd } from '../../src/inference/svgd-loop.js';
import { createPool } from '../../src/pool/index.js';

// Layers 1 and 2 write to a directory of this file's own (workers inherit the variable).
process.env.PHASEKIT_CACHE_DIR = await mkdtemp(join(tmpdir(), 'phasekit-svgd-'));
const pool = createPool({ size: 2 });
beforeAll(() => ready());
afterAll(async () => {
  await pool.close();
  await closeCacheLayers();
});

const model = models.coalescent(5);
const times = model.sample(100, { theta: [2], seed: 5 });
const small: SvgdOptions = { model, data: { times }, particles: 20, iterations: 40, seed: 7, execution: 'inline' };
const bits = (x: Float64Array) => Array.from(x);

describe('determinism', () => {
  it('the same seed gives the same particles, bit for bit; another seed other particles', async () => {
    const a = await svgd(small), b = await svgd(small), c = await svgd({ ...small, seed: 8 });
    expect(bits(b.particles)).toEqual(bits(a.particles));
    expect(bits(c.particles)).not.toEqual(bits(a.particles));
    expect(a.diagnostics.seed).toBe(7);
  });

  it('a worker, a pool split and this thread give the same particles, bit for bit', async () => {
    const inline = await svgd({ ...small, batchSize: 30 });
    const worker = await svgd({ ...small, batchSize: 30, execution: 'worker', pool });
    const split = await svgd({ ...small, batchSize: 30, execution: 'pool', pool });
    expect(bits(worker.particles)).toEqual(bits(inline.particles));
    expect(bits(split.particles)).toEqual(bits(inline.particles));
    expect([inline, worker, split].map((r) => r.diagnostics.execution)).toEqual(['inline', 'worker', 'pool']);
  });

  it('without a seed, one is drawn and reported: passing it again repeats the fit', async () => {
    // The draw is Math.random's, fixed here so that the test runs the same fit every time.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.25);
    let a: Awaited<ReturnType<typeof svgd>>;
    try {
      a = await svgd({ ...small, seed: undefined });
    } finally {
      random.mockRestore();
    }
    expect(a.diagnostics.seed).toBe(2 ** 30);
    const b = await svgd({ ...small, seed: a.diagnostics.seed });
    expect(bits(b.particles)).toEqual(bits(a.particles));
  });
});

describe('progress and abort', () => {
  it('onProgress reports every iteration, from a worker too', async () => {
    for (const execution of ['inline', 'worker'] as const) {
      const seen: SvgdProgress[] = [];
      await svgd({ ...small, execution, pool, onProgress: (p) => seen.push(p) });
      expect(seen.map((p) => p.iteration)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      for (const p of seen) {
        expect(p.iterations).toBe(40);
        expect(Number.isFinite(p.logPosteriorMean) && p.bandwidth > 0 && p.stepNorm >= 0).toBe(true);
      }
    }
  });

  it('an abort mid-run rejects with AbortError; the pool then runs the same fit to the same answer', async () => {
    const want = await svgd({ ...small, iterations: 200, execution: 'inline' });
    const controller = new AbortController();
    const run = svgd({ ...small, iterations: 200, execution: 'worker', pool, signal: controller.signal, onProgress: (p) => { if (p.iteration === 5) controller.abort(); } });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    const again = await svgd({ ...small, iterations: 200, execution: 'worker', pool });
    expect(bits(again.particles)).toEqual(bits(want.particles));
  });

  it('an abort stops an inline run between iterations', async () => {
    const controller = new AbortController();
    let last = 0;
    const run = svgd({ ...small, iterations: 10_000, signal: controller.signal, onProgress: (p) => { last = p.iteration; if (p.iteration === 3) controller.abort(); } });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(last).toBe(3);
  });
});

describe('the cache layers', () => {
  it('the second fit of the same model and data plans and records nothing, in this thread and in a fresh worker', async () => {
    const g = models.coalescent(7);
    const rewards = models.coalescentSfsRewards(g);
    const data = { counts: [31, 14, 10, 9, 5, 4], rewards, scale: 20 };
    const fit = (execution: 'inline' | 'worker') => svgd({ model: g, data, particles: 10, iterations: 5, seed: 1, execution });
    // The SFS of a forward structure records no trace (one pass a row): layer 2 alone is planned.
    expect((await fit('inline')).diagnostics).toMatchObject({ planned: 1, recorded: 0 });
    expect((await fit('inline')).diagnostics).toMatchObject({ planned: 0, recorded: 0 });
    expect((await fit('worker')).diagnostics).toMatchObject({ planned: 0, recorded: 0, execution: 'worker' });
  });

  it('cache: false plans afresh and stores nothing', async () => {
    const r = await svgd({ ...small, data: { times: times.slice(0, 50) }, cache: false });
    expect(r.diagnostics).toMatchObject({ planned: 1, recorded: 0 });
  });
});

describe('the run', () => {
  it('stops once the particles stop moving (tolerance, patience)', async () => {
    const r = await svgd({ ...small, iterations: 2000, schedule: 'exponential', tolerance: 0.01, patience: 3 });
    expect(r.diagnostics.stopped).toBe('converged');
    expect(r.diagnostics.iterations).toBeLessThan(2000);
    expect(r.history.iteration[r.history.iteration.length - 1]).toBe(r.diagnostics.iterations);
  });

  it('history is thinned to historyPoints, the last iteration always in it; historyParticles keeps the particles', async () => {
    const r = await svgd({ ...small, iterations: 45, historyPoints: 10, historyParticles: true, tolerance: 0 });
    expect(Array.from(r.history.iteration)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45]);
    expect(r.history.mean).toHaveLength(9);
    expect(r.history.particles).toHaveLength(9 * 20);
    expect(bits(r.history.particles!.subarray(8 * 20))).toEqual(bits(r.particles));
    expect(r.history.mean[8]).toBe(r.mean[0]);
  });

  it('reports mean, sd and the asked quantiles per parameter, keyed by probability', async () => {
    const r = await svgd({ ...small, quantiles: [0.1, 0.5, 0.9] });
    expect(Object.keys(r.quantiles)).toEqual(['0.1', '0.5', '0.9']);
    const sorted = Array.from(r.particles).sort((x, y) => x - y);
    expect(r.quantiles['0.5'][0]).toBe((sorted[9] + sorted[10]) / 2);
    expect(r.quantiles['0.1'][0]).toBeLessThan(r.quantiles['0.9'][0]);
  });

  it('starts from given particles (θ rows), fixed parameters held', async () => {
    const g = models.rabbits(2);
    const start = Float64Array.from({ length: 8 * 3 }, (_, i) => (i % 3 === 0 ? 99 : 1 + (i % 7) / 3));
    const r = await svgd({ model: g, data: { times: g.sample(30, { theta: [1, 2, 4], seed: 1 }) }, particles: start, fixed: [1.5], iterations: 3, seed: 1, execution: 'inline' });
    expect(r.particles).toHaveLength(24);
    for (let p = 0; p < 8; p++) expect(r.particles[3 * p]).toBe(1.5);
    expect(r.mean[0]).toBe(1.5);
    expect(r.sd[0]).toBe(0);
    expect(r.diagnostics.freeParameters).toBe(2);
  });

  it('a prior of your own runs the loop here and the batches in the pool; with gamma\'s gradient it moves the particles as the gamma prior does', async () => {
    const own = { logDensity: (x: number) => Math.log(x) - x, gradient: (x: number) => 1 / x - 1, sample: (random: () => number) => -Math.log(1 - random()) - Math.log(1 - random()) };
    const mine = await svgd({ ...small, execution: undefined, pool, prior: own, particles: Float64Array.of(1, 1.5, 2, 2.5, 3) });
    const gamma = await svgd({ ...small, prior: { gamma: { shape: 2, rate: 1 } }, particles: Float64Array.of(1, 1.5, 2, 2.5, 3) });
    expect(mine.diagnostics.execution).toBe('pool');
    expect(bits(mine.particles)).toEqual(bits(gamma.particles));
  });

  it('particles where the graph refuses θ fail alone: counted, not thrown', async () => {
    // A prior on the whole real line lets particles reach θ ≤ 0, where the rates are negative.
    const normal = { logDensity: (x: number) => -x * x / 8, gradient: (x: number) => -x / 4, support: 'real' as const };
    const r = await svgd({ ...small, execution: 'inline', prior: normal, particles: Float64Array.of(-1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3), iterations: 20 });
    expect(r.diagnostics.failedEvaluations).toBeGreaterThan(0);
    expect(r.diagnostics.transforms).toEqual(['identity']);
    expect(Array.from(r.particles).every(Number.isFinite)).toBe(true);
  });

  it('a particle whose gradient overflows (OVERFLOW) fails alone; the fit goes on', async () => {
    // Seeds that once sent a particle of this fit to θ ≈ 160, where the gradient was NaN.
    for (const seed of [2676017210, 2584593343]) {
      const r = await svgd({ ...small, seed });
      expect(Array.from(r.particles).every(Number.isFinite)).toBe(true);
    }
    // An evaluator that overflows past θ = 5, whatever the kernel does there.
    const evaluator = await createEvaluator(model, { kind: 'loglik', data: { times } });
    const overflowing = Object.create(evaluator) as typeof evaluator;
    overflowing.evaluate = async (options) => {
      if (Array.from(options!.thetas as Float64Array).some((x) => x > 5)) throw new GraphError('OVERFLOW', 'a gradient is NaN');
      return evaluator.evaluate(options);
    };
    const plan = planSvgd({ particles: Float64Array.of(1, 1.5, 2, 2.5, 8), iterations: 5, seed: 1 }, 1);
    const run = await runSvgd(overflowing, plan);
    expect(run.failedEvaluations).toBeGreaterThanOrEqual(1);
    expect(Array.from(run.thetas).every(Number.isFinite)).toBe(true);
  });

  it('data impossible at every particle end the fit with BAD_DATA', async () => {
    const g = models.coalescent(3); // two coalescences before absorption: the density at t = 0 is 0 for every θ
    const error = await svgd({ model: g, data: { times: [0] }, particles: 5, iterations: 3, seed: 1, execution: 'inline' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'BAD_DATA' });
  });
});

describe('bad options are refused with BAD_ARGUMENT, naming the problem, before any work', () => {
  const g = models.rabbits(2);
  const data = { times: [1, 2] };
  it.each([
    [{ prior: { beta: { a: 1, b: 1 } } }, /expected exactly one of gamma, logNormal, halfNormal, uniform/],
    [{ prior: [{ gamma: { shape: 2, rate: 1 } }] }, /prior has 1 entries but the model has 3 parameters/],
    [{ prior: { gamma: { shape: -2, rate: 1 } } }, /shape must be a finite number > 0/],
    [{ prior: { uniform: { low: 2, high: 1 } } }, /high must exceed low/],
    [{ particles: 0 }, /particles must be an integer/],
    [{ particles: Float64Array.of(1, 2) }, /multiple of paramLength = 3/],
    [{ particles: Float64Array.of(1, -2, 3) }, /particle 0: θ\[1\] = -2 lies outside/],
    [{ iterations: 1.5 }, /iterations must be an integer/],
    [{ fixed: [1, 2, 3] }, /every parameter is fixed/],
    [{ fixed: [1, 'x'] }, /fixed\[1\] must be a finite number or null/],
    [{ optimizer: 'sgd' }, /optimizer must be 'adam' or 'adagrad'/],
    [{ schedule: 'linear' }, /schedule must be/],
    [{ stepSize: 0 }, /stepSize must be a finite number > 0/],
    [{ quantiles: [0.5, 2] }, /quantiles\[1\] must be a probability/],
    [{ batchSize: 0 }, /batchSize must be an integer/],
    [{ positiveTransform: 'exp' }, /positiveTransform must be 'log' or 'softplus'/],
    [{ execution: 'gpu' }, /execution must be 'worker', 'pool' or 'inline'/],
    [{ execution: 'worker', prior: { logDensity: (): number => 0, gradient: (): number => 0 }, particles: Float64Array.of(1, 1, 1) }, /cannot cross to a worker/],
    [{ prior: { logDensity: (): number => 0, gradient: (): number => 0 } }, /the prior of θ\[0\] has no sample\(\)/],
    [{ execution: 'pool', cache: false }, /cache: false is for execution 'worker' or 'inline'/],
  ])('%j', async (options, message) => {
    const error = await svgd({ model: g, data, ...(options as Partial<SvgdOptions>) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'BAD_ARGUMENT' });
    expect((error as Error).message).toMatch(message);
  });

  it('data of the wrong kind is refused with the data\'s own error', async () => {
    await expect(svgd({ model: g, data: { steps: [1] } })).rejects.toMatchObject({ code: 'WRONG_KIND' });
    await expect(svgd({ model: g, data: { times: [-1] } })).rejects.toMatchObject({ code: 'BAD_DATA' });
  });

  it('mini-batches are for times or steps, not counts', async () => {
    const c = models.coalescent(4);
    const error = await svgd({ model: c, data: { counts: [3, 2, 1], rewards: models.coalescentSfsRewards(c) }, batchSize: 2, execution: 'inline' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_ARGUMENT' });
    expect((error as Error).message).toMatch(/batchSize is for times or steps/);
  });

  it('a model without parameters has nothing to fit', async () => {
    const { Graph } = await import('../../src/index.js');
    await expect(svgd({ model: Graph.fromMatrices([1], [[-2]]), data: { times: [1] } })).rejects.toThrow(/no parameters: there is nothing to fit/);
  });
});
