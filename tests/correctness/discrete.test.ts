// Discrete phase-type graphs against matrix powers and factorial moments.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, ready } from '../../src/index.js';
import { discrete as D } from '../oracle/index.js';
import {
  DENSITY_TOL, MOMENT_TOL, buildGraph, denseAt, expectAbsClose, expectRelClose, onRows, randomRewards, randomSpec, randomTheta,
  type SpecCase,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

const STEPS = Array.from({ length: 41 }, (_, k) => k);

describe('geometric distribution', () => {
  const p = 0.35;
  /** Stay-put given either implicitly (missing mass) or as an explicit self-loop. */
  const geometric = (selfLoop: boolean): Graph => {
    const g = new Graph({ stateLength: 1, discrete: true });
    const v = g.findOrCreateVertex([1]);
    g.start.addEdge(v, 1);
    if (selfLoop) v.addEdge(v, 1 - p);
    v.addEdge(g.findOrCreateVertex([2]), p);
    return g;
  };

  it.each([false, true])('has pmf (1−p)^{k−1}p (explicit self-loop: %s)', (selfLoop) => {
    expectAbsClose(geometric(selfLoop).pmf(STEPS), STEPS.map((k) => (k === 0 ? 0 : (1 - p) ** (k - 1) * p)), DENSITY_TOL);
  });

  it('has cdf 1 − (1−p)^k', () => {
    expectAbsClose(geometric(false).cdf(STEPS), STEPS.map((k) => 1 - (1 - p) ** k), DENSITY_TOL);
  });

  it('has mean 1/p, second moment (2−p)/p² and third (p² − 6p + 6)/p³', () => {
    expectRelClose(geometric(true).moments(3), [1 / p, (2 - p) / p ** 2, (p * p - 6 * p + 6) / p ** 3], MOMENT_TOL);
  });

  it('spends 1/p steps in its state but enters it once', () => {
    const g = geometric(true);
    expectRelClose([g.sojournTimes()[1]], [1 / p], MOMENT_TOL);
    expectRelClose([g.expectedVisits()[1]], [1], MOMENT_TOL);
  });
});

describe('negative binomial distribution', () => {
  it('has pmf (k−1)p²(1−p)^{k−2} as two geometric stages in series', () => {
    const p = 0.2;
    const g = Graph.fromMatrices([1, 0], [[1 - p, p], [0, 1 - p]], { discrete: true });
    expectAbsClose(g.pmf(STEPS), STEPS.map((k) => (k < 2 ? 0 : (k - 1) * p * p * (1 - p) ** (k - 2))), DENSITY_TOL);
  });
});

const cases: SpecCase[] = [];
for (const params of [0, 1, 2, 3])
  for (const absorbing of [1, 2] as const)
    for (const defective of [false, true]) {
      const seed = 500 + 100 * params + 10 * absorbing + Number(defective);
      const spec = randomSpec({ seed, vertices: 11, params, absorbing, defective, discrete: true });
      const thetas = params === 0 ? [[]] : [randomTheta(seed, params, 0, 1), new Array(params).fill(1), new Array(params).fill(0)];
      cases.push({ name: `${params} params, ${absorbing} absorbing${defective ? ', defective α' : ''} (seed ${seed})`, spec, thetas });
    }

describe.each(cases)('random discrete graph with cycles: $name', ({ spec, thetas }) => {
  it('has pmf α T^{k−1} t (and 1 − Σα at 0) for k = 0..40', () => {
    const g = buildGraph(spec);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectAbsClose(g.pmf(STEPS, { theta }), D.pmf(d.alpha, d.S, STEPS), DENSITY_TOL, `θ=${theta}`);
    }
  });

  it('has cdf 1 − α T^k 1 for k = 0..40', () => {
    const g = buildGraph(spec);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectAbsClose(g.cdf(STEPS, { theta }), D.cdf(d.alpha, d.S, STEPS), DENSITY_TOL, `θ=${theta}`);
    }
  });

  it('has raw moments of τ from factorial moments and Stirling numbers', () => {
    const g = buildGraph(spec);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(g.moments(4, { theta }), D.moments(d.alpha, d.S, 4), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has reward moments of Σ_{n<τ} r(X_n) (zero rewards included)', () => {
    const g = buildGraph(spec);
    thetas.forEach((theta, i) => {
      const d = denseAt(spec, theta);
      const r = randomRewards(i + 3, spec);
      expectRelClose(g.moments(3, { theta, rewards: r }), D.rewardMoments(d.alpha, d.S, onRows(d, r), 3), MOMENT_TOL, `θ=${theta}`);
    });
  });

  it('has the covariance of two accumulated rewards', () => {
    const g = buildGraph(spec);
    thetas.forEach((theta, i) => {
      const d = denseAt(spec, theta);
      const a = randomRewards(i + 21, spec);
      const b = randomRewards(i + 22, spec, 0);
      expectRelClose([g.covariance(a, b, { theta })], [D.covariance(d.alpha, d.S, onRows(d, a), onRows(d, b))], 1e-9, `θ=${theta}`);
    });
  });

  it('has expected steps α(I−T)^{-1} and entries steps·(1 − T_ii) per vertex', () => {
    const g = buildGraph(spec);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(onRows(d, g.sojournTimes({ theta })), D.sojournTimes(d.alpha, d.S), MOMENT_TOL, `steps θ=${theta}`);
      expectRelClose(onRows(d, g.expectedVisits({ theta })), D.expectedVisits(d.alpha, d.S), MOMENT_TOL, `visits θ=${theta}`);
    }
  });

  it('exposes the sub-transition matrix with its stay-put diagonal in toMatrices', () => {
    const g = buildGraph(spec);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      const m = g.toMatrices(theta);
      expect(Array.from(m.vertexOf)).toEqual(d.rows);
      m.S.forEach((row, i) => expectAbsClose(row, d.S[i], 1e-14, `T[${i}]`));
      expectAbsClose(m.exit, D.exitProbabilities(d.S), 1e-14, 'exit');
    }
  });

  it('keeps its pmf and moments through a JSON round trip', () => {
    const theta = thetas[0];
    const g = Graph.fromJSON(JSON.stringify(buildGraph(spec).toJSON()));
    expect(g.discrete).toBe(true);
    const d = denseAt(spec, theta);
    expectAbsClose(g.pmf(STEPS, { theta }), D.pmf(d.alpha, d.S, STEPS), DENSITY_TOL);
    expectRelClose(g.moments(3, { theta }), D.moments(d.alpha, d.S, 3), MOMENT_TOL);
  });

  it('is rebuilt by fromMatrices with the same pmf and moments', () => {
    const theta = thetas[0];
    const d = denseAt(spec, theta);
    const g = Graph.fromMatrices(d.alpha, d.S, { discrete: true });
    expectAbsClose(g.pmf(STEPS), D.pmf(d.alpha, d.S, STEPS), DENSITY_TOL);
    expectRelClose(g.moments(3), D.moments(d.alpha, d.S, 3), MOMENT_TOL);
  });
});
