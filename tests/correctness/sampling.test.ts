// Seeded sampling: reproducible, and its mean and variance within 5 standard
// errors of the exact values from the dense oracle.
import { beforeAll, describe, expect, it } from 'vitest';
import { models, ready, seededRandom } from '../../src/index.js';
import { continuous as C, discrete as D } from '../oracle/index.js';
import { buildGraph, coalescentSpec, denseAt, onRows, randomRewards, randomSpec, type GraphSpec } from './fixtures.js';

beforeAll(async () => {
  await ready();
});

const N = 40_000;

/** Asserts sample mean and variance lie within 5 standard errors of the exact ones (from raw moments m1..m4). */
function expectMatchesMoments(x: Float64Array, [m1, m2, m3, m4]: number[]): void {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  const sampleVar = ss / (n - 1);
  const variance = m2 - m1 * m1;
  const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
  const seMean = Math.sqrt(variance / n);
  const seVar = Math.sqrt((mu4 - variance * variance) / n);
  expect(Math.abs(mean - m1), `mean ${mean} vs ${m1} (SE ${seMean})`).toBeLessThan(5 * seMean);
  expect(Math.abs(sampleVar - variance), `variance ${sampleVar} vs ${variance} (SE ${seVar})`).toBeLessThan(5 * seVar);
}

describe('sampling reproducibility', () => {
  const spec = randomSpec({ seed: 31, vertices: 9, params: 1, absorbing: 2, defective: true });

  it('returns the same draws for the same seed', () => {
    const g = buildGraph(spec);
    const a = g.sample(500, { theta: [1.2], seed: 7 });
    const b = buildGraph(spec).sample(500, { theta: [1.2], seed: 7 });
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('returns different draws for a different seed', () => {
    const g = buildGraph(spec);
    expect(Array.from(g.sample(50, { theta: [1.2], seed: 8 }))).not.toEqual(Array.from(g.sample(50, { theta: [1.2], seed: 7 })));
  });

  it('returns an empty array for n = 0', () => {
    expect(buildGraph(spec).sample(0, { theta: [1], seed: 1 }).length).toBe(0);
  });

  it('draws only finite, non-negative values', () => {
    const x = buildGraph(spec).sample(2000, { theta: [1], seed: 3 });
    expect(x.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});

describe('sampling accuracy', () => {
  it('matches E[T] and Var[T] of a random cyclic graph', () => {
    const spec = randomSpec({ seed: 12, vertices: 15, params: 2, absorbing: 2, defective: false });
    const d = denseAt(spec, [0.7, 1.9]);
    expectMatchesMoments(buildGraph(spec).sample(N, { theta: [0.7, 1.9], seed: 2024 }), C.moments(d.alpha, d.S, 4));
  });

  it('matches the moments of a defective random graph and its atom at zero', () => {
    const spec = randomSpec({ seed: 13, vertices: 10, params: 0, absorbing: 1, defective: true });
    const d = denseAt(spec);
    const x = buildGraph(spec).sample(N, { seed: 99 });
    expectMatchesMoments(x, C.moments(d.alpha, d.S, 4));
    const atom = 1 - d.alpha.reduce((a, b) => a + b, 0);
    const zeros = x.filter((v) => v === 0).length / N;
    expect(Math.abs(zeros - atom)).toBeLessThan(5 * Math.sqrt((atom * (1 - atom)) / N));
  });

  it('matches the reward moments when sampling accumulated rewards (zeros included)', () => {
    const spec = randomSpec({ seed: 14, vertices: 12, params: 1, absorbing: 1, defective: false });
    const rewards = randomRewards(5, spec, 0.3);
    const d = denseAt(spec, [2]);
    const x = buildGraph(spec).sample(N, { theta: [2], seed: 5, rewards });
    expectMatchesMoments(x, C.rewardMoments(d.alpha, d.S, onRows(d, rewards), 4));
  });

  it('matches the TMRCA moments of the coalescent (n = 8)', () => {
    const spec: GraphSpec = coalescentSpec(8);
    const d = denseAt(spec, [1]);
    expectMatchesMoments(models.coalescent(8).sample(N, { theta: [1], seed: 11 }), C.moments(d.alpha, d.S, 4));
  });

  it('draws integer step counts with the moments of a discrete graph', () => {
    const spec = randomSpec({ seed: 15, vertices: 8, params: 1, absorbing: 2, defective: true, discrete: true });
    const d = denseAt(spec, [0.5]);
    const x = buildGraph(spec).sample(N, { theta: [0.5], seed: 21 });
    expect(x.every((v) => Number.isInteger(v))).toBe(true);
    expectMatchesMoments(x, D.moments(d.alpha, d.S, 4));
  });

  it('matches the reward moments of a discrete graph', () => {
    const spec = randomSpec({ seed: 16, vertices: 8, params: 0, absorbing: 1, defective: false, discrete: true });
    const rewards = randomRewards(6, spec, 0.3);
    const d = denseAt(spec);
    expectMatchesMoments(buildGraph(spec).sample(N, { seed: 4, rewards }), D.rewardMoments(d.alpha, d.S, onRows(d, rewards), 4));
  });
});

describe('sampling with a caller-supplied generator', () => {
  it('uses the rng option instead of the seed', () => {
    const spec = randomSpec({ seed: 41, vertices: 6, params: 0, absorbing: 1, defective: false });
    const g = buildGraph(spec);
    const viaSeed = g.sample(100, { seed: 7 });
    const viaRng = g.sample(100, { rng: seededRandom(7), seed: 12345 });
    expect(Array.from(viaRng)).toEqual(Array.from(viaSeed));
  });
});
