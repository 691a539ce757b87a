// Kingman's coalescent (SFS state space), n = 3..12, against closed forms and
// the dense oracle on a state space built independently in fixtures.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import {
  DENSITY_TOL, MOMENT_TOL, TIMES, byState, coalescentSpec, denseAt, expectAbsClose, expectRelClose, specFromGraph,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

const sizes = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const thetas = [[1], [0.37], [2.5]];

describe.each(sizes)('coalescent n = %i', (n) => {
  const spec = coalescentSpec(n);

  it('has E[TMRCA] = 2(1 − 1/n) at θ = [1]', () => {
    expectRelClose([models.coalescent(n).expectation({ theta: [1] })], [2 * (1 - 1 / n)], MOMENT_TOL);
  });

  it('has Var[TMRCA] = Σ_{k=2..n} (2/(k(k−1)))² at θ = [1]', () => {
    let v = 0;
    for (let k = 2; k <= n; k++) v += (2 / (k * (k - 1))) ** 2;
    expectRelClose([models.coalescent(n).variance({ theta: [1] })], [v], MOMENT_TOL);
  });

  it('has expected SFS branch length 2/i for lineages with i descendants', () => {
    const g = models.coalescent(n);
    for (let i = 1; i < n; i++) {
      const rewards = Array.from({ length: g.vertexCount }, (_, v) => (v === 0 ? 0 : g.stateOf(v)[i - 1]));
      expectRelClose([g.expectation({ theta: [1], rewards })], [2 / i], MOMENT_TOL, `ξ_${i}`);
    }
  });

  it('has the same state space as the definition in graph-format.md', () => {
    const got = specFromGraph(models.coalescent(n));
    expect(got.states.length).toBe(spec.states.length);
    const key = (s: number[]): string => s.join(',');
    expect(new Set(got.states.slice(1).map(key))).toEqual(new Set(spec.states.slice(1).map(key)));
  });

  it('has dense moments E[T..T^5] at several θ', () => {
    const g = models.coalescent(n);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(g.moments(5, { theta }), C.moments(d.alpha, d.S, 5), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has dense SFS reward moments and covariances between classes 1 and 2', () => {
    const g = models.coalescent(n);
    const d = denseAt(spec, [1]);
    const r1 = spec.states.map((s, v) => (v === 0 ? 0 : s[0]));
    const r2 = spec.states.map((s, v) => (v === 0 ? 0 : s[1]));
    const g1 = byState(spec, r1, g);
    const g2 = byState(spec, r2, g);
    const rows = (r: number[]): number[] => d.rows.map((v) => r[v]);
    expectRelClose(g.moments(3, { theta: [1], rewards: g1 }), C.rewardMoments(d.alpha, d.S, rows(r1), 3), MOMENT_TOL, 'ξ1');
    expectRelClose(g.moments(3, { theta: [1], rewards: g2 }), C.rewardMoments(d.alpha, d.S, rows(r2), 3), MOMENT_TOL, 'ξ2');
    expectRelClose([g.covariance(g1, g2, { theta: [1] })], [C.covariance(d.alpha, d.S, rows(r1), rows(r2))], MOMENT_TOL, 'cov');
  });

  it('has the dense pdf and cdf on [0, 4] and near 0', () => {
    const g = models.coalescent(n);
    for (const theta of [[1], [2.5]]) {
      const d = denseAt(spec, theta);
      expectAbsClose(g.pdf(TIMES, { theta }), C.pdf(d.alpha, d.S, TIMES), DENSITY_TOL, `pdf θ=${theta}`);
      expectAbsClose(g.cdf(TIMES, { theta }), C.cdf(d.alpha, d.S, TIMES), DENSITY_TOL, `cdf θ=${theta}`);
    }
  });

  it('has the dense sojourn time in every state and 0 in the start and absorbing states', () => {
    const g = models.coalescent(n);
    const d = denseAt(spec, [0.8]);
    const perVertex = new Array<number>(spec.states.length).fill(0);
    C.sojournTimes(d.alpha, d.S).forEach((x, i) => (perVertex[d.rows[i]] = x));
    const want = byState(spec, perVertex, g);
    const got = g.sojournTimes({ theta: [0.8] });
    want.forEach((w, v) => (w === 0 ? expect(got[v]).toBe(0) : expectRelClose([got[v]], [w], MOMENT_TOL, `vertex ${v}`)));
  });
});

describe('coalescent sizes', () => {
  it('has 43 vertices for n = 10 and 628 for n = 20 (graph-format.md)', () => {
    expect(models.coalescent(10).vertexCount).toBe(43);
    expect(models.coalescent(20).vertexCount).toBe(628);
  });

  it('has E[TMRCA] = 2(1 − 1/n) for n = 30 (5,605 vertices)', () => {
    const g = models.coalescent(30);
    expect(g.vertexCount).toBe(5605);
    expectRelClose([g.expectation({ theta: [1] })], [2 * (1 - 1 / 30)], MOMENT_TOL);
  });
});
