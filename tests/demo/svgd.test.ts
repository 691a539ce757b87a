// The demo's SVGD (demo/inference/svgd-on-pool.ts) against a posterior known in
// closed form: exponential times with rate θ and a gamma(a, b) prior give a
// gamma(a + n, b + Σt) posterior. It runs on a real worker pool.
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { svgdOnPool, summarise } from '../../demo/inference/svgd-on-pool.js';

await ready();
const pool = createPool({ size: 2 });
afterAll(() => pool.close());

/** One transient state left at rate θ: T ~ Exp(θ). */
const exponential = Graph.fromJSON({ paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]]] });

describe('SVGD on the pool', () => {
  it('matches the conjugate gamma posterior: mean within 2 %, sd within 15 %', async () => {
    const times = exponential.sample(60, { theta: [2], seed: 5 });
    const a = 2, b = 1, total = times.reduce((s, t) => s + t, 0);
    const shape = a + times.length, rate = b + total;
    const result = await svgdOnPool({
      pool, graph: exponential, data: { times }, prior: [{ gamma: { shape: a, rate: b } }], fixed: [null],
      particles: 64, iterations: 300, seed: 3,
    });
    expect(Math.abs(result.mean[0] - shape / rate) / (shape / rate)).toBeLessThan(0.02);
    expect(Math.abs(result.sd[0] - Math.sqrt(shape) / rate) / (Math.sqrt(shape) / rate)).toBeLessThan(0.15);
  }, 60_000);

  it('gives the same particles for the same seed', async () => {
    const times = exponential.sample(20, { theta: [1], seed: 1 });
    const run = () => svgdOnPool({ pool, graph: exponential, data: { times }, prior: [{ lognormal: { mu: 0, sigma: 1 } }], fixed: [null], particles: 8, iterations: 10, seed: 9 });
    expect(Array.from((await run()).particles)).toEqual(Array.from((await run()).particles));
  });

  it('stops with AbortError when aborted, and the pool computes afterwards', async () => {
    const times = exponential.sample(20, { theta: [1], seed: 1 });
    const controller = new AbortController();
    const running = svgdOnPool({
      pool, graph: exponential, data: { times }, prior: [{ gamma: { shape: 2, rate: 1 } }], fixed: [null], particles: 8, iterations: 100_000, seed: 1,
      signal: controller.signal, onProgress: (p) => { if (p.iteration === 3) controller.abort(); },
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(await pool.expectation(exponential, { theta: [4] })).toBeCloseTo(0.25, 14);
  });

  it('refuses a fit with every parameter fixed', async () => {
    const times = Float64Array.of(1, 2);
    await expect(svgdOnPool({ pool, graph: exponential, data: { times }, prior: [{ gamma: { shape: 2, rate: 1 } }], fixed: [1], particles: 8, iterations: 5, seed: 1 }))
      .rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('says so when the data are impossible at every particle', async () => {
    const discrete = Graph.fromJSON({ paramLength: 1, stateLength: 1, discrete: true, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]], [2, 3, 0, [1]]] });
    // Two phases: fewer than 2 steps is impossible for any success probability.
    await expect(svgdOnPool({ pool, graph: discrete, data: { steps: Float64Array.of(1, 1) }, prior: [{ uniform: { low: 0, high: 1 } }], fixed: [null], particles: 8, iterations: 5, seed: 1 }))
      .rejects.toMatchObject({ code: 'BAD_DATA' });
  });
});

describe('summarise', () => {
  it('gives each parameter\'s mean, sd and quantiles over the particles', () => {
    const particles = Float64Array.from({ length: 101 * 2 }, (_, i) => (i % 2 ? 10 : 0) + Math.floor(i / 2));
    const s = summarise(particles, 2);
    expect(s.mean).toEqual([50, 60]);
    expect(s.quantiles['0.5']).toEqual([50, 60]);
    expect(s.quantiles['0.025'][0]).toBeCloseTo(2.5, 12);
  });
});
