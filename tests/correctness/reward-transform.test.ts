// Reward transformation: the absorption time of the transformed graph is the
// reward accumulated in the original, zero rewards (bypassed vertices) included.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import {
  DENSITY_TOL, MOMENT_TOL, buildGraph, byState, coalescentSpec, denseAt, expectAbsClose, expectRelClose, onRows,
  randomRewards, randomSpec, randomTheta, type GraphSpec,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

const cases: { name: string; spec: GraphSpec; zeroFraction: number }[] = [];
for (const params of [0, 1, 3])
  for (const absorbing of [1, 2] as const)
    for (const zeroFraction of [0, 0.3, 0.6]) {
      const seed = 70 + 10 * params + absorbing + 100 * zeroFraction;
      cases.push({
        name: `${params} params, ${absorbing} absorbing, ~${zeroFraction * 100}% zero rewards (seed ${seed})`,
        spec: randomSpec({ seed, vertices: 14, params, absorbing, defective: seed % 2 === 0 }),
        zeroFraction,
      });
    }

describe.each(cases)('reward transformation of a random cyclic graph: $name', ({ spec, zeroFraction }) => {
  const theta = spec.paramLength ? randomTheta(3, spec.paramLength) : [];
  const rewards = randomRewards(9, spec, zeroFraction);

  it('has moments equal to the reward moments of the original', () => {
    const g = buildGraph(spec);
    const t = g.rewardTransform(rewards, { theta });
    const tTheta = t.paramLength === 0 ? [] : theta;
    const want = g.moments(4, { theta, rewards });
    expectRelClose(t.moments(4, { theta: tTheta }), want, MOMENT_TOL, 'vs library');
    const d = denseAt(spec, theta);
    expectRelClose(want, C.rewardMoments(d.alpha, d.S, onRows(d, rewards), 4), MOMENT_TOL, 'vs oracle');
  });

  it('has the density of the dense reward-transformed distribution', () => {
    const g = buildGraph(spec);
    const t = g.rewardTransform(rewards, { theta });
    const tTheta = t.paramLength === 0 ? [] : theta;
    const d = denseAt(spec, theta);
    const o = C.rewardTransform(d.alpha, d.S, onRows(d, rewards));
    const ts = [0, 1e-6, 0.1, 0.5, 1, 2, 4];
    expectAbsClose(t.pdf(ts, { theta: tTheta }), C.pdf(o.alpha, o.S, ts), DENSITY_TOL, 'pdf');
    expectAbsClose(t.cdf(ts, { theta: tTheta }), C.cdf(o.alpha, o.S, ts), DENSITY_TOL, 'cdf');
  });
});

describe('reward transformation with positive rewards', () => {
  it('keeps the parameters, so the transformed graph is right at every θ', () => {
    const spec = randomSpec({ seed: 8, vertices: 10, params: 2, absorbing: 2, defective: false });
    const rewards = randomRewards(4, spec, 0);
    const t = buildGraph(spec).rewardTransform(rewards, { theta: [1, 1] });
    expect(t.paramLength).toBe(2);
    for (const theta of [[1, 1], [0.3, 2.2], [4, 0.5]]) {
      const d = denseAt(spec, theta);
      expectRelClose(t.moments(3, { theta }), C.rewardMoments(d.alpha, d.S, onRows(d, rewards), 3), MOMENT_TOL, `θ=${theta}`);
    }
  });
});

describe('reward transformation with zero rewards', () => {
  // 1 ⇄ 2 ⇄ 3 → 4 (absorbing), start → 1 (0.5), 2 (0.3); 2 and 3 may get zero rewards.
  const spec: GraphSpec = {
    stateLength: 1,
    paramLength: 0,
    discrete: false,
    states: [[0], [1], [2], [3], [4]],
    edges: [
      [0, 1, 0.5, []], [0, 2, 0.3, []],
      [1, 2, 2, []], [1, 4, 0.5, []],
      [2, 1, 1, []], [2, 3, 3, []],
      [3, 2, 0.7, []], [3, 4, 1.1, []], [3, 1, 0.2, []],
    ],
  };
  const check = (rewards: number[]): void => {
    const g = buildGraph(spec);
    const d = denseAt(spec);
    const t = g.rewardTransform(rewards);
    expectRelClose(t.moments(4), C.rewardMoments(d.alpha, d.S, onRows(d, rewards), 4), MOMENT_TOL);
  };

  it('bypasses a zero-reward vertex that the start vertex points to', () => check([0, 1, 0, 2, 0]));
  it('bypasses two adjacent zero-reward vertices that form a cycle', () => check([0, 1.5, 0, 0, 0]));
  it('bypasses a zero-reward vertex with a direct edge to absorption', () => check([0, 0, 2, 0.5, 0]));

  it('moves the initial mass of a bypassed start target straight to absorption (an atom at zero)', () => {
    // Only vertex 3 earns reward; paths that absorb from 1 without visiting 3 give R = 0.
    const rewards = [0, 0, 0, 1, 0];
    const g = buildGraph(spec);
    const d = denseAt(spec);
    const t = g.rewardTransform(rewards);
    const o = C.rewardTransform(d.alpha, d.S, onRows(d, rewards));
    expectAbsClose(t.cdf([0]), [1 - o.alpha.reduce((a, b) => a + b, 0)], DENSITY_TOL);
    expect(t.cdf([0])[0]).toBeGreaterThan(0.2);
  });

  it('turns all-zero rewards into a distribution with all its mass at zero', () => {
    const t = buildGraph(spec).rewardTransform([0, 0, 0, 0, 0]);
    expect(t.moments(2)).toEqual([0, 0]);
    expectAbsClose(t.cdf([0, 1]), [1, 1], DENSITY_TOL);
  });

  it('gives the same result as the reward moments of the original for the coalescent SFS classes', () => {
    const n = 7;
    const spec7 = coalescentSpec(n);
    const g = models.coalescent(n);
    const d = denseAt(spec7, [1]);
    for (let i = 0; i < n - 1; i++) {
      const r = spec7.states.map((s, v) => (v === 0 ? 0 : s[i]));
      const t = g.rewardTransform(byState(spec7, r, g), { theta: [1] });
      const tTheta = t.paramLength === 0 ? [] : [1];
      expectRelClose(t.moments(3, { theta: tTheta }), C.rewardMoments(d.alpha, d.S, onRows(d, r), 3), MOMENT_TOL, `ξ_${i + 1}`);
    }
  });

  it('leaves the original graph unchanged', () => {
    const g = buildGraph(spec);
    const before = g.moments(3);
    g.rewardTransform([0, 1, 0, 0, 0]);
    expect(g.moments(3)).toEqual(before);
    expect(g.toJSON()).toEqual(buildGraph(spec).toJSON());
  });

  it('matches Graph.fromMatrices of the dense transformed matrices', () => {
    const rewards = [0, 2, 0, 0.25, 0];
    const d = denseAt(spec);
    const o = C.rewardTransform(d.alpha, d.S, onRows(d, rewards));
    const viaDense = Graph.fromMatrices(o.alpha, o.S);
    expectRelClose(buildGraph(spec).rewardTransform(rewards).moments(3), viaDense.moments(3), MOMENT_TOL);
  });
});
