// Shift-and-invert Krylov for pdf/cdf: held to dense matrices (nonnegative, exact to
// rounding) on random cyclic, stiff and nearly closed chains, to uniformisation on the
// coalescent and rabbits, and used by 'auto' on large stiff chains that stepping cannot
// reach, with its work bounded.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready } from '../../src/index.js';
import { eliminate } from '../../src/kernel/elimination.js';
import { buildGraph, randomSpec, withScaledExits, withStiffRates } from './fixtures.js';

beforeAll(() => ready());

const logspace = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));

/** Largest absolute difference, and the largest reference value. */
function gap(x: ArrayLike<number>, y: ArrayLike<number>): { err: number; top: number } {
  let err = 0, top = 0;
  for (let i = 0; i < x.length; i++) { err = Math.max(err, Math.abs(x[i] - y[i])); top = Math.max(top, Math.abs(y[i])); }
  return { err, top };
}

function expectAgree(g: { pdf: Graph['pdf']; cdf: Graph['cdf'] }, times: number[], reference: 'dense' | 'uniformization', tol: number): void {
  const kp = g.pdf(times, { method: 'krylov' }), kc = g.cdf(times, { method: 'krylov' });
  const rp = g.pdf(times, { method: reference }), rc = g.cdf(times, { method: reference });
  const p = gap(kp, rp), c = gap(kc, rc);
  // The pdf carries the chain's rates: its error is relative to its largest value.
  expect(p.err, `pdf off by ${p.err} (largest ${p.top})`).toBeLessThanOrEqual(tol * Math.max(1, p.top));
  expect(c.err, `cdf off by ${c.err}`).toBeLessThanOrEqual(tol);
}

describe('Krylov against dense matrices', () => {
  it.each([1, 2, 3])('random cyclic 100 states (seed %s), times 1e-3..1e2: 1e-10', (seed) => {
    expectAgree(buildGraph(randomSpec({ seed, vertices: 100, params: 0, absorbing: 1, defective: seed === 2 })), logspace(-3, 2, 30), 'dense', 1e-10);
  });

  it.each([1, 2, 3])('stiff random 100 states (rates over 8 orders, seed %s), times 1e-6..1e4: 1e-9', (seed) => {
    expectAgree(buildGraph(withStiffRates(randomSpec({ seed, vertices: 100, params: 0, absorbing: 1, defective: false }), 4, seed)), logspace(-6, 4, 40), 'dense', 1e-9);
  });

  it.each([1, 2])('stiff random 120 states (rates over 16 orders, seed %s), times 1e-9..1e6: 1e-9', (seed) => {
    expectAgree(buildGraph(withStiffRates(randomSpec({ seed, vertices: 120, params: 0, absorbing: 1, defective: false }), 8, seed)), logspace(-9, 6, 40), 'dense', 1e-9);
  });

  it.each([1, 2])('a nearly closed chain (exits at 1e-6, seed %s), times 1e-2..1e7: 1e-10', (seed) => {
    expectAgree(buildGraph(withScaledExits(randomSpec({ seed, vertices: 100, params: 0, absorbing: 1, defective: false }), 1e-6)), logspace(-2, 7, 40), 'dense', 1e-10);
  });

  it('the 2-state stiff reproducer (a 1e8 cycle leaking at 1e-8) is refused where its rounding shows, never answered wrongly', () => {
    // γ·rate reaches 10⁸ at t = 1: the projected matrix holds the fast mode to rounding only,
    // and the answers leave [0, 1] by more than the tolerance. 'auto' uses dense matrices here.
    const g = Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 1e8], [2, 1, 1e8], [2, 3, 1e-8]] });
    expectAgree(g, [1e-9, 1e-3], 'dense', 1e-10);
    expect(() => g.cdf([1], { method: 'krylov' })).toThrow(/not a distribution/);
  });
});

describe('Krylov against uniformisation', () => {
  it('the coalescent n = 15 at 60 times: 1e-10', () => {
    const g = models.coalescent(15);
    const at = { pdf: (t: ArrayLike<number>, o?: object) => g.pdf(t, { theta: [1], ...o }), cdf: (t: ArrayLike<number>, o?: object) => g.cdf(t, { theta: [1], ...o }) };
    expectAgree(at as never, Array.from({ length: 60 }, (_, i) => 0.1 * (i + 1)), 'uniformization', 1e-10);
  });

  it('rabbits N = 30 at 40 times: 1e-10', () => {
    const g = models.rabbits(30);
    const at = { pdf: (t: ArrayLike<number>, o?: object) => g.pdf(t, { theta: [1, 1, 1], ...o }), cdf: (t: ArrayLike<number>, o?: object) => g.cdf(t, { theta: [1, 1, 1], ...o }) };
    expectAgree(at as never, logspace(-2, 1.5, 40), 'uniformization', 1e-10);
  });

  it('t = 0 gives the initial exit density and the atom at 0', () => {
    const g = buildGraph(randomSpec({ seed: 8, vertices: 30, params: 0, absorbing: 1, defective: true }));
    const k = g.cdf([0, 1], { method: 'krylov' }), d = g.cdf([0, 1], { method: 'dense' });
    expect(Math.abs(k[0] - d[0])).toBeLessThanOrEqual(1e-15);
    expect(k[0]).toBeGreaterThan(0.3); // the defective start's missing mass
    expect(Math.abs(g.pdf([0], { method: 'krylov' })[0] - g.pdf([0], { method: 'dense' })[0])).toBeLessThanOrEqual(1e-15);
  });
});

