// The tape's FMA form (trace.c: every op but an inverse as a + b·c with the constants 1 and
// −0, the ops level by level, the values renumbered in that order) against the op-by-op
// interpreter it replaces: the same values bitwise (signed zeros, infinities and NaN
// included), in another order; the same multipliers, so the same solves; a failed inverse
// found as well; over four lanes too. pk_trace_evaluate_tape numbers them as the tape does.
import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, type Graph } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { kernel } from '../../src/kernel/module.js';
import { decodeTrace, encodeTrace } from '../../src/trace/format.js';
import { canonicalRates } from '../../src/graph/rates.js';
import { structuralHash } from '../../src/trace/structural-hash.js';
import { buildGraph, prng, randomSpec, randomTheta } from '../correctness/fixtures.js';

beforeAll(() => ready());

const INTERPRETED = 0, FMA = 2;
const LANES = 4;

// A trace evaluated four times (the fourth compiles it).
function compiledTrace(graph: Graph): Trace {
  const compiled = Trace.record(graph.structure());
  const ones = new Float64Array(compiled.inputCount).fill(0.5);
  for (let i = 0; i < 4; i++) evaluateRaw(compiled, ones);
  return compiled;
}

// What the op-by-op interpreter gives: a trace of its own, evaluated once.
function interpreted(graph: Graph, w: Float64Array): Evaluated {
  const fresh = Trace.record(graph.structure());
  const result = evaluateRaw(fresh, w);
  expect(kernel().pk_trace_form(fresh.kernelPointer)).toBe(INTERPRETED);
  fresh.dispose();
  return result;
}

interface Evaluated {
  /** pk_trace_evaluate's code: −1, or an op that divided by ≤ 0. */
  bad: number;
  /** The values (inputs, the constant 0, one per op), in the evaluation's numbering. */
  values: Float64Array;
  /** pk_solve of a fixed reward vector on the multipliers just evaluated. */
  solved: Float64Array;
}

// Runs `use` with kernel copies of w and a value array for the trace, freed after.
function withBuffers<T>(trace: Trace, w: Float64Array, use: (w: number, vals: number) => T): T {
  const k = kernel();
  const wp = k.pk_malloc(8 * w.length), vals = k.pk_malloc(8 * trace.valueCount());
  try {
    new Float64Array(k.memory.buffer, wp, w.length).set(w);
    return use(wp, vals);
  } finally {
    k.pk_free(wp);
    k.pk_free(vals);
  }
}

// An evaluation at w, by pk_trace_evaluate or (tape) pk_trace_evaluate_tape.
function evaluateRaw(trace: Trace, w: Float64Array, tape = false): Evaluated {
  const k = kernel(), ptr = trace.kernelPointer, n = trace.vertexCount;
  return withBuffers(trace, w, (wp, vals) => {
    const bad = (tape ? k.pk_trace_evaluate_tape : k.pk_trace_evaluate)(ptr, wp, vals);
    const values = new Float64Array(k.memory.buffer, vals, k.pk_trace_nvals(ptr) - 2).slice();
    const r = k.pk_malloc(16 * n);
    try {
      new Float64Array(k.memory.buffer, r, n).set(Float64Array.from({ length: n }, (_, v) => 1 + (v % 5) / 4));
      k.pk_solve(ptr, r, r + 8 * n);
      return { bad, values, solved: new Float64Array(k.memory.buffer, r + 8 * n, n).slice() };
    } finally {
      k.pk_free(r);
    }
  });
}

// The values' bit patterns in ascending order (each NaN as one pattern): equal for the same
// values in any numbering.
function sortedBits(values: Float64Array): Float64Array {
  const bits = new BigUint64Array(Float64Array.from(values, (x) => (Number.isNaN(x) ? NaN : x)).buffer).sort();
  return new Float64Array(bits.buffer);
}

