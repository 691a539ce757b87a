// Progress of pdf/cdf/pmf calls: each method reports the model time (steps) it has
// reached of the largest asked, never past it, ends with done = total, and reporting
// changes no answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready, type DistributionProgress } from '../../src/index.js';
import { progressOf } from '../../src/distributions/progress.js';
import { buildGraph, randomSpec, withScaledExits } from './fixtures.js';

beforeAll(() => ready());

/** Runs `call` with a progress callback: its answers and the reports. */
function reported<T>(call: (onProgress: (p: DistributionProgress) => void) => T): { value: T; reports: DistributionProgress[] } {
  const reports: DistributionProgress[] = [];
  const value = call((p) => reports.push({ ...p }));
  return { value, reports };
}

/** Reports within [0, total], total the largest point, some on the way (the first comes at once), the last one done = total. */
function expectWellFormed(reports: DistributionProgress[], total: number): void {
  expect(reports.length).toBeGreaterThan(0);
  for (const r of reports) {
    expect(r.total).toBe(total);
    expect(r.done).toBeGreaterThanOrEqual(0);
    expect(r.done).toBeLessThanOrEqual(total);
  }
  expect(reports[reports.length - 1]).toEqual({ done: total, total });
  expect(reports.filter((r) => r.done < total).length).toBeGreaterThan(0);
}

// A 3-state cycle leaking at 10⁻⁷: its mass lives past t = 10⁷, so stepping takes all of
// λ·t = 3·10⁷ steps (about half a second here).
const cycle = () => Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [3], [4]], edges: [[0, 1, 1], [1, 2, 3], [2, 3, 3], [3, 1, 3], [3, 4, 1e-7]] });

