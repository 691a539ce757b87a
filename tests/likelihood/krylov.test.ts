// The likelihood's Krylov path: rows of times past maxSteps on continuous chains too large
// for dense matrices (more than 128 transient states), 'auto', computed by shift-and-invert
// Krylov with exact gradients (the block generator [[S, ∂S], [0, S]]). Held to the kernel's
// own stepping run without the limit (a rigorous bound on its truncation):
//   log L: within 1e-9 of |log L|; gradient: within 1e-7 of its largest entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphError, ready } from '../../src/index.js';
import { PointLikelihood } from '../../src/likelihood/point-likelihood.js';
import { krylovLogLikelihood } from '../../src/likelihood/krylov-likelihood.js';
import { KrylovMeter } from '../../src/distributions/krylov.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { buildGraph, randomSpec, withScaledExits, withStiffRates, type GraphSpec } from '../correctness/fixtures.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-9;
const GRADIENT_TOL = 1e-7;

interface Case { spec: GraphSpec; theta: number[]; times: number[]; censored: number[] }

function leaky(seed: number): Case {
  const spec = withScaledExits(randomSpec({ seed, vertices: 150, params: 2, absorbing: 2, defective: false }), 1e-3);
  const times = Array.from(buildGraph(spec).sample(12, { theta: [0.8, 1.6], seed }));
  return { spec, theta: [0.8, 1.6], times, censored: [times[0] * 2, times[3]] };
}

function stiff(seed: number): Case {
  const spec = withStiffRates(randomSpec({ seed, vertices: 150, params: 3, absorbing: 1, defective: false }), 2, seed);
  const times = Array.from(buildGraph(spec).sample(12, { theta: [0.5, 1, 2], seed }));
  return { spec, theta: [0.5, 1, 2], times, censored: [times[1]] };
}