// The adjoint of every value (inputs, the constant 0, one per op) from seeded adjoints of the
// multipliers and scale0, after evaluating at w, and the bad op of that evaluation.
function reverseRaw(trace: Trace, w: Float64Array, seed: number): { bad: number; adjoints: Float64Array } {
  const k = kernel(), ptr = trace.kernelPointer, nv = k.pk_trace_nvals(ptr);
  const ncmd = k.pk_elim_ncmd(ptr), n = trace.vertexCount;
  const random = prng(seed);
  const seeds = (count: number) => Float64Array.from({ length: count }, () => (random() < 0.3 ? 0 : random() * 4 - 2));
  const blocks = [8 * nv, 8 * ncmd, 8 * n, 8 * nv].map((bytes) => k.pk_malloc(bytes));
  const [vals, mbar, sbar, vbar] = blocks;
  try {
    new Float64Array(k.memory.buffer, vals, w.length).set(w);
    const bad = k.pk_trace_evaluate_tape(ptr, vals, vals);
    new Float64Array(k.memory.buffer, mbar, ncmd).set(seeds(ncmd));
    new Float64Array(k.memory.buffer, sbar, n).set(seeds(n));
    k.pk_trace_reverse(ptr, vals, mbar, sbar, vbar, vbar);
    return { bad, adjoints: new Float64Array(k.memory.buffer, vbar, nv - 2).slice() };
  } finally {
    blocks.forEach((block) => k.pk_free(block));
  }
}

const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

// Bitwise, but for NaN: WebAssembly leaves a NaN result's sign and payload to the machine.
function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new BigUint64Array(actual.buffer), b = new BigUint64Array(expected.buffer);
  let first = -1;
  for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) first = i;
  expect(first, first < 0 ? '' : `slot ${first}: ${show(actual[first])} against ${show(expected[first])}`).toBe(-1);
}

// Weights from a seeded stream: plain, tiny, huge, subnormal, zeros of both signs, NaN, ∞.
function hostileWeights(count: number, seed: number, hostile: boolean): Float64Array {
  const random = prng(seed);
  const odd = [0, -0, 5e-324, 1e-300, 1e300, Number.MAX_VALUE, Infinity, NaN, 1e-8, 1e8];
  return Float64Array.from({ length: count }, () => (hostile && random() < 0.05 ? odd[Math.floor(random() * odd.length)] : 0.01 + 10 * random()));
}

const cyclic: [string, () => Graph][] = [
  ['rabbits N = 40', () => models.rabbits(40)],
  ['random cyclic 300', () => models.randomCyclic({ vertices: 300, params: 2, seed: 11 })],
  ['random cyclic 1k', () => models.randomCyclic({ vertices: 1000, params: 2, seed: 7 })],
  ['coalescent n = 10 (a tape too short for runs)', () => models.coalescent(10)],
];

