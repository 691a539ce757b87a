// Shift-and-invert Krylov for pdf/cdf: held to dense matrices (nonnegative, exact to
// rounding) on random cyclic, stiff and nearly closed chains, to uniformisation on the
// coalescent and rabbits, and used by 'auto' on large stiff chains that stepping cannot
// reach, with its work bounded.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready } from '../../src/index.js';
import { eliminate } from '../../src/kernel/elimination.js';
import { cyclingRate, cyclingRateBound } from '../../src/distributions/cycling-rate.js';
import { krylovGoesFirst } from '../../src/distributions/distribution.js';
import { krylovContinuous, KrylovMeter, OVER_BUDGET } from '../../src/distributions/krylov.js';
import { stepMatrix } from '../../src/distributions/stepper.js';
import { isTransient, type Csr } from '../../src/graph/rates.js';
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

describe('times on a grid (each answer advanced from the one before)', () => {
  it.each([1, 2])('stiff random 100 (seed %s) on an even grid to t = 50, and on an uneven one with repeats, against dense: 1e-9', (seed) => {
    const g = buildGraph(withStiffRates(randomSpec({ seed, vertices: 100, params: 0, absorbing: 1, defective: false }), 4, seed));
    expectAgree(g, Array.from({ length: 100 }, (_, i) => 0.5 * (i + 1)), 'dense', 1e-9);
    expectAgree(g, [7, 0.3, 2, 2, 0.3, 40, 1e-4, 7.5, 8, 40], 'dense', 1e-9);
  });
});

const csrOf = (g: Graph, theta: number[] = []): Csr => (g as unknown as { csrAt(theta: Float64Array): Csr }).csrAt(Float64Array.from(theta));

/** Whether v reaches itself, by search: the definition the components are checked against. */
function onCycle(csr: Csr, v: number): boolean {
  const seen = new Uint8Array(csr.vertexCount), todo = [v];
  while (todo.length) {
    const u = todo.pop()!;
    for (let j = csr.rowPtr[u]; j < csr.rowPtr[u + 1]; j++) {
      const w = csr.col[j];
      if (w === v) return true;
      if (!seen[w]) { seen[w] = 1; todo.push(w); }
    }
  }
  return false;
}

describe("'auto' choosing Krylov before stepping", () => {
  // Seeds 9 and 10 have no back edge: only self-loops make cycles there (the forward-only pass).
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('the largest exit rate on a cycle is found (forward edges with a few back edges, self-loops, seed %s)', (seed) => {
    // Mostly forward edges, so that many states (the fastest among them) are on no cycle.
    let x = seed * 7919;
    const rand = () => ((x = (x * 48271) % 2147483647) / 2147483647);
    const n = 200, rows: number[][] = [];
    for (let v = 0; v < n; v++) {
      const out = new Set<number>();
      if (v < n - 3) for (let k = 0; k < 3; k++) out.add(v + 1 + Math.floor(rand() * Math.min(20, n - v - 1)));
      if (v > 0 && v < n - 3 && rand() < (seed > 8 ? 0 : 0.02 * seed)) out.add(Math.floor(rand() * v)); // back edge
      if (v > 0 && v < n - 3 && rand() < 0.01) out.add(v); // self-loop
      rows.push([...out].sort((a, b) => a - b));
    }
    const rowPtr = Int32Array.from([0, ...rows.map((_, v) => rows.slice(0, v + 1).reduce((a, r) => a + r.length, 0))]);
    const col = Int32Array.from(rows.flat()), weight = Float64Array.from(col, () => 1);
    const exitRate = Float64Array.from(rows, (r) => (r.length ? 10 ** (6 * rand()) : 0));
    const csr: Csr = { vertexCount: n, discrete: false, rowPtr, col, weight, exitRate };
    let expected = 0, off = 0;
    for (let v = 0; v < n; v++) if (isTransient(csr, v)) { if (onCycle(csr, v)) expected = Math.max(expected, exitRate[v]); else off++; }
    expect(off).toBeGreaterThan(20);
    expect(cyclingRate(csr)).toBe(expected);
    expect(cyclingRate(csr)).toBe(expected); // again, from the components kept for the structure
  });

  it('the bound from the structure alone is never below it, and is tight where every cyclic state has the same rates (rabbits)', () => {
    const graphs: [Graph, number][] = [[models.rabbits(30), 3], [models.coalescent(12), 1], [models.randomCyclic({ vertices: 300, params: 2, seed: 4 }), 2],
      ...Array.from({ length: 8 }, (_, s): [Graph, number] => [buildGraph(randomSpec({ seed: s + 1, vertices: 40, params: 2, absorbing: 1, defective: s % 2 === 0 })), 2])];
    let seed = 7;
    const uniform = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const [graph, P] of graphs) {
      for (let k = 0; k < 20; k++) {
        const theta = Array.from({ length: P }, () => 10 ** (4 * uniform() - 2));
        const csr = csrOf(graph, theta), bound = cyclingRateBound(graph.structure(), theta);
        expect(bound).toBeGreaterThanOrEqual(cyclingRate(csr));
      }
    }
    const rabbits = models.rabbits(30);
    expect(cyclingRateBound(rabbits.structure(), [1, 2, 4])).toBeCloseTo(cyclingRate(csrOf(rabbits, [1, 2, 4])), 6);
    expect(cyclingRateBound(models.coalescent(12).structure(), [1])).toBe(0);
  });

    it('a DAG (the coalescent) has none, and is left to adaptive stepping however long the times', () => {
    const csr = csrOf(models.coalescent(30), [1]);
    expect(cyclingRate(csr)).toBe(0);
    expect(krylovGoesFirst(csr, stepMatrix(csr, 435), 435 * 1e6, 1e6)).toBe(false);
  });

  it('short runs are stepped; a nearly closed chain at long times goes to Krylov, and agrees with uniformisation', () => {
    const random = csrOf(models.randomCyclic({ vertices: 1000, params: 2, seed: 1 }), [1, 1]);
    expect(krylovGoesFirst(random, stepMatrix(random, 1), 43 * 4, 4)).toBe(false);
    const g = buildGraph(withScaledExits(randomSpec({ seed: 1, vertices: 200, params: 0, absorbing: 1, defective: false }), 1e-6));
    const csr = csrOf(g);
    const lambda = Math.max(...csr.exitRate), times = Array.from({ length: 100 }, (_, i) => 300 * (i + 1));
    expect(krylovGoesFirst(csr, stepMatrix(csr, lambda), lambda * 3e4, 3e4)).toBe(true);
    expect(gap(g.cdf(times), g.cdf(times, { method: 'uniformization' })).err).toBeLessThanOrEqual(1e-10);
    expect(gap(g.pdf(times), g.pdf(times, { method: 'uniformization' })).err).toBeLessThanOrEqual(1e-12);
  });
});

