// Moments at four θ rows at once (wasm-src/trace-lanes.c through TraceModel.momentsBatch):
// each row's moments are bitwise those of evaluating it alone (TraceModel.moments, itself
// checked against dense inverses by the oracle suites), and a row the lanes refuse is
// evaluated alone, so it fails with the same error as it would alone.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile, createEvaluator, EvaluatorCache, GraphError, KernelError, models, ready, type Graph } from '../../src/index.js';
import { kernelParameterisation } from '../../src/kernel/parameterisation.js';
import { f64View, kernel, LANES } from '../../src/kernel/module.js';
import { KernelWorkspace } from '../../src/kernel/workspace.js';
import { MomentLanes, TraceLanes } from '../../src/trace/trace-lanes.js';
import { forwardMomentsInLanes } from '../../src/kernel/forward-moments.js';
import { buildGraph, faultyForwardSpec, prng, randomRewards, randomSpec, randomTheta, type EdgeSpec } from '../correctness/fixtures.js';

beforeAll(() => ready());
afterEach(() => vi.restoreAllMocks());

// -0 told apart from 0, NaN from itself.
const bits = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',');

/** The outcome of f as text: its values, or the error's class, code and vertex. */
function outcome(f: () => ArrayLike<number>): string {
  try {
    return bits(f());
  } catch (e) {
    return e instanceof GraphError ? `${e.code}@${e.vertex ?? ''}: ${e.message}` : `threw ${String(e)}`;
  }
}

/** momentsBatch against the rows one at a time: the same bits, or the same first error. */
async function expectSameAsAlone(graph: Graph, thetas: number[][], k: number, rewards?: number[], what = ''): Promise<void> {
  const model = await compile(graph, { store: null });
  const batch = outcome(() => model.momentsBatch(k, { thetas: Float64Array.from(thetas.flat()), rewards }));
  const alone = outcome(() => thetas.flatMap((theta) => model.moments(k, { theta, rewards })));
  expect(batch, what).toBe(alone);
}

