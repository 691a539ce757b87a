// The likelihood's dense path: a θ whose chain needs more than maxSteps steps, on a chain
// of at most 128 transient states, is computed with dense matrices (cost in log λt).
// Against the dense oracle (expm and its Fréchet derivative; discrete: matrix powers)
// with maxSteps made small to force the path, and against closed forms on a stiff chain
// (rates 1e8 and 1e-8, times of 1e8) that no stepping could reach:
//   log L: relative error ≤ 1e-10; gradient: ≤ 1e-8 of the gradient's largest entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, GraphError, models, ready } from '../../src/index.js';
import { PointLikelihood } from '../../src/likelihood/point-likelihood.js';
import { transientCount } from '../../src/likelihood/dense-chain.js';
import { denseLogLikelihood, denseStepCap } from '../../src/likelihood/dense-likelihood.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { buildGraph, coalescentSpec, rabbitsSpec, randomSpec, randomTheta, type GraphSpec } from '../correctness/fixtures.js';
import { continuousLogLik, discreteLogLik, type OracleData } from './oracle.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-10;
const GRADIENT_TOL = 1e-8;

type Observed = OracleData | { steps: number[]; censored?: number[] };

function likelihood(spec: GraphSpec, data: Observed, maxSteps: number) {
  const structure = buildGraph(spec).structure();
  const points = checkObservations(data, { discrete: spec.discrete, vertexCount: structure.vertexCount }) as CheckedPoints;
  return new PointLikelihood(structure, points, { maxSteps });
}

function ours(spec: GraphSpec, theta: number[], data: Observed, maxSteps = 8) {
  const pl = likelihood(spec, data, maxSteps);
  const r = pl.evaluate({ rows: 1, paramLength: theta.length, data: Float64Array.from(theta) }, true);
  return { logLik: r.logLik[0], gradient: Array.from(r.gradient!), method: pl.lastRun().method };
}