describe('the FMA form of a tape', () => {
  for (const [name, build] of cyclic) {
    test(`${name}: compiled on the fourth evaluation; the interpreter's values bitwise (renumbered; in the tape's order from pk_trace_evaluate_tape) and solves, at plain and hostile weights`, () => {
      const graph = build();
      const compiled = compiledTrace(graph);
      expect(kernel().pk_trace_form(compiled.kernelPointer)).toBe(FMA);
      let failed = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const w = hostileWeights(compiled.inputCount, seed, seed > 2);
        const alone = interpreted(graph, w);
        const viaFma = evaluateRaw(compiled, w);
        expect(viaFma.bad >= 0).toBe(alone.bad >= 0);
        expectSameBits(sortedBits(viaFma.values), sortedBits(alone.values));
        expectSameBits(viaFma.solved, alone.solved);
        const inTapeOrder = evaluateRaw(compiled, w, true);
        expect(inTapeOrder.bad).toBe(alone.bad);
        expectSameBits(inTapeOrder.values, alone.values);
        expectSameBits(inTapeOrder.solved, alone.solved);
        if (alone.bad >= 0) failed++;
      }
      expect(failed).toBeGreaterThan(0); // the hostile weights reach an inverse of ≤ 0 somewhere
    });
  }

  for (const [name, build] of cyclic.slice(0, 3)) {
    test(`${name}: after pk_trace_evaluate_tape, the reverse pass gives every adjoint bitwise as on a trace never compiled`, () => {
      const graph = build();
      const compiled = compiledTrace(graph);
      for (let seed = 1; seed <= 6; seed++) {
        const w = hostileWeights(compiled.inputCount, seed, seed > 3);
        const fresh = Trace.record(graph.structure());
        const alone = reverseRaw(fresh, w, seed);
        expect(kernel().pk_trace_form(fresh.kernelPointer)).toBe(INTERPRETED);
        fresh.dispose();
        const viaFma = reverseRaw(compiled, w, seed);
        expect(kernel().pk_trace_form(compiled.kernelPointer)).toBe(FMA);
        expect(viaFma.bad).toBe(alone.bad);
        expectSameBits(viaFma.adjoints, alone.adjoints);
      }
    });
  }

  test('the evaluation that compiles the form, asked in the tape\'s numbering (a gradient\'s), is numbered as the tape', () => {
    const graph = models.rabbits(30);
    for (const seed of [1, 2]) {
      const w = hostileWeights(Trace.record(graph.structure()).inputCount, seed, seed > 1);
      const trace = Trace.record(graph.structure());
      for (let i = 0; i < 3; i++) evaluateRaw(trace, w);
      expect(kernel().pk_trace_form(trace.kernelPointer)).toBe(INTERPRETED);
      const fourth = reverseRaw(trace, w, seed); // the fourth evaluation compiles
      expect(kernel().pk_trace_form(trace.kernelPointer)).toBe(FMA);
      const fresh = Trace.record(graph.structure());
      const alone = reverseRaw(fresh, w, seed);
      fresh.dispose();
      expect(fourth.bad).toBe(alone.bad);
      expectSameBits(fourth.adjoints, alone.adjoints);
    }
  });

  test('through the model: a gradient with input gradients as the fourth evaluation equals one on a fresh trace', () => {
    const graph = models.rabbits(20);
    const model = new TraceModel(Trace.record(graph.structure()), graph);
    for (let i = 0; i < 3; i++) model.expectation({ theta: [1 + i, 2, 3] });
    const fourth = model.gradient(1, { theta: [1.3, 0.8, 2.2], inputGradients: true });
    expect(kernel().pk_trace_form(model.trace.kernelPointer)).toBe(FMA);
    const fresh = new TraceModel(Trace.record(graph.structure()), graph).gradient(1, { theta: [1.3, 0.8, 2.2], inputGradients: true });
    expect(fourth).toEqual(fresh);
  });

  test('over four lanes: each lane the values of its row through the interpreter (renumbered), and the mask of the rows that divided by ≤ 0', () => {
    const graph = models.rabbits(40), compiled = compiledTrace(graph);
    const k = kernel(), ptr = compiled.kernelPointer, nv = k.pk_trace_nvals(ptr), m = compiled.inputCount;
    for (let seed = 1; seed <= 6; seed++) {
      const rows = Array.from({ length: LANES }, (_, lane) => hostileWeights(m, 100 * seed + lane, lane % 2 === 1));
      const vals4 = k.pk_malloc(8 * LANES * nv);
      try {
        const view = new Float64Array(k.memory.buffer, vals4, LANES * nv);
        rows.forEach((w, lane) => w.forEach((x, j) => (view[j * LANES + lane] = x)));
        const mask = k.pk_trace_evaluate_lanes(ptr, vals4);
        expect(k.pk_trace_form(ptr)).toBe(FMA);
        // Copied out before recording the interpreter's traces, which may grow (and detach) kernel memory.
        const after = new Float64Array(k.memory.buffer, vals4, LANES * nv);
        const lanes = rows.map((_, lane) => Float64Array.from({ length: nv - 2 }, (_, j) => after[j * LANES + lane]));
        rows.forEach((w, lane) => {
          const alone = interpreted(graph, w);
          expect((mask >> lane) & 1).toBe(alone.bad >= 0 ? 1 : 0);
          expectSameBits(sortedBits(lanes[lane]), sortedBits(alone.values));
        });
      } finally {
        k.pk_free(vals4);
      }
    }
  });

  test('a trace stored after it was compiled, and read back: the same bytes as before, and it compiles again to the same bits', async () => {
    const graph = models.rabbits(25);
    const model = new TraceModel(Trace.record(graph.structure()), graph);
    const hash = await structuralHash(graph.structure());
    const before = encodeTrace(model.trace, hash);
    for (let i = 0; i < 5; i++) model.moments(2, { theta: [1 + i, 2, 3] });
    expect(kernel().pk_trace_form(model.trace.kernelPointer)).toBe(FMA);
    expect(encodeTrace(model.trace, hash)).toEqual(before); // nothing of the compiled form is stored
    const read = new TraceModel(decodeTrace(encodeTrace(model.trace, hash)).trace, graph);
    for (let i = 0; i < 6; i++) expect(read.moments(2, { theta: [2, 1 + i / 3, 3] })).toEqual(model.moments(2, { theta: [2, 1 + i / 3, 3] }));
    expect(kernel().pk_trace_form(read.trace.kernelPointer)).toBe(FMA);
  });

  test('discrete graphs: moments through the FMA form equal the direct path\'s at θ after θ', () => {
    let compiled = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const graph = buildGraph(randomSpec({ seed: 40 + seed, vertices: 20 + seed, params: 2, absorbing: 1, defective: false, discrete: true }));
      const model = new TraceModel(Trace.record(graph.structure()), graph);
      for (let i = 0; i < 6; i++) {
        const theta = randomTheta(10 * seed + i, 2, 0, 1);
        const viaTrace = model.moments(2, { theta }), direct = graph.moments(2, { theta });
        viaTrace.forEach((m, j) => expect(Math.abs(m - direct[j])).toBeLessThanOrEqual(1e-10 * Math.abs(direct[j])));
      }
      if (kernel().pk_trace_form(model.trace.kernelPointer) === FMA) compiled++;
    }
    expect(compiled).toBeGreaterThan(0);
  });

  test('four-lane values evaluated before the trace compiled are still read by their own numbering after', () => {
    const graph = models.rabbits(25), trace = Trace.record(graph.structure());
    const k = kernel(), ptr = trace.kernelPointer, nv = k.pk_trace_nvals(ptr), m = trace.inputCount, n = trace.vertexCount;
    const rows = Array.from({ length: LANES }, (_, lane) => canonicalRates(graph.structure(), Float64Array.of(1 + lane / 3, 2, 4 - lane)));
    const blocks = [8 * LANES * nv, 8 * n, 16 * LANES * n, 8 * LANES * 2].map((bytes) => k.pk_malloc(bytes));
    const [vals4, r, work, out] = blocks;
    try {
      const view = new Float64Array(k.memory.buffer, vals4, LANES * nv);
      rows.forEach((w, lane) => w.forEach((x, j) => (view[j * LANES + lane] = x)));
      expect(k.pk_trace_evaluate_lanes(ptr, vals4)).toBe(0); // the first evaluation: op by op
      for (let i = 0; i < 3; i++) evaluateRaw(trace, rows[0]); // the fourth compiles the form
      expect(k.pk_trace_form(ptr)).toBe(FMA);
      new Float64Array(k.memory.buffer, r, n).fill(1);
      k.pk_moments_lanes(ptr, vals4, r, 2, work, out);
      const lanes = new Float64Array(k.memory.buffer, out, LANES * 2).slice();
      rows.forEach((w, lane) => {
        const fresh = Trace.record(graph.structure());
        expectSameBits(lanes.slice(2 * lane, 2 * lane + 2), Float64Array.from(fresh.moments(w, { k: 2 })));
        fresh.dispose();
      });
    } finally {
      blocks.forEach((block) => k.pk_free(block));
    }
  });

  test('moments, gradients and batches through the FMA form equal the direct elimination\'s, to the last bit', () => {
    const graph = models.rabbits(30);
    const model = new TraceModel(Trace.record(graph.structure()), graph);
    for (let i = 0; i < 6; i++) {
      const theta = [1 + i / 7, 2, 4 - i / 3];
      expect(model.moments(3, { theta })).toEqual(graph.moments(3, { theta }));
    }
    expect(kernel().pk_trace_form(model.trace.kernelPointer)).toBe(FMA);
    const thetas = [[1, 2, 4], [0.5, 0.5, 0.5], [3, 1, 0.2], [2, 2, 2], [1.5, 0.1, 9]];
    const batch = model.momentsBatch(2, { thetas: Float64Array.from(thetas.flat()) });
    thetas.forEach((theta, i) => expect([batch[2 * i], batch[2 * i + 1]]).toEqual(graph.moments(2, { theta })));
    const fresh = new TraceModel(Trace.record(graph.structure()), graph);
    expect(model.gradient(2, { theta: [1.2, 0.9, 3] })).toEqual(fresh.gradient(2, { theta: [1.2, 0.9, 3] }));
  });
});