describe('the work meter (Krylov within a budget of estimated work)', () => {
  it('a run stops at its budget and says so; with room it gives the same bits as a run without a meter', () => {
    const g = buildGraph(withScaledExits(randomSpec({ seed: 1, vertices: 200, params: 0, absorbing: 1, defective: false }), 1e-6));
    const csr = csrOf(g), chain = stepMatrix(csr, 1);
    const times = Float64Array.from({ length: 20 }, (_, i) => 5000 * (i + 1));
    const budget = { maxBytes: 1 << 28, pdfTolerance: 2e-11 * Math.max(...chain.exit), cdfTolerance: 2e-11 };
    const free = krylovContinuous(csr, chain, times, budget);
    if ('failed' in free) throw new Error(free.failed);
    const roomy = new KrylovMeter(1e12);
    const metered = krylovContinuous(csr, chain, times, { ...budget, meter: roomy });
    if ('failed' in metered) throw new Error(metered.failed);
    expect(Array.from(metered.pdf).every((x, i) => Object.is(x, free.pdf[i]))).toBe(true);
    const spent = 1e12 - roomy.remaining;
    expect(spent).toBeGreaterThan(0);
    // Less than it spends: it stops (before its elimination, or in the Arnoldi steps).
    for (const share of [0.001, 0.5, 0.9]) expect(krylovContinuous(csr, chain, times, { ...budget, meter: new KrylovMeter(share * spent) })).toEqual({ failed: OVER_BUDGET });
    expect('failed' in krylovContinuous(csr, chain, times, { ...budget, meter: new KrylovMeter(1.000001 * spent) })).toBe(false);
  });
});

describe("'auto' where Krylov gives way after its trial of steps", () => {
  it('the stepping carries the trial on: the same bits as plain uniformisation from the start', () => {
    // 500 states, rates over 6 orders, to t = 30: a trial of 10⁸ work (57,600 steps) does not
    // finish, Krylov (about 0.2 s) passes its third of the stepping's 0.3 s, and adaptive
    // stepping gives way; plain stepping then goes on from the trial's last step.
    const g = buildGraph(withStiffRates(randomSpec({ seed: 1, vertices: 500, params: 0, absorbing: 1, defective: false }), 3, 1));
    const times = Array.from({ length: 100 }, (_, i) => (30 * (i + 1)) / 100);
    const csr = csrOf(g), lambda = Math.max(...csr.exitRate);
    expect(krylovGoesFirst(csr, stepMatrix(csr, lambda), lambda * 30, 30)).toBe(true);
    const auto = g.pdf(times), plain = g.pdf(times, { method: 'uniformization' });
    expect(Array.from(auto).every((x, i) => Object.is(x, plain[i]))).toBe(true);
    const autoCdf = g.cdf(times), plainCdf = g.cdf(times, { method: 'uniformization' });
    expect(Array.from(autoCdf).every((x, i) => Object.is(x, plainCdf[i]))).toBe(true);
  });
});

describe("'auto' where the mass is absorbed long before the last time", () => {
  it('rabbits N = 100 to t = 10⁶ (λt far past maxSteps): stepped to where the mass is gone, the same bits as uniformisation without the limit', () => {
    const g = models.rabbits(100);
    const times = Array.from({ length: 50 }, (_, i) => 2e4 * (i + 1));
    const theta = [1, 2, 4];
    const auto = g.pdf(times, { theta }), plain = g.pdf(times, { theta, method: 'uniformization', maxSteps: 1e9 });
    expect(Array.from(auto).every((x, i) => Object.is(x, plain[i]))).toBe(true);
    const early = [0.5, 1, 2, 5, 1e3, 1e6];
    const autoCdf = g.cdf(early, { theta }), plainCdf = g.cdf(early, { theta, method: 'uniformization', maxSteps: 1e9 });
    expect(Array.from(autoCdf).every((x, i) => Object.is(x, plainCdf[i]))).toBe(true);
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
    const g = buildGraph(randomSpec({ seed: 4, vertices: 400, params: 0, absorbing: 1, defective: false }));
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