describe('progress of pdf/cdf/pmf', () => {
  it('uniformisation: steps reach the largest time in order, the answers unchanged', () => {
    const g = cycle(), times = [1e5, 3e6, 1e7];
    const plain = g.cdf(times, { method: 'uniformization', maxSteps: 1e8 });
    const { value, reports } = reported((onProgress) => g.cdf(times, { method: 'uniformization', maxSteps: 1e8, onProgress }));
    expect(Array.from(value)).toEqual(Array.from(plain));
    expectWellFormed(reports, 1e7);
    // The first chunk (8,192 steps) reports at once, and reaches t ≈ 2,700 only.
    expect(reports[0].done).toBeLessThan(1e4);
    for (let i = 1; i < reports.length; i++) expect(reports[i].done).toBeGreaterThanOrEqual(reports[i - 1].done);
  });

  it('adaptive (the coalescent) and Krylov (a nearly closed chain): time covered, time answered', () => {
    const coalescent = models.coalescent(25);
    const a = reported((onProgress) => coalescent.pdf([0.5, 1, 2, 4], { theta: [1], method: 'adaptive', onProgress }));
    expect(Array.from(a.value)).toEqual(Array.from(coalescent.pdf([0.5, 1, 2, 4], { theta: [1], method: 'adaptive' })));
    expectWellFormed(a.reports, 4);
    const closed = buildGraph(withScaledExits(randomSpec({ seed: 1, vertices: 100, params: 0, absorbing: 1, defective: false }), 1e-6));
    const times = [1, 10, 1e3, 1e5, 1e7];
    const k = reported((onProgress) => closed.pdf(times, { method: 'krylov', onProgress }));
    expect(Array.from(k.value)).toEqual(Array.from(closed.pdf(times, { method: 'krylov' })));
    expectWellFormed(k.reports, 1e7);
  });

  it('discrete pmf: steps of the largest step count; empty points report nothing to do', () => {
    const g = Graph.fromJSON({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 0.5], [2, 1, 0.999], [2, 3, 0.001], [1, 1, 0.5]] });
    const steps = [1, 100, 200_000];
    const { value, reports } = reported((onProgress) => g.pmf(steps, { onProgress, method: 'uniformization' }));
    expect(Array.from(value)).toEqual(Array.from(g.pmf(steps, { method: 'uniformization' })));
    expectWellFormed(reports, 200_000);
    expect(reported((onProgress) => g.pmf([], { onProgress })).reports).toEqual([{ done: 0, total: 0 }]);
  });

  it('an onProgress that is not a function is a typed error naming it', () => {
    expect(() => cycle().pdf([1], { onProgress: 5 as never })).toThrow(expect.objectContaining({ name: 'GraphError', code: 'BAD_ARGUMENT', message: expect.stringContaining('onProgress must be a function') }));
  });

  it('a signal aborted from onProgress stops the call with AbortError, frees its work, and the graph answers after', () => {
    for (const method of ['uniformization', 'krylov'] as const) {
      const g = method === 'krylov' ? buildGraph(withScaledExits(randomSpec({ seed: 1, vertices: 100, params: 0, absorbing: 1, defective: false }), 1e-6)) : cycle();
      const times = [1, 1e3, 1e5];
      const controller = new AbortController();
      let reports = 0;
      const call = () => g.cdf(times, { method, maxSteps: 1e8, signal: controller.signal, onProgress: () => { reports++; controller.abort(); } });
      expect(call).toThrow(expect.objectContaining({ name: 'AbortError' }));
      expect(reports).toBe(1);
      // Aborted before the call: stops at once.
      expect(call).toThrow(expect.objectContaining({ name: 'AbortError' }));
      expect(reports).toBe(1);
      expect(Array.from(g.cdf(times, { method, maxSteps: 1e8 }))).toEqual(Array.from(g.cdf(times, { method, maxSteps: 1e8 })));
    }
    const discrete = Graph.fromJSON({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 1, 0.999999], [1, 2, 0.000001]] });
    const controller = new AbortController();
    expect(() => discrete.pmf([1e6], { signal: controller.signal, method: 'uniformization', onProgress: () => controller.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(() => cycle().pdf([1], { signal: {} as never })).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('signal must be an AbortSignal') }));
  });

  it('an abort from the end report (the only one a short call makes) stops the call too', () => {
    const g = cycle();
    for (const method of ['uniformization', 'krylov', 'auto'] as const) {
      const controller = new AbortController();
      const reports: number[] = [];
      expect(() => g.pdf([0.5], { method, signal: controller.signal, onProgress: (p) => { reports.push(p.done / p.total); controller.abort(); } })).toThrow(expect.objectContaining({ name: 'AbortError' }));
      // Stepping this short reports only its end; Krylov reports its start first.
      expect(reports).toEqual(method === 'krylov' ? [0] : [1]);
    }
    const discrete = Graph.fromJSON({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 0.5]] });
    const controller = new AbortController();
    expect(() => discrete.pmf([3], { signal: controller.signal, onProgress: () => controller.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    // Not aborted: the end report comes and the answer with it.
    let ends = 0;
    expect(Array.from(g.pdf([0.5], { onProgress: (p) => { if (p.done === p.total) ends++; } }))).toEqual(Array.from(g.pdf([0.5])));
    expect(ends).toBe(1);
  });

  it('Krylov reports and stops inside a group of times, between basis vectors', () => {
    // One time: one group, whose only report after it would be the last.
    const g = buildGraph(withScaledExits(randomSpec({ seed: 1, vertices: 100, params: 0, absorbing: 1, defective: false }), 1e-6));
    const controller = new AbortController();
    const seen: DistributionProgress[] = [];
    const call = () => g.cdf([1e5], { method: 'krylov', signal: controller.signal, onProgress: (p) => { seen.push({ ...p }); controller.abort(); } });
    expect(call).toThrow(expect.objectContaining({ name: 'AbortError' }));
    // The report came from inside the group: nothing answered yet.
    expect(seen).toEqual([{ done: 0, total: 1e5 }]);
  });

  it('reports are at most every 100 ms, clamped to [0, total], and the end always comes', () => {
    const seen: DistributionProgress[] = [];
    const p = progressOf({ onProgress: (x) => seen.push(x) }, 10);
    p.reached(3); p.reached(4); p.reached(-1); p.reached(NaN);
    p.reached(50);
    p.finish();
    expect(seen).toEqual([{ done: 3, total: 10 }, { done: 10, total: 10 }]);
  });

  it('reports never go back: a method that starts again from 0 holds them at the furthest point', async () => {
    const seen: DistributionProgress[] = [];
    const p = progressOf({ onProgress: (x) => seen.push(x) }, 10);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 110));
    p.reached(6);
    await pause();
    p.reached(1); // the next method, from its own start
    await pause();
    p.reached(4);
    p.reached(8); // throttled, but remembered
    await pause();
    p.reached(7);
    p.finish();
    expect(seen.map((x) => x.done)).toEqual([6, 6, 6, 8, 10]);
  });
});
