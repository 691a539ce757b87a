// The fit panel's adapter (demo/inference/fit.ts) onto phasekit's svgd(): its
// answer, the particles it reports while the loop runs, abort, and checked priors.
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { fit, type FitProgress } from '../../demo/inference/fit.js';
import { makePrior, priorDensity } from '../../demo/inference/priors.js';

await ready();
const pool = createPool({ size: 2 });
afterAll(() => pool.close());

/** One transient state left at rate θ: T ~ Exp(θ). */
const exponential = Graph.fromJSON({ paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]]] });

describe('fit', () => {
  it('answers the conjugate gamma posterior and reports the particles of every iteration', async () => {
    const times = exponential.sample(60, { theta: [2], seed: 5 });
    const shape = 2 + times.length, rate = 1 + times.reduce((s, t) => s + t, 0);
    const reports: FitProgress[] = [];
    const result = await fit({
      pool, graph: exponential, data: { times }, prior: [makePrior('gamma', [2, 1], 'θ')], fixed: [null],
      particles: 50, iterations: 200, seed: 3, onProgress: (p) => reports.push(p),
    });
    expect(Math.abs(result.mean[0] - shape / rate) / (shape / rate)).toBeLessThan(0.02);
    expect(Math.abs(result.sd[0] - Math.sqrt(shape) / rate) / (Math.sqrt(shape) / rate)).toBeLessThan(0.15);
    expect(result.quantiles['0.025'][0]).toBeLessThan(result.quantiles['0.975'][0]);
    expect(reports.length).toBe(result.iterations);
    expect(reports.every((p) => p.particles.length === 50 && p.particles.every((x) => x > 0))).toBe(true);
    expect(reports[0].particles).not.toEqual(reports[reports.length - 1].particles);
  }, 60_000);

  it('stops with AbortError when aborted', async () => {
    const controller = new AbortController();
    const running = fit({
      pool, graph: exponential, data: { times: Float64Array.of(0.5, 1, 2) }, prior: [makePrior('logNormal', [0, 1], 'θ')], fixed: [null],
      particles: 8, iterations: 100_000, seed: 1, signal: controller.signal, onProgress: (p) => { if (p.iteration === 3) controller.abort(); },
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('priors', () => {
  it('are checked by phasekit, naming the parameter and the field', () => {
    expect(() => makePrior('gamma', [0, 1], 'the prior of rate λ₁')).toThrow(/rate λ₁.*shape/);
    expect(() => makePrior('uniform', [3, 2], 'θ')).toThrow(/low/);
  });

  it('have densities that integrate to 1 for the plot', () => {
    for (const prior of [makePrior('gamma', [3, 2], 'θ'), makePrior('halfNormal', [1.5], 'θ'), makePrior('uniform', [0.5, 4], 'θ')]) {
      let total = 0;
      for (let x = 5e-4; x < 40; x += 1e-3) total += priorDensity(prior, x) * 1e-3;
      expect(total).toBeCloseTo(1, 3);
    }
  });
});