function likelihood(c: Case, limits: { maxSteps: number }, method: 'auto' | 'uniformisation' = 'auto') {
  const structure = buildGraph(c.spec).structure();
  const points = checkObservations({ times: c.times, censored: c.censored }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
  return new PointLikelihood(structure, points, limits, method);
}

function evaluate(pl: PointLikelihood, thetas: number[][], weights?: Float64Array) {
  const p = thetas[0].length;
  const r = pl.evaluate({ rows: thetas.length, paramLength: p, data: Float64Array.from(thetas.flat()) }, true, weights);
  return thetas.map((_, k) => ({ logLik: r.logLik[k], gradient: Array.from(r.gradient!.subarray(k * p, (k + 1) * p)) }));
}

function expectMatch(got: { logLik: number; gradient: number[] }, want: { logLik: number; gradient: number[] }, what: string) {
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.max(1, Math.abs(want.logLik)));
  const scale = Math.max(...want.gradient.map(Math.abs), 1e-300);
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

describe('log L of times by Krylov past maxSteps on chains over 128 states', () => {
  it.each([
    ['a nearly closed chain (exits × 1e-3), 2 parameters, seed 4', leaky(4)],
    ['a nearly closed chain, seed 6', leaky(6)],
    ['a stiff chain (rates over 4 orders), 3 parameters, seed 5', stiff(5)],
    ['a stiff chain, seed 7', stiff(7)],
  ])('%s: log L and its gradient equal the kernel stepping without the limit', (what, c) => {
    const pl = likelihood(c, { maxSteps: 100 });
    const got = evaluate(pl, [c.theta])[0];
    expect(pl.lastRun().method).toBe('krylov');
    const reference = likelihood(c, { maxSteps: 2e9 }, 'uniformisation');
    expectMatch(got, evaluate(reference, [c.theta])[0], what);
    expect(reference.lastRun().steps).toBeGreaterThan(100);
  });

  it('several θ rows, and weights given for the call, row by row', () => {
    const c = leaky(4);
    const thetas = [[0.8, 1.6], [1.2, 0.9], [0.5, 2.5]];
    const weights = Float64Array.from({ length: c.times.length + c.censored.length }, (_, i) => 0.5 + (i % 3));
    const pl = likelihood(c, { maxSteps: 100 });
    const got = evaluate(pl, thetas, weights);
    expect(pl.krylovRows).toBe(3);
    const want = evaluate(likelihood(c, { maxSteps: 2e9 }, 'uniformisation'), thetas, weights);
    got.forEach((g, k) => expectMatch(g, want[k], `θ row ${k}`));
  });

  it('an observation at t = 0 where no start state absorbs at once gives −∞ with a zero gradient, as the kernel does', () => {
    const c = { ...leaky(4), times: [0, 5, 50] };
    const got = evaluate(likelihood(c, { maxSteps: 100 }), [c.theta])[0];
    expect(got.logLik).toBe(-Infinity);
    expect(got.gradient).toEqual([0, 0]);
    expect(evaluate(likelihood(c, { maxSteps: 2e9 }, 'uniformisation'), [c.theta])[0].logLik).toBe(-Infinity);
    // It decides alone, even beside a density Krylov could not resolve.
    const beside = { ...c, times: [1e7, 0, 5] };
    expect(evaluate(likelihood(beside, { maxSteps: 100 }), [c.theta])[0].logLik).toBe(-Infinity);
  });

  it('a density too small for Krylov\'s absolute accuracy is WORK_LIMIT saying so, the row named, not a wrong log L', () => {
    const c = { ...leaky(4), times: [5, 1e7], censored: [] };
    const pl = likelihood(c, { maxSteps: 100 });
    const error = (() => { try { evaluate(pl, [c.theta, [1, 1]]); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'WORK_LIMIT' });
    expect((error as Error).message).toMatch(/^θ row 0: .*shift-and-invert Krylov gives the density at time 10000000 as .* too close to its absolute tolerance/);
  });

  it('a far-tail time fails the row after its own group\'s work only (largest times first, values checked before derivatives)', () => {
    // Meters count estimated work, the same on every run: the row with many earlier times
    // spends on failing exactly what the far-tail time alone does.
    const c = leaky(4);
    const structure = buildGraph(c.spec).structure();
    const spent = (times: number[]) => {
      const points = checkObservations({ times }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
      const meter = new KrylovMeter(1e15);
      const row = krylovLogLikelihood(structure, points, Float64Array.from(c.theta), true, undefined, meter);
      expect(row).toMatchObject({ failed: expect.stringMatching(/density at time 10000000 .*too close to its absolute tolerance/) });
      return 1e15 - meter.remaining;
    };
    const alone = spent([1e7]);
    expect(spent([0.5, 5, 50, 500, 5e3, 5e4, 1e7])).toBe(alone);
    // …and no more than the values' run of that group: no derivative run was started.
    const values = (() => {
      const points = checkObservations({ times: [1e7] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
      const meter = new KrylovMeter(1e15);
      krylovLogLikelihood(structure, points, Float64Array.from(c.theta), false, undefined, meter);
      return 1e15 - meter.remaining;
    })();
    expect(alone).toBe(values);
  });

  it('a chain no stepping reaches (a 1e8 cycle leaking at 1e-8 into 200 slow states, λt up to 2e17) matches its closed form', async () => {
    const n = 203, a = 1e8, b = 1e-8;
    const vertices = Array.from({ length: n + 1 }, (_, i) => [i]);
    const edges: [number, number, number][] = [[0, 1, 1], [1, 2, a], [2, 1, a], [2, 3, b], ...Array.from({ length: n - 3 }, (_, i): [number, number, number] => [3 + i, 4 + i, 1])];
    const { Graph } = await import('../../src/index.js');
    const structure = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices, edges }).structure();
    // The cycle leaves at g(s) = ab(e^{μ₁s} − e^{μ₂s})/(μ₁ − μ₂); then an Erlang(200, 1) delay U:
    // f(t) = ab/(μ₁ − μ₂)·e^{μ₁t}·E[e^{−μ₁U}] (the e^{μ₂} term and U > t are far below the doubles).
    const tr = -(2 * a + b), mu2 = (tr - Math.sqrt(tr * tr - 4 * a * b)) / 2, mu1 = (a * b) / mu2;
    for (const t of [1e8, 1e9]) {
      const points = checkObservations({ times: [t] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
      const pl = new PointLikelihood(structure, points);
      const got = pl.evaluate({ rows: 1, paramLength: 0, data: new Float64Array(0) }, false).logLik[0];
      expect(pl.lastRun().method).toBe('krylov');
      // Measured: 4.6e-8 at t = 1e8, 1.7e-9 at 1e9 (the a-posteriori check settles, the error stays).
      expect(Math.abs(got - (Math.log(a * b) - Math.log(mu1 - mu2) + mu1 * t - 200 * Math.log1p(mu1)))).toBeLessThan(1e-7);
    }
  });

  it("a method forced to stepping is still WORK_LIMIT past maxSteps", () => {
    const c = leaky(4);
    expect(() => evaluate(likelihood(c, { maxSteps: 100 }, 'uniformisation'), [c.theta])).toThrow(/more than maxSteps = 100 steps/);
  });
});

// Below maxSteps, 'auto' tries Krylov first on a row whose stepping would take long (a cycle
// through fast states, observed late), within a third of that stepping's estimated time.
describe("'auto' tries Krylov before stepping where stepping would be long", () => {
  const c = leaky(4);

  it('a nearly closed chain within maxSteps: Krylov answers (values alone and with the gradient), equal to the stepping', () => {
    const reference = likelihood(c, { maxSteps: 2e9 }, 'uniformisation');
    const want = evaluate(reference, [c.theta])[0];
    expect(reference.lastRun().steps).toBeGreaterThan(20_000); // long stepping, within the default maxSteps
    const pl = likelihood(c, { maxSteps: 10_000_000 });
    expectMatch(evaluate(pl, [c.theta])[0], want, 'with the gradient');
    expect(pl.lastRun().method).toBe('krylov');
    const value = pl.evaluate({ rows: 1, paramLength: 2, data: Float64Array.from(c.theta) }, false).logLik[0];
    expect(pl.lastRun().method).toBe('krylov');
    expect(Math.abs(value - want.logLik)).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  });

  it('mixed rows: Krylov rows and stepped rows land in their places; a bad row is named by its place in the batch', () => {
    // Every rate of the chain times θ₀ (its constant parts moved into θ₀'s coefficients), so
    // that rates 1000× slower leave a short stepping: that row is stepped, the others not.
    const spec = { ...c.spec, edges: c.spec.edges.map(([from, to, w, coef]): typeof c.spec.edges[number] => (from === 0 ? [from, to, w, coef] : [from, to, 0, [coef[0] + w, coef[1]]])) };
    const scaled = { ...c, spec };
    const thetas = [[0.8, 1.6], [0.0008, 0.0016], [1.2, 0.9]];
    const pl = likelihood(scaled, { maxSteps: 10_000_000 });
    const got = evaluate(pl, thetas);
    expect(pl.krylovRows).toBe(2);
    expect(pl.lastRun().method).toBe('krylov');
    const want = evaluate(likelihood(scaled, { maxSteps: 2e9 }, 'uniformisation'), thetas);
    got.forEach((g, k) => expectMatch(g, want[k], `θ row ${k}`));
    // Each row alone gives the same bits as in the batch (the choice does not depend on the clock).
    thetas.forEach((theta, k) => {
      const alone = evaluate(likelihood(scaled, { maxSteps: 10_000_000 }), [theta])[0];
      expect(Object.is(alone.logLik, got[k].logLik)).toBe(true);
      expect(alone.gradient.every((x, i) => Object.is(x, got[k].gradient[i]))).toBe(true);
    });
    expect(() => evaluate(pl, [...thetas, [-1, 1]])).toThrow(/^θ row 3: /);
  });

  it('where Krylov would cost more than its share, the row is stepped and equals the stepping', () => {
    // A stiff chain whose stepping is long enough to try Krylov (about 90 ms estimated), where
    // Krylov answers (past maxSteps, above) but in some 0.6 s: it gives way.
    const slow = stiff(7);
    const pl = likelihood(slow, { maxSteps: 10_000_000 });
    const got = evaluate(pl, [slow.theta])[0];
    expect(pl.krylovRows).toBe(0);
    expect(pl.lastRun().method).not.toBe('krylov');
    expectMatch(got, evaluate(likelihood(slow, { maxSteps: 2e9 }, 'uniformisation'), [slow.theta])[0], 'stepped');
  });
});