function expectMatch(got: { logLik: number; gradient: number[] }, want: { logLik: number; gradient: number[] }, what: string) {
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  const scale = Math.max(...want.gradient.map(Math.abs), 1e-300);
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

const spread = (unit: number) => [0.02, 0.1, 0.35, 0.7, 1.1, 1.9, 3.2, 5].map((x) => x * unit);

describe('the dense path against the dense oracle (maxSteps forced low)', () => {
  it.each([3, 5, 7])('coalescent n = %i, weights and censoring', (n) => {
    const data = { times: spread(1), weights: [1, 2, 1, 3, 1, 0.5, 1, 2], censored: [0.5, 4], censoredWeights: [2, 1] };
    for (const theta of [[0.4], [1.3], [3]]) {
      const got = ours(coalescentSpec(n), theta, data);
      expect(got.method).toBe('dense');
      expectMatch(got, continuousLogLik(coalescentSpec(n), theta, data), `coalescent ${n} θ ${theta}`);
    }
  });

  it.each([2, 3])('rabbits N = %i (cyclic, three parameters)', (N) => {
    const data = { times: spread(0.4), censored: [0.3, 1.2] };
    expectMatch(ours(rabbitsSpec(N), [1, 2, 4], data), continuousLogLik(rabbitsSpec(N), [1, 2, 4], data), `rabbits ${N}`);
  });

  it.each(Array.from({ length: 8 }, (_, k) => 301 + k))('random cyclic seed %i (parametrised and defective starts)', (seed) => {
    const k = seed - 301, params = 1 + (k % 3);
    const spec = randomSpec({ seed, vertices: 4 + (k % 7), params, absorbing: k % 2 ? 2 : 1, defective: k % 3 === 0 });
    const theta = randomTheta(seed, params);
    const data = { times: spread(1.5), weights: [1, 1, 2, 1, 4, 1, 1, 1], censored: [2.5] };
    expectMatch(ours(spec, theta, data), continuousLogLik(spec, theta, data), `seed ${seed}`);
  });

  it.each(Array.from({ length: 6 }, (_, k) => 511 + k))('discrete random seed %i: steps with censoring (and 0 steps)', (seed) => {
    const k = seed - 511, params = k % 3, defective = k % 2 === 1;
    const spec = randomSpec({ seed, vertices: 3 + (k % 6), params, absorbing: 1 + (k % 2) as 1 | 2, defective, discrete: true });
    const theta = randomTheta(seed, params, 0.1, 0.9);
    const data = { steps: defective ? [0, 1, 2, 2, 5, 9] : [1, 2, 2, 5, 9, 14], censored: [3, 11] };
    const got = ours(spec, theta, data, 4);
    expect(got.method).toBe('dense');
    expectMatch(got, discreteLogLik(spec, theta, data), `seed ${seed}`);
  });

  it('rows of one batch: stepped rows and dense rows each right, the call\'s weights honoured', () => {
    const spec = coalescentSpec(5), data = { times: spread(1), censored: [0.5] };
    const weights = Float64Array.from([1, 0, 2, 1, 1, 3, 0, 1, 2]);
    const pl = likelihood(spec, data, 60);
    const thetas = [0.3, 5]; // λ·t_max: 3 at θ = 0.3 (stepped), 50 at θ = 5 (past 60 steps: dense)
    const r = pl.evaluate({ rows: 2, paramLength: 1, data: Float64Array.from(thetas) }, true, weights);
    thetas.forEach((theta, i) => {
      const want = continuousLogLik(spec, [theta], { times: data.times, weights: Array.from(weights.subarray(0, 8)), censored: data.censored, censoredWeights: [weights[8]] });
      expectMatch({ logLik: r.logLik[i], gradient: [r.gradient![i]] }, want, `row ${i}`);
    });
    expect(pl.lastRun().method).toBe('dense');
  });
});

describe('memory bounded by chunks', () => {
  it('observations carried through the levels a few at a time give the same bits as all at once', () => {
    const spec = rabbitsSpec(3), theta = Float64Array.of(1, 2, 4);
    const structure = buildGraph(spec).structure();
    const times = Array.from({ length: 40 }, (_, i) => 0.05 * (i + 1));
    const data = checkObservations({ times, censored: [0.3, 1.7, 2.2] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const whole = denseLogLikelihood(structure, data, theta, true);
    for (const bytes of [1, 8 * 11 * 4 * 3, 8 * 11 * 4 * 7]) {
      const chunked = denseLogLikelihood(structure, data, theta, true, { chunkBytes: bytes });
      expect(chunked.logLik).toBe(whole.logLik);
      expect(Array.from(chunked.gradient!)).toEqual(Array.from(whole.gradient!));
    }
    expectMatch({ logLik: whole.logLik, gradient: Array.from(whole.gradient!) }, continuousLogLik(spec, [1, 2, 4], { times, censored: [0.3, 1.7, 2.2] }), 'rabbits 3');
  });
});

describe('matrices kept in scale (the path of densities below the doubles) against the plain ones where both hold', () => {
  const plainAndScaled = (spec: GraphSpec, theta: number[], data: Observed) => {
    const structure = buildGraph(spec).structure();
    const points = checkObservations(data, { discrete: spec.discrete, vertexCount: structure.vertexCount }) as CheckedPoints;
    const at = Float64Array.from(theta);
    const [plain, scaled] = [false, true].map((s) => denseLogLikelihood(structure, points, at, true, { scaled: s }));
    expect(plain.underflow).toBe(false);
    return { plain: { logLik: plain.logLik, gradient: Array.from(plain.gradient!) }, scaled: { logLik: scaled.logLik, gradient: Array.from(scaled.gradient!) } };
  };

  it.each([
    ['coalescent n = 5', coalescentSpec(5), [1.3]],
    ['rabbits N = 3', rabbitsSpec(3), [1, 2, 4]],
    ...[301, 302, 303, 304].map((seed) => [`random cyclic seed ${seed}`, randomSpec({ seed, vertices: 8, params: 2, absorbing: 1, defective: seed % 2 === 0 }), [0.8, 1.6]] as const),
  ] as const)('%s: times and censored times', (_, spec, theta) => {
    const { plain, scaled } = plainAndScaled(spec, [...theta], { times: spread(0.5), censored: [0.2, 2.5] });
    expectMatch(scaled, plain, 'scaled vs plain');
  });

  it.each([511, 512, 513])('discrete random seed %i: steps and censored steps', (seed) => {
    const spec = randomSpec({ seed, vertices: 7, params: 1, absorbing: 1, defective: false, discrete: true });
    const { plain, scaled } = plainAndScaled(spec, randomTheta(seed, 1, 0.1, 0.9), { steps: [1, 2, 5, 13, 40], censored: [3, 21] });
    expectMatch(scaled, plain, 'scaled vs plain, discrete');
  });
});

describe('a stiff chain no stepping could reach', () => {
  // Start → 1 → 2 → absorbed, at a = 1e8·θ0 then b = 1e-8·θ1: λ·t = 1e8 × 3e8.
  const stiff: GraphSpec = {
    stateLength: 1, paramLength: 2, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 1, [0, 0]], [1, 2, 0, [1e8, 0]], [2, 3, 0, [0, 1e-8]]],
  };
  /** log f, log P(T > t) and their gradients, by the hypoexponential's closed form (e^{−at} is 0 here). */
  function exact(theta: number[], t: number, censored: boolean) {
    const a = 1e8 * theta[0], b = 1e-8 * theta[1];
    if (!censored) {
      const logLik = Math.log(a * b / (a - b)) - b * t;
      return { logLik, gradient: [(1 / a - 1 / (a - b)) * 1e8, (1 / b + 1 / (a - b) - t) * 1e-8] };
    }
    const logLik = Math.log(a / (a - b)) - b * t; // P(T > t) = (a e^{−bt} − b e^{−at})/(a − b)
    return { logLik, gradient: [(1 / a - 1 / (a - b)) * 1e8, (1 / (a - b) - t) * 1e-8] };
  }

  it('times of 1e8 and beyond: finite, exact, in dense matrices', () => {
    for (const [t, censored] of [[1e8, false], [3e8, false], [2e9, false], [5e7, true], [4e8, true]] as const) {
      const theta = [1.5, 0.7];
      const data = censored ? { times: [], censored: [t] } : { times: [t] };
      const got = ours(stiff, theta, data, 10_000_000);
      expect(got.method).toBe('dense');
      expectMatch(got, exact(theta, t, censored), `t ${t}${censored ? ' censored' : ''}`);
    }
  });

  it('through createEvaluator as a user would call it', async () => {
    const ev = await createEvaluator(buildGraph(stiff), { kind: 'loglik', data: { times: [1e8, 3e8] } }, { cache: null });
    const r = await ev.evaluate({ thetas: Float64Array.of(1, 1), gradient: true });
    const want = [exact([1, 1], 1e8, false), exact([1, 1], 3e8, false)];
    expectMatch({ logLik: r.values[0], gradient: Array.from(r.gradients!) },
      { logLik: want[0].logLik + want[1].logLik, gradient: [want[0].gradient[0] + want[1].gradient[0], want[0].gradient[1] + want[1].gradient[1]] }, 'evaluator');
  });
});

describe('dense rows in a batch', () => {
  it('go one at a time: progress is reported between them and an abort lands before the batch ends', async () => {
    const g = models.coalescent(10);
    const times = g.sample(300, { theta: [1], seed: 5 });
    const ev = await createEvaluator(g, { kind: 'loglik', data: { times }, limits: { maxSteps: 2 } }, { cache: null, backend: 'wasm' });
    const controller = new AbortController();
    const done: number[] = [];
    const rows = 64;
    const run = ev.evaluate({ thetas: new Float64Array(rows).fill(1), gradient: true, signal: controller.signal, onProgress: (p) => { done.push(p.done); controller.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(done.length).toBeGreaterThan(0);
    expect(done[0]).toBeLessThan(rows);
  });
});

describe('where the dense path does not go', () => {
  it('λ·t_max past 1.7e38 (more than 128 squarings) is WORK_LIMIT, at once', () => {
    const started = performance.now();
    expect(() => ours(coalescentSpec(4), [1], { times: [1, 1e300] })).toThrow(/WORK_LIMIT|beyond what dense matrices take/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a chain of more than 128 transient states past maxSteps, stepping forced, is WORK_LIMIT naming both limits ('auto' takes Krylov: tests/likelihood/krylov.test.ts)", () => {
    const structure = models.coalescent(15).structure();
    expect(transientCount(structure)).toBeGreaterThan(128);
    const points = checkObservations({ times: [1, 2] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const pl = new PointLikelihood(structure, points, { maxSteps: 10 }, 'uniformisation');
    let error: unknown;
    try { pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(1) }, true); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).code).toBe('WORK_LIMIT');
    expect((error as GraphError).message).toMatch(/maxSteps = 10 .*too large for dense matrices \(at most 128\)/);
  });
});

describe("'auto' chooses dense matrices by cost, below maxSteps", () => {
  // A 12-state random chain made stiff (a fast parameter beside a slow one): its times need
  // tens of thousands of steps, past what dense matrices cost for a 13 × 13 chain.
  const g = models.randomCyclic({ vertices: 12, params: 2, seed: 5 });
  const s = g.structure();
  const theta = Float64Array.of(3000, 0.05);
  const times = g.sample(20, { theta: Array.from(theta), seed: 3 });
  const points = checkObservations({ times, censored: [times[0], times[5]] }, { discrete: false, vertexCount: s.vertexCount }) as CheckedPoints;
  const rows = { rows: 1, paramLength: 2, data: theta };

  it('the cap sits below the steps this θ needs; the row goes dense and equals stepping to 1e-10', () => {
    const cap = denseStepCap(s, 22, true);
    const auto = new PointLikelihood(s, points, {}, 'auto');
    const stepped = new PointLikelihood(s, points, {}, 'uniformisation');
    const a = auto.evaluate(rows, true), b = stepped.evaluate(rows, true);
    expect(auto.lastRun().method).toBe('dense');
    expect(stepped.lastRun().method).toBe('uniformisation');
    expect(stepped.lastRun().steps).toBeGreaterThan(cap); // stepping took more than the cap allows
    expectMatch({ logLik: a.logLik[0], gradient: Array.from(a.gradient!) }, { logLik: b.logLik[0], gradient: Array.from(b.gradient!) }, 'auto vs uniformisation');
  });

  it('a θ that needs few steps is still stepped', () => {
    const mild = new PointLikelihood(s, points, {}, 'auto');
    mild.evaluate({ rows: 1, paramLength: 2, data: Float64Array.of(1, 0.5) }, true);
    expect(mild.lastRun().method).not.toBe('dense');
  });

  it('the gradient has its own cap (stepping its reverse sweep costs more than the dense derivatives, on a small chain): a row between the two steps for log L alone and goes dense with the gradient', () => {
    const [value, withGradient] = [denseStepCap(s, 22, false), denseStepCap(s, 22, true)];
    expect(withGradient).toBeLessThan(value);
    const between = Float64Array.of(1900, 0.05);
    const stepped = new PointLikelihood(s, points, {}, 'uniformisation');
    stepped.evaluate({ rows: 1, paramLength: 2, data: between }, false);
    const steps = stepped.lastRun().steps;
    expect(steps).toBeGreaterThan(withGradient);
    expect(steps).toBeLessThan(value);
    const auto = new PointLikelihood(s, points, {}, 'auto');
    const a = auto.evaluate({ rows: 1, paramLength: 2, data: between }, false);
    expect(auto.lastRun().method).toBe('uniformisation');
    const b = auto.evaluate({ rows: 1, paramLength: 2, data: between }, true);
    expect(auto.lastRun().method).toBe('dense');
    const c = stepped.evaluate({ rows: 1, paramLength: 2, data: between }, true);
    expect(Math.abs(a.logLik[0] - c.logLik[0])).toBeLessThanOrEqual(1e-10 * Math.abs(c.logLik[0]));
    expectMatch({ logLik: b.logLik[0], gradient: Array.from(b.gradient!) }, { logLik: c.logLik[0], gradient: Array.from(c.gradient!) }, 'dense with the gradient vs stepping');
    [stepped, auto].forEach((x) => x.dispose());
  });

  it('the cap grows with the data and the chain, and is Infinity where dense matrices do not go', () => {
    expect(denseStepCap(s, 1000, true)).toBeGreaterThan(denseStepCap(s, 10, true));
    expect(denseStepCap(models.randomCyclic({ vertices: 100, params: 2, seed: 5 }).structure(), 10, true)).toBeGreaterThan(denseStepCap(s, 10, true));
    expect(denseStepCap(models.coalescent(15).structure(), 10, true)).toBe(Infinity);
  });
});
