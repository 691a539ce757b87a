// Nearly closed chains, stiff rates and larger graphs: where a careless
// elimination loses digits. Moments are checked against subtraction-free (GTH)
// dense solves, which stay accurate there.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../src/index.js';
import { continuous as C, gthRewardMoments } from '../oracle/index.js';
import {
  DENSITY_TOL, MOMENT_TOL, buildGraph, denseAt, expectAbsClose, expectRelClose, onRows, randomRewards, randomSpec, randomTheta,
  withScaledExits, withStiffRates,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

describe.each([1e-4, 1e-7, 1e-10])('random cyclic graphs whose exits are scaled by %s (nearly closed)', (eps) => {
  it.each([1, 2, 3, 4])('has moments E[T..T^3] to 1e-10 relative (seed %i)', (seed) => {
    const spec = withScaledExits(randomSpec({ seed: 300 + seed, vertices: 20, params: 2, absorbing: 2, defective: seed % 2 === 0 }), eps);
    const theta = randomTheta(seed, 2);
    const d = denseAt(spec, theta);
    const want = gthRewardMoments(d.alpha, d.A, d.exit, new Array(d.rows.length).fill(1), 3);
    expectRelClose(buildGraph(spec).moments(3, { theta }), want, MOMENT_TOL);
  });

  it('has reward moments with zero rewards to 1e-10 relative', () => {
    const spec = withScaledExits(randomSpec({ seed: 377, vertices: 16, params: 1, absorbing: 1, defective: false }), eps);
    const r = randomRewards(2, spec, 0.3);
    const d = denseAt(spec, [1.1]);
    expectRelClose(buildGraph(spec).moments(3, { theta: [1.1], rewards: r }), gthRewardMoments(d.alpha, d.A, d.exit, onRows(d, r), 3), MOMENT_TOL);
  });

  it('has the expected sojourn times to 1e-10 relative', () => {
    const spec = withScaledExits(randomSpec({ seed: 391, vertices: 12, params: 0, absorbing: 2, defective: true }), eps);
    const d = denseAt(spec);
    const got = buildGraph(spec).sojournTimes();
    // Sojourn in row j = α U e_j = reward moment with the indicator reward of j.
    d.rows.forEach((v, j) => {
      const e = d.rows.map((_, i) => (i === j ? 1 : 0));
      expectRelClose([got[v]], gthRewardMoments(d.alpha, d.A, d.exit, e, 1), MOMENT_TOL, `vertex ${v}`);
    });
  });
});

describe.each([2, 4])('random cyclic graphs with rates spread over ±%i decades (stiff)', (span) => {
  it.each([1, 2, 3])('has moments to 1e-10 relative (seed %i)', (seed) => {
    const spec = withStiffRates(randomSpec({ seed: 600 + seed, vertices: 25, params: 1, absorbing: 2, defective: false }), span, seed);
    const d = denseAt(spec, [0.9]);
    const want = gthRewardMoments(d.alpha, d.A, d.exit, new Array(d.rows.length).fill(1), 4);
    expectRelClose(buildGraph(spec).moments(4, { theta: [0.9] }), want, MOMENT_TOL);
  });

  it('has the dense pdf and cdf on [0, 4]', () => {
    const spec = withStiffRates(randomSpec({ seed: 650, vertices: 12, params: 0, absorbing: 1, defective: true }), span, 9);
    const d = denseAt(spec);
    const ts = [0, 1e-6, 1e-3, 0.1, 0.5, 1, 2, 4];
    expectAbsClose(buildGraph(spec).pdf(ts), C.pdf(d.alpha, d.S, ts), DENSITY_TOL, 'pdf');
    expectAbsClose(buildGraph(spec).cdf(ts), C.cdf(d.alpha, d.S, ts), DENSITY_TOL, 'cdf');
  });
});

describe('larger random cyclic graphs', () => {
  it.each([60, 150])('has dense moments and variance with %i transient vertices', (n) => {
    const spec = randomSpec({ seed: n, vertices: n, params: 3, absorbing: 2, defective: true });
    const theta = randomTheta(n, 3);
    const d = denseAt(spec, theta);
    const g = buildGraph(spec);
    expectRelClose(g.moments(4, { theta }), C.moments(d.alpha, d.S, 4), MOMENT_TOL, 'moments');
    expectRelClose([g.variance({ theta })], [C.variance(d.alpha, d.S)], MOMENT_TOL, 'variance');
  });

  it('has the dense pdf and cdf with 100 transient vertices', () => {
    const spec = randomSpec({ seed: 100, vertices: 100, params: 1, absorbing: 1, defective: false });
    const d = denseAt(spec, [1.7]);
    const ts = [0, 1e-5, 0.2, 1, 2.5, 4];
    const g = buildGraph(spec);
    expectAbsClose(g.pdf(ts, { theta: [1.7] }), C.pdf(d.alpha, d.S, ts), DENSITY_TOL, 'pdf');
    expectAbsClose(g.cdf(ts, { theta: [1.7] }), C.cdf(d.alpha, d.S, ts), DENSITY_TOL, 'cdf');
  });

  it('agrees with the LU oracle to 1e-5 on a nearly closed chain (the oracles agree)', () => {
    const spec = withScaledExits(randomSpec({ seed: 8, vertices: 10, params: 0, absorbing: 1, defective: false }), 1e-7);
    const d = denseAt(spec);
    const gth = gthRewardMoments(d.alpha, d.A, d.exit, new Array(d.rows.length).fill(1), 2);
    expectRelClose(C.moments(d.alpha, d.S, 2), gth, 1e-5);
    expect(gth[0]).toBeGreaterThan(1e5);
  });
});
