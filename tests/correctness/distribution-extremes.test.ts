// pdf/cdf far outside [0, 4] or with extreme rates: the answer is trivial, so
// it must come back promptly, never as a hang, a crash or an allocation failure.
// Each case runs in a child process with a deadline.
import { describe, expect, it } from 'vitest';
import { runIsolated } from './isolated.js';

function expectPrompt(body: string, expected: number[], ms = 8_000): void {
  const r = runIsolated(body, ms);
  expect(r.timedOut, `no answer within ${ms} ms`).toBe(false);
  expect(r.crashed, `the process crashed:\n${r.output.slice(0, 600)}`).toBe(false);
  expect(r.value, r.output.slice(0, 600)).toBeInstanceOf(Array);
  (r.value as number[]).forEach((v, i) => expect(Math.abs(v - expected[i]), `entry ${i}: ${v} vs ${expected[i]}`).toBeLessThan(1e-9));
}

describe('distribution functions at extreme λt', () => {
  it('gives an exponential (λ = 1) pdf 0 and cdf 1 at t = 1e7', () => {
    expectPrompt('const g = Graph.fromMatrices([1], [[-1]]); return [...g.pdf([1e7]), ...g.cdf([1e7])];', [0, 1], 15_000);
  }, 40_000);

  it('gives an exponential with rate 1e9 pdf 0 and cdf 1 at t = 1', () => {
    expectPrompt('const g = Graph.fromMatrices([1], [[-1e9]]); return [...g.pdf([1]), ...g.cdf([1])];', [0, 1]);
  }, 40_000);

  it('survives an exponential with rate 1e300 at t = 1 (pdf 0, cdf 1)', () => {
    expectPrompt('const g = Graph.fromMatrices([1], [[-1e300]]); return [...g.pdf([1]), ...g.cdf([1])];', [0, 1]);
  }, 40_000);

  it('gives a stiff two-phase chain (rates 1e6 and 1) its density at t = 1 promptly', () => {
    // Phase 1 is left at rate 1e6 for phase 2 (rate 1): the density at 1 is ≈ e^{-1}·1e6/(1e6 − 1)·(1 − e^{−(1e6−1)}).
    const f = (1e6 / (1e6 - 1)) * Math.exp(-1);
    expectPrompt('const g = Graph.fromMatrices([1, 0], [[-1e6, 1e6], [0, -1]]); return [...g.pdf([1])];', [f], 8_000);
  }, 40_000);

  it('gives a geometric (p = 1/2) pmf 0 and cdf 1 at k = 1e9 steps', () => {
    expectPrompt('const g = Graph.fromMatrices([1], [[0.5]], { discrete: true }); return [...g.pmf([1e9]), ...g.cdf([1e9])];', [0, 1]);
  }, 40_000);
});

describe('many points at once', () => {
  // Math.max(...points) passed them as arguments: past about 100,000 the stack overflowed
  // and pdf, cdf and pmf threw RangeError.
  it('pdf and cdf at 130,000 times, by stepping and by dense matrices, and a pmf at 130,000 step counts', async () => {
    const { models, ready, Graph } = await import('../../src/index.js');
    await ready();
    const g = models.coalescent(4);
    const times = Float64Array.from({ length: 130_000 }, (_, i) => (i + 1) / 25_000);
    const stepped = g.pdf(times, { theta: [1] });
    const dense = g.pdf(times, { theta: [1], method: 'dense' });
    expect(stepped).toHaveLength(130_000);
    for (const i of [0, 1234, 65_000, 129_999]) expect(Math.abs(stepped[i] - dense[i])).toBeLessThanOrEqual(1e-10);
    expect(g.cdf(times, { theta: [1] })[129_999]).toBeGreaterThan(0.99);
    const geometric = Graph.fromMatrices([1], [[0.5]], { discrete: true });
    const steps = Float64Array.from({ length: 130_000 }, (_, i) => i % 60);
    const pmf = geometric.pmf(steps, { method: 'dense' });
    expect(pmf[5]).toBeCloseTo(0.5 ** 5, 15);
  }, 60_000);
});
