// Stiff chains (rates from 1e-8 to 1e8, λt up to 1e12): bounded time and memory,
// exact answers from closed forms, and the two methods (uniformisation, dense
// nonnegative matrices) agreeing wherever both run.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready } from '../../src/index.js';
import { buildGraph, randomSpec, withScaledExits, withStiffRates } from './fixtures.js';
import { continuous } from '../oracle/index.js';
import { denseAt } from './fixtures.js';

beforeAll(() => ready());

// The hardening issue's reproducer: a fast cycle 1 ⇄ 2 (rate 1e8 each way) leaking at 1e-8 from 2.
const a = 1e8, b = 1e8, c = 1e-8;
const stiff = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, a], [2, 1, b], [2, 3, c]] });

/** The 2×2 chain in closed form, written so nothing cancels: μ₂ the fast eigenvalue, μ₁ = ac/μ₂ the slow one. */
function exact(t: number): { pdf: number; survival: number } {
  const sum = a + b + c;
  const mu2 = (-sum - Math.sqrt(sum * sum - 4 * a * c)) / 2;
  const mu1 = (a * c) / mu2;
  const e1 = Math.exp(mu1 * t), e2 = Math.exp(mu2 * t);
  const p11 = (e1 * (-a - mu2) - e2 * (-a - mu1)) / (mu1 - mu2);
  const p12 = (a * (e1 - e2)) / (mu1 - mu2);
  return { pdf: c * p12, survival: p11 + p12 };
}

describe('stiff continuous chains', () => {
  it.each([1, 100, 1e4, 1e6, 1e8, 1e9])('pdf and cdf at t = %s (λt = 2e8·t) are exact, fast and small', (t) => {
    const started = performance.now();
    const heap = process.memoryUsage().heapUsed;
    const pdf = stiff.pdf([t])[0], cdf = stiff.cdf([t])[0];
    const want = exact(t);
    expect(Math.abs(pdf - want.pdf)).toBeLessThanOrEqual(1e-10 * want.pdf);
    if (t >= 100) expect(Math.abs(cdf - (1 - want.survival))).toBeLessThanOrEqual(1e-8 * (1 - want.survival));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
  });

  it('a time with λt = 1e12 on a small random graph spanning rates 1e-8..1e8 answers, finite and in [0, 1]', () => {
    const g = buildGraph(withStiffRates(randomSpec({ seed: 7, vertices: 12, params: 0, absorbing: 1, defective: false }), 8, 3));
    const cdf = g.cdf([1e4]);
    expect(cdf[0]).toBeGreaterThanOrEqual(0);
    expect(cdf[0]).toBeLessThanOrEqual(1);
    expect(Number.isFinite(g.pdf([1e4])[0])).toBe(true);
  });
});

describe('the two methods agree where both run', () => {
  const cases = Array.from({ length: 8 }, (_, k) => ({ seed: 900 + k, spec: randomSpec({ seed: 900 + k, vertices: 5 + k, params: 0, absorbing: 1 + (k % 2) as 1 | 2, defective: k % 3 === 0 }) }));
  it.each(cases)('random cyclic seed $seed: dense matrices = uniformisation (1e-10 absolute) = the oracle', ({ spec }) => {
    const g = buildGraph(spec);
    const times = [0, 0.05, 0.3, 1, 2.5, 7, 20];
    const u = g.pdf(times, { method: 'uniformization' }), d = g.pdf(times, { method: 'dense' });
    const uc = g.cdf(times, { method: 'uniformization' }), dc = g.cdf(times, { method: 'dense' });
    const { alpha, S } = denseAt(spec);
    const oracle = continuous.pdf(alpha, S, times);
    times.forEach((_, i) => {
      expect(Math.abs(u[i] - d[i])).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(uc[i] - dc[i])).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(d[i] - oracle[i])).toBeLessThanOrEqual(1e-10);
    });
  });

  it('discrete: dense powers = stepping on a random discrete graph', () => {
    const g = buildGraph(randomSpec({ seed: 77, vertices: 9, params: 0, absorbing: 2, defective: false, discrete: true }));
    const steps = [0, 1, 2, 5, 17, 60, 200];
    const u = g.pmf(steps, { method: 'uniformization' }), d = g.pmf(steps, { method: 'dense' });
    steps.forEach((_, i) => expect(Math.abs(u[i] - d[i])).toBeLessThanOrEqual(1e-12));
  });
});

describe('stiff discrete chains and bounds', () => {
  const p = 1e-12;
  const geometric = Graph.fromJSON({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, p]] });

  it('pmf and cdf at 1e12 steps are exact (the issue\'s reproducer reached 14 GB)', () => {
    const started = performance.now();
    const k = 1e12;
    const pmf = geometric.pmf([k])[0], cdf = geometric.cdf([k])[0];
    const logStay = Math.log1p(-p);
    expect(Math.abs(pmf - p * Math.exp((k - 1) * logStay))).toBeLessThanOrEqual(1e-9 * pmf);
    expect(Math.abs(cdf + Math.expm1(k * logStay))).toBeLessThanOrEqual(1e-9);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a large chain past maxSteps stops with WORK_LIMIT under uniformisation, naming the limit', () => {
    // 200 transient states (too many for dense matrices) that absorb slowly: the mass does not die out.
    const g = buildGraph(withScaledExits(randomSpec({ seed: 5, vertices: 200, params: 0, absorbing: 1, defective: false }), 1e-6));
    const started = performance.now();
    const error = (() => { try { g.pdf([1e6], { maxSteps: 1e5, method: 'uniformization' }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'WORK_LIMIT' });
    expect((error as Error).message).toMatch(/maxSteps = 100000/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a bad method or maxSteps is BAD_ARGUMENT', () => {
    expect(() => stiff.pdf([1], { method: 'magic' as never })).toThrow(/method must be/);
    expect(() => stiff.pdf([1], { maxSteps: -1 })).toThrow(/maxSteps must be/);
    expect(() => models.rabbits(20).pdf([1], { theta: [1, 1, 1], method: 'dense' })).toThrow(/at most 128 transient states/);
  });
});