describe("'auto' on chains too large for dense matrices and too stiff to step", () => {
  it('a nearly closed 200-state chain past maxSteps answers by Krylov, as uniformisation does without the limit', () => {
    const g = buildGraph(withScaledExits(randomSpec({ seed: 5, vertices: 200, params: 0, absorbing: 1, defective: false }), 1e-6));
    const times = [10, 1e3, 1e4];
    const auto = g.cdf(times, { maxSteps: 1e3 }), autoPdf = g.pdf(times, { maxSteps: 1e3 });
    const stepped = g.cdf(times, { method: 'uniformization', maxSteps: 1e7 }), steppedPdf = g.pdf(times, { method: 'uniformization', maxSteps: 1e7 });
    expect(gap(auto, stepped).err).toBeLessThanOrEqual(1e-10);
    expect(gap(autoPdf, steppedPdf).err).toBeLessThanOrEqual(1e-12);
  });

  it('a 1,000-state chain with rates over 12 orders of magnitude answers, matching uniformisation where stepping is short', () => {
    const g = buildGraph(withStiffRates(randomSpec({ seed: 4, vertices: 1000, params: 0, absorbing: 1, defective: false }), 6, 4));
    const short = [1e-6, 1e-5, 3e-5];
    const k = g.cdf(short, { method: 'krylov' }), u = g.cdf(short, { method: 'uniformization' });
    expect(gap(k, u).err).toBeLessThanOrEqual(1e-9);
    // λt = 10⁸ at t = 100: stepping would pass maxSteps; 'auto' answers.
    const far = g.cdf([1, 100]);
    far.forEach((x) => expect(x >= 0 && x <= 1).toBe(true));
    expect(far[1]).toBeGreaterThan(far[0]);
  }, 60_000);

  it("uniformisation past maxSteps still stops with WORK_LIMIT naming the limit", () => {
    const g = buildGraph(withScaledExits(randomSpec({ seed: 5, vertices: 200, params: 0, absorbing: 1, defective: false }), 1e-6));
    expect(() => g.pdf([1e6], { method: 'uniformization', maxSteps: 1e5 })).toThrow(/maxSteps = 100000/);
  });
});

describe('bounds and bad input', () => {
  it('a run that stalls above its tolerance is WORK_LIMIT saying so, not a wrong answer', () => {
    const g = buildGraph(withStiffRates(randomSpec({ seed: 3, vertices: 120, params: 0, absorbing: 1, defective: false }), 8, 3));
    const error = (() => { try { g.cdf(logspace(-9, 6, 40), { method: 'krylov' }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: 'WORK_LIMIT' });
    expect((error as Error).message).toMatch(/method 'krylov' on this chain of 120 transient states: it stalled at .* times its tolerance/);
  });

  it('an elimination past its work limit is WORK_LIMIT (the graph fills in toward dense)', () => {
    const g = buildGraph(randomSpec({ seed: 4, vertices: 300, params: 0, absorbing: 1, defective: false }));
    const csr = (g as unknown as { csrAt(theta: Float64Array): Parameters<typeof eliminate>[0] }).csrAt(new Float64Array(0));
    const full = eliminate(csr);
    const work = full.stats().work;
    full.dispose();
    expect(work).toBeGreaterThan(1e5);
    expect(() => eliminate(csr, work / 2)).toThrow(/passed its work limit/);
    const again = eliminate(csr, 2 * work); // the limit is per call: the next one runs whole
    expect(again.stats().work).toBe(work);
    again.dispose();
  });

  it("'krylov' on a discrete graph is BAD_ARGUMENT", () => {
    const g = buildGraph(randomSpec({ seed: 77, vertices: 9, params: 0, absorbing: 2, defective: false, discrete: true }));
    expect(() => g.pmf([3], { method: 'krylov' })).toThrow(/applies to continuous graphs/);
  });
});