describe('moments in lanes', () => {
  it('go through the lanes (not a silent fallback to one row at a time): the tape\'s, or the forward pass\'s where every edge goes forward', async () => {
    const tape = vi.spyOn(TraceLanes.prototype, 'moments');
    const model = await compile(models.rabbits(6), { store: null });
    model.momentsBatch(2, { thetas: Float64Array.from({ length: 9 * 3 }, (_, i) => 0.5 + (i % 5) / 4) });
    expect(tape).toHaveBeenCalledTimes(Math.ceil(9 / LANES));
    tape.mockClear();
    const forward = await compile(models.coalescent(9), { store: null });
    const lanes = vi.spyOn(MomentLanes.prototype, 'moments');
    forward.momentsBatch(3, { thetas: Float64Array.from([0.5, 1, 2, 3, 4, 5]) });
    const answers = lanes.mock.results.map((r) => r.value as (Float64Array | null)[] | null);
    expect(answers.length).toBe(2);
    expect(answers.every((a) => a !== null && a.every((row) => row !== null))).toBe(true);
    expect(tape).not.toHaveBeenCalled();
  });

  it('lanes the kernel has no memory for: the batch goes row by row, with the bits of each row alone', async () => {
    const open = vi.spyOn(TraceLanes, 'open').mockImplementation(() => {
      throw new KernelError('OUT_OF_MEMORY', 'the lanes: no room (test)');
    });
    const tape = vi.spyOn(TraceLanes.prototype, 'moments');
    await expectSameAsAlone(models.rabbits(6), Array.from({ length: 6 }, (_, i) => [0.5 + i / 7, 2 - i / 9, 1 + (i % 3)]), 2);
    expect(open).toHaveBeenCalled();
    expect(tape).not.toHaveBeenCalled();
  });

  it('the coalescent, rabbits and random cyclic graphs: the same bits as each row alone, k = 1 … 3, any number of rows', async () => {
    const graphs: [string, Graph, (i: number) => number[]][] = [
      ['coalescent n = 12', models.coalescent(12), (i) => [0.2 + i / 3]],
      ['rabbits N = 15', models.rabbits(15), (i) => [0.5 + i / 7, 2 - i / 9, 1 + (i % 3)]],
      ['random cyclic 300', models.randomCyclic({ vertices: 300, params: 2, seed: 3 }), (i) => [1 + i / 5, 0.25 * (1 + (i % 4))]],
    ];
    for (const [name, graph, theta] of graphs)
      for (const rows of [1, 2, 3, 4, 5, 9])
        for (const k of [1, 2, 3]) await expectSameAsAlone(graph, Array.from({ length: rows }, (_, i) => theta(i)), k, undefined, `${name}, ${rows} rows, k = ${k}`);
  });

  it('60 random cyclic graphs (defective α, two absorbing vertices, purely parametric rates, θ_i = 0 in some rows), rewards of either sign and -0', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const spec = randomSpec({ seed, vertices: 3 + (seed % 25), params: 1 + (seed % 3), absorbing: seed % 2 ? 1 : 2, defective: seed % 3 === 0 });
      const rewards = randomRewards(seed, spec).map((r, v) => (v % 7 === 3 ? -0 : r));
      // Some rows put a θ_i at 0: its terms are skipped in that lane (a rate may become 0).
      const thetas = Array.from({ length: 7 }, (_, row) => randomTheta(seed * 31 + row, spec.paramLength).map((t, i) => (row % 3 === 1 && i === 0 ? 0 : t)));
      await expectSameAsAlone(buildGraph(spec), thetas, 1 + (seed % 3), rewards, `seed ${seed}`);
    }
  });

  it('300 random forward graphs, bad ones included (negative or zero rates, a self-loop-only vertex, α past 1): the same bits or the same error as alone', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed + 7000);
      const { spec, fault } = faultyForwardSpec(seed);
      const thetas = Array.from({ length: 6 }, () => Array.from({ length: spec.paramLength }, () => [0, 0.25, 0.5, 1, 2][Math.floor(rnd() * 5)]));
      await expectSameAsAlone(buildGraph(spec), thetas, 1 + (seed % 3), randomRewards(seed, spec), `seed ${seed} (fault ${fault})`);
    }
  });

  it('forwardMomentsInLanes answers null for a graph with an edge back (the tape\'s lanes take it)', () => {
    const g = models.rabbits(4);
    expect(forwardMomentsInLanes(g.structure(), [Float64Array.from([1, 2, 3])], new Float64Array(g.vertexCount).fill(1), 1)).toBeNull();
  });

  it('rows whose rates fail a check, or that leave a vertex without an exit, fail with the error they fail with alone, in row order', async () => {
    // Vertex 2 leaves at rates θ_1 − 1 and θ_0 / 2 (to two absorbing vertices): negative below
    // θ_1 = 1, yet with a positive exit rate in all, which only the rates check catches (the
    // elimination divides by nothing negative); no exit at all at θ = (0, 1).
    const edges: EdgeSpec[] = [[0, 1, 1, [0, 0]], [1, 2, 0.5, [1, 0]], [2, 3, -1, [0, 1]], [1, 3, 0.25, [0, 0]], [2, 4, 0, [0.5, 0]]];
    const graph = buildGraph({ stateLength: 1, paramLength: 2, discrete: false, states: [[0], [1], [2], [3], [4]], edges });
    const good = [1, 3], negative = [1, 0.8], zero = [0, 1];
    await expectSameAsAlone(graph, [good, good, negative, good, good], 2, undefined, 'a negative rate in row 2');
    await expectSameAsAlone(graph, [good, zero, good, negative], 2, undefined, 'a vertex without an exit in row 1, a negative rate later');
    await expectSameAsAlone(graph, [good, good, good, good, good, zero], 1, undefined, 'the bad row alone in the second group');
    const model = await compile(graph, { store: null });
    expect(() => model.momentsBatch(1, { thetas: Float64Array.from([...good, ...negative]) })).toThrow(GraphError);
  });

  it('α past 1 at one θ and an overflowing row: the same errors as alone', async () => {
    // α = 0.5 + 0.6·θ_0 passes 1 for θ_0 > 5/6; tiny rates overflow the moments.
    const alpha: EdgeSpec[] = [[0, 1, 0.5, [0.6]], [1, 2, 1, [0]]];
    const a = buildGraph({ stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2]], edges: alpha });
    await expectSameAsAlone(a, [[0.1], [0.5], [2], [0.3], [0.2]], 2, undefined, 'α past 1 in row 2');
    const tiny: EdgeSpec[] = [[0, 1, 1, [0]], [1, 2, 0, [1]]];
    const t = buildGraph({ stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2]], edges: tiny });
    await expectSameAsAlone(t, [[1], [1e-300], [2]], 2, undefined, 'an overflow in row 1');
    const model = await compile(t, { store: null });
    expect(() => model.momentsBatch(2, { thetas: Float64Array.from([1, 1e-300]) })).toThrow(expect.objectContaining({ code: 'OVERFLOW' }));
  });

  it('compiled evaluators of moments (wasm and wasm-direct), without gradients: the same bits as each row alone, and a bad row\'s own error', async () => {
    const tape = vi.spyOn(TraceLanes.prototype, 'moments');
    const cache = new EvaluatorCache({ persistence: 'none', sync: false });
    const spec = randomSpec({ seed: 11, vertices: 40, params: 2, absorbing: 2, defective: true });
    const graphs: [string, Graph][] = [['coalescent n = 10', models.coalescent(10)], ['rabbits N = 12', models.rabbits(12)], ['random cyclic', buildGraph(spec)]];
    for (const [name, graph] of graphs) {
      const p = graph.paramLength;
      const thetas = Float64Array.from({ length: 10 * p }, (_, i) => 0.3 + ((i * 7) % 13) / 5);
      for (const backend of ['wasm', 'wasm-direct'] as const) {
        const evaluator = await createEvaluator(graph, { kind: 'moments', k: 3 }, { cache, backend });
        const batch = await evaluator.evaluate({ thetas });
        const alone = await Promise.all(Array.from({ length: 10 }, (_, r) => evaluator.evaluate({ thetas: thetas.slice(r * p, (r + 1) * p) })));
        expect(bits(batch.values), `${name}, ${backend}`).toBe(bits(alone.flatMap((a) => Array.from(a.values))));
        // A θ of zeros leaves parametric rates at 0: that row fails as it does alone.
        const bad = thetas.slice();
        bad.fill(0, 5 * p, 6 * p);
        const single = await evaluator.evaluate({ thetas: bad.slice(5 * p, 6 * p) }).then(() => 'ok', (e: GraphError) => e.code);
        const inBatch = await evaluator.evaluate({ thetas: bad }).then(() => 'ok', (e: GraphError) => e.code);
        expect(single, `${name}, ${backend}`).not.toBe('ok');
        expect(inBatch, `${name}, ${backend}`).toBe(single);
      }
    }
    expect(tape).toHaveBeenCalled();
  });

  it('a moment count that is not a positive integer is refused before any work (BAD_ARGUMENT), as one row is', async () => {
    const model = await compile(models.rabbits(5), { store: null });
    for (const k of [0, -1, 2.5, Number.NaN]) expect(() => model.momentsBatch(k, { thetas: Float64Array.from([1, 2, 3, 1, 2, 3]) }), `k = ${k}`).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });

  it('discrete graphs keep evaluating one row at a time, with the same results', async () => {
    const spy = vi.spyOn(TraceLanes.prototype, 'moments');
    const spec = randomSpec({ seed: 4, vertices: 12, params: 2, absorbing: 1, defective: false, discrete: true });
    await expectSameAsAlone(buildGraph(spec), [[0.2, 0.4], [0.5, 0.1], [0.3, 0.3], [0.1, 0.9], [0.6, 0.2]], 3);
    expect(spy).not.toHaveBeenCalled();
  });

  it('pk_rates_at_lanes: each lane the bits and verdict of pk_rates_at for its θ, on 200 random graphs with faults', () => {
    const K = kernel(), space = new KernelWorkspace();
    try {
      for (let seed = 1; seed <= 200; seed++) {
        const rnd = prng(seed + 900);
        const spec = randomSpec({ seed, vertices: 2 + (seed % 15), params: 1 + (seed % 3), absorbing: 1, defective: seed % 4 === 0 });
        // Faults: a negative or zero base rate, α past 1, -0 bases.
        if (seed % 5 === 1) spec.edges[spec.edges.length - 1][2] = -0.5;
        if (seed % 5 === 2) spec.edges[0][2] += 0.5;
        if (seed % 5 === 3) spec.edges.forEach((e) => { if (e[2] === 0) e[2] = -0; });
        const s = buildGraph(spec).structure(), kp = kernelParameterisation(s), m = s.col.length, p = s.paramLength;
        const thetas = Array.from({ length: LANES }, () => Array.from({ length: p }, () => [0, 0.5, 1, 2, -1][Math.floor(rnd() * 5)]));
        const at = space.layout({ theta4: 8 * LANES * p, w4: 8 * LANES * m, w: 8 * m });
        const t4 = f64View(K, at.theta4, LANES * p);
        thetas.forEach((theta, lane) => theta.forEach((x, i) => (t4[i * LANES + lane] = x)));
        const failed = kp.ratesInLanes(at.theta4, at.w4);
        thetas.forEach((theta, lane) => {
          const ok = kp.ratesInto(Float64Array.from(theta), at.w);
          expect((failed >> lane) & 1, `seed ${seed}, lane ${lane}`).toBe(ok ? 0 : 1);
          if (!ok) return;
          const w4 = f64View(K, at.w4, LANES * m);
          expect(bits(Array.from({ length: m }, (_, j) => w4[j * LANES + lane])), `seed ${seed}, lane ${lane}`).toBe(bits(f64View(K, at.w, m)));
        });
      }
    } finally {
      space.dispose();
    }
  });
});
