// Traces (compile → TraceModel) against the dense oracle: moments on
// cyclic graphs (phasic's defect 1), results never taken from another graph
// with the same structure (defect 2), and reverse-mode gradients against
// the exact derivative α U (∂S/∂θ) U … of every moment.
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, models, ready } from '../../src/index.js';
import { continuous as C, discrete as D } from '../oracle/index.js';
import {
  MOMENT_TOL, buildGraph, byState, coalescentSpec, dSdTheta, denseAt, expectRelClose, onRows, rabbitsSpec, randomRewards,
  randomSpec, randomTheta, type GraphSpec,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

/** Asserts each gradient entry is within tol of the exact one, relative to the gradient's largest entry. */
function expectGradientClose(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  want.forEach((w, i) => {
    const err = Math.abs(got[i] - w);
    if (!(err <= tol * scale)) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${w} (error ${err.toExponential(2)} > ${tol} × ${scale.toExponential(2)})`);
  });
}

/** Exact ∂E[R^k]/∂θ_i for k = 1..K, as gradients[k−1][i]. */
function exactGradients(spec: GraphSpec, theta: number[], r: number[] | undefined, K: number): number[][] {
  const d = denseAt(spec, theta);
  const rr = r ? onRows(d, r) : new Array<number>(d.rows.length).fill(1);
  const perParam = theta.map((_, i) => C.rewardMomentDerivatives(d.alpha, d.S, dSdTheta(spec, d, i), rr, K));
  return Array.from({ length: K }, (_, k) => perParam.map((g) => g[k]));
}

const cases: { name: string; spec: GraphSpec }[] = [];
for (const params of [1, 2, 3])
  for (const absorbing of [1, 2] as const)
    for (const defective of [false, true]) {
      const seed = 2000 + 10 * params + 2 * absorbing + Number(defective);
      cases.push({
        name: `${params} params, ${absorbing} absorbing${defective ? ', defective α' : ''} (seed ${seed})`,
        spec: randomSpec({ seed, vertices: 15, params, absorbing, defective }),
      });
    }

describe.each(cases)('trace of a random cyclic graph: $name', ({ spec }) => {
  const thetas = [randomTheta(1, spec.paramLength), randomTheta(2, spec.paramLength), new Array(spec.paramLength).fill(1)];

  it('evaluates the dense moments E[T..T^3] at several θ', async () => {
    const ev = await compile(buildGraph(spec));
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(ev.moments(3, { theta }), C.moments(d.alpha, d.S, 3), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('evaluates the dense reward moments (zero rewards included)', async () => {
    const ev = await compile(buildGraph(spec));
    const r = randomRewards(5, spec);
    const d = denseAt(spec, thetas[0]);
    expectRelClose(ev.moments(3, { theta: thetas[0], rewards: r }), C.rewardMoments(d.alpha, d.S, onRows(d, r), 3), MOMENT_TOL);
  });

  it('evaluates the dense covariance of two reward vectors', async () => {
    const ev = await compile(buildGraph(spec));
    const a = randomRewards(6, spec);
    const b = randomRewards(7, spec, 0);
    const d = denseAt(spec, thetas[1]);
    expectRelClose([ev.covariance(a, b, { theta: thetas[1] })], [C.covariance(d.alpha, d.S, onRows(d, a), onRows(d, b))], MOMENT_TOL);
  });

  it('gives gradients of E[T], E[T²], E[T³] equal to the exact α-U-dS-U derivatives', async () => {
    const ev = await compile(buildGraph(spec));
    for (const theta of thetas) {
      const { moments, gradients } = ev.gradient(3, { theta });
      const d = denseAt(spec, theta);
      expectRelClose(moments, C.moments(d.alpha, d.S, 3), MOMENT_TOL, 'moments');
      exactGradients(spec, theta, undefined, 3).forEach((want, k) => expectGradientClose(gradients[k], want, 1e-9, `∂E[T^${k + 1}] θ=${theta}`));
    }
  });

  it('gives the gradient of a reward-weighted expectation', async () => {
    const ev = await compile(buildGraph(spec));
    const r = randomRewards(8, spec);
    const { gradients } = ev.gradient(1, { theta: thetas[2], rewards: r });
    expectGradientClose(gradients[0], exactGradients(spec, thetas[2], r, 1)[0], 1e-9, '∂E[R]');
  });

  it('evaluates a batch of θ row by row like single evaluations', async () => {
    const ev = await compile(buildGraph(spec));
    const batch = ev.momentsBatch(2, { thetas: Float64Array.from(thetas.flat()) });
    thetas.forEach((theta, i) => {
      const d = denseAt(spec, theta);
      expectRelClose(batch.subarray(2 * i, 2 * i + 2), C.moments(d.alpha, d.S, 2), MOMENT_TOL, `row ${i}`);
    });
  });
});

describe('traces on the cyclic rabbits model', () => {
  it('gives E[T] = 0.503826530612245 for N = 2 at θ = (1, 2, 4) (phasic trace: 0.46703)', async () => {
    const ev = await compile(models.rabbits(2));
    expectRelClose([ev.expectation({ theta: [1, 2, 4] })], [0.503826530612245], 1e-14);
  });

  it.each([2, 5, 10, 15, 20])('evaluates the dense moments and gradients for N = %i', async (N) => {
    const spec = rabbitsSpec(N);
    const g = models.rabbits(N);
    const ev = await compile(g);
    for (const theta of [[1, 2, 4], [0.3, 0.5, 0.2]]) {
      const d = denseAt(spec, theta);
      expectRelClose(ev.moments(3, { theta }), C.moments(d.alpha, d.S, 3), MOMENT_TOL, `θ=${theta}`);
      const { gradients } = ev.gradient(2, { theta });
      exactGradients(spec, theta, undefined, 2).forEach((want, k) => expectGradientClose(gradients[k], want, 1e-9, `∂E[T^${k + 1}]`));
    }
    const r = spec.states.map(([a]) => Math.max(0, a));
    const d = denseAt(spec, [1, 2, 4]);
    expectRelClose(ev.moments(2, { theta: [1, 2, 4], rewards: byState(spec, r, g) }), C.rewardMoments(d.alpha, d.S, onRows(d, r), 2), MOMENT_TOL, 'rewards');
  });
});

describe('traces on the coalescent', () => {
  it.each([3, 6, 9, 12])('gives E[TMRCA] = 2(1 − 1/n)/θ and its derivative −2(1 − 1/n)/θ² for n = %i', async (n) => {
    const ev = await compile(models.coalescent(n));
    const { moments, gradients } = ev.gradient(1, { theta: [1.6] });
    expectRelClose(moments, [(2 * (1 - 1 / n)) / 1.6], MOMENT_TOL);
    expectRelClose(gradients[0], [(-2 * (1 - 1 / n)) / 1.6 ** 2], 1e-9);
  });

  it('evaluates the dense SFS reward moments for n = 8', async () => {
    const spec = coalescentSpec(8);
    const g = models.coalescent(8);
    const ev = await compile(g);
    const d = denseAt(spec, [0.9]);
    for (let i = 0; i < 7; i++) {
      const r = spec.states.map((s, v) => (v === 0 ? 0 : s[i]));
      expectRelClose(ev.moments(2, { theta: [0.9], rewards: byState(spec, r, g) }), C.rewardMoments(d.alpha, d.S, onRows(d, r), 2), MOMENT_TOL, `ξ_${i + 1}`);
    }
  });
});

describe('traces shared between graphs of one structure', () => {
  it('gives two graphs differing only in constant weights their own expectations', async () => {
    const spec = randomSpec({ seed: 77, vertices: 10, params: 1, absorbing: 1, defective: false });
    const changed: GraphSpec = { ...spec, edges: spec.edges.map(([f, t, w, c]) => [f, t, f === 0 ? w : w * 3 + 0.5, c]) };
    const ev1 = await compile(buildGraph(spec));
    const ev2 = await compile(buildGraph(changed));
    for (const [s, ev] of [[spec, ev1], [changed, ev2], [spec, ev1]] as const) {
      const d = denseAt(s, [1.2]);
      expectRelClose([ev.expectation({ theta: [1.2] })], [C.expectation(d.alpha, d.S)], MOMENT_TOL);
    }
  });

  it('gives two graphs differing only in their initial distribution their own expectations', async () => {
    const spec = randomSpec({ seed: 78, vertices: 10, params: 1, absorbing: 2, defective: true });
    const changed: GraphSpec = { ...spec, edges: spec.edges.map(([f, t, w, c]) => [f, t, f === 0 ? w * 0.5 : w, c]) };
    const ev1 = await compile(buildGraph(spec));
    const ev2 = await compile(buildGraph(changed));
    for (const [s, ev] of [[spec, ev1], [changed, ev2]] as const) {
      const d = denseAt(s, [0.4]);
      expectRelClose([ev.expectation({ theta: [0.4] })], [C.expectation(d.alpha, d.S)], MOMENT_TOL);
    }
  });

  it('gives two graphs differing only in which parameter drives an edge their own expectations', async () => {
    const spec = randomSpec({ seed: 79, vertices: 10, params: 2, absorbing: 1, defective: false });
    const swapped: GraphSpec = { ...spec, edges: spec.edges.map(([f, t, w, c]) => [f, t, w, [c[1], c[0]]]) };
    const ev1 = await compile(buildGraph(spec));
    const ev2 = await compile(buildGraph(swapped));
    for (const [s, ev] of [[spec, ev1], [swapped, ev2]] as const) {
      const d = denseAt(s, [0.3, 2.5]);
      expectRelClose([ev.expectation({ theta: [0.3, 2.5] })], [C.expectation(d.alpha, d.S)], MOMENT_TOL);
    }
  });
});

describe('traces of discrete graphs', () => {
  it.each([1, 2])('evaluates the factorial-moment raw moments of τ (seed %i)', async (seed) => {
    const spec = randomSpec({ seed: 900 + seed, vertices: 10, params: 2, absorbing: 2, defective: seed === 2, discrete: true });
    const ev = await compile(buildGraph(spec));
    for (const theta of [[0.3, 0.8], [1, 1]]) {
      const d = denseAt(spec, theta);
      expectRelClose(ev.moments(3, { theta }), D.moments(d.alpha, d.S, 3), MOMENT_TOL, `θ=${theta}`);
    }
  });
});

describe('traces at θ where some rates are zero', () => {
  it.each([[[0, 2, 4]], [[1, 2, 0]], [[1, 0, 4]]])('evaluate the dense moments and exact gradients of rabbits N = 6 at θ = %j', async (theta) => {
    const spec = rabbitsSpec(6);
    const g = models.rabbits(6);
    const ev = await compile(g);
    const d = denseAt(spec, theta);
    expectRelClose(g.moments(2, { theta }), C.moments(d.alpha, d.S, 2), MOMENT_TOL, 'direct');
    const { moments, gradients } = ev.gradient(2, { theta });
    expectRelClose(moments, C.moments(d.alpha, d.S, 2), MOMENT_TOL, 'trace');
    exactGradients(spec, theta, undefined, 2).forEach((want, k) => expectGradientClose(gradients[k], want, 1e-9, `∂E[T^${k + 1}]`));
  });
});

describe('trace gradients of discrete graphs', () => {
  it.each([1, 2, 3])('give the exact ∂E[τ]/∂θ = α N (∂T/∂θ) N 1 (seed %i)', async (seed) => {
    const spec = randomSpec({ seed: 950 + seed, vertices: 12, params: 2, absorbing: 2, defective: seed === 2, discrete: true });
    const ev = await compile(buildGraph(spec));
    const theta = [0.4, 0.9];
    const d = denseAt(spec, theta);
    const ones = new Array<number>(d.rows.length).fill(1);
    const want = theta.map((_, i) => D.rewardExpectationDerivative(d.alpha, d.S, dSdTheta(spec, d, i), ones));
    const { moments, gradients } = ev.gradient(1, { theta });
    expectRelClose(moments, D.moments(d.alpha, d.S, 1), MOMENT_TOL, 'E[τ]');
    expectGradientClose(gradients[0], want, 1e-9, '∂E[τ]');
  });
});
