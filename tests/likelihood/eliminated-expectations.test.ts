// Expectations and counts' log-likelihoods of graphs with cycles (and discrete graphs), after
// an elimination or a trace evaluated at θ: one transposed solve gives the expected time in
// every vertex, so m reward vectors cost one solve and sums over their nonzero entries
// (pk_expect_times). A gradient is one solve more and a pass over the edges, with no tape
// (pk_expect_gradient; counts' once, for one combined reward); a discrete graph's reads the tape.
// Checked against the dense oracle (E[R] = α U r, ∂E[R]/∂θ = α U (∂S/∂θ) U r), against the
// graph's own expectation, and against central differences for discrete graphs.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEvaluator, GraphError, models, ready } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import { ExpectationLanes } from '../../src/trace/trace-lanes.js';
import { KernelError } from '../../src/errors/index.js';
import {
  MOMENT_TOL, buildGraph, byState, dSdTheta, denseAt, expectRelClose, onRows, rabbitsSpec, randomRewards, randomSpec, randomTheta, type GraphSpec,
} from '../correctness/fixtures.js';
import { continuous as C } from '../oracle/index.js';
import { alone, expectCentralDifferences, expectCountsMatchOracle, expectExpectationsMatchOracle, expectGradientClose, oracle, same, someCounts } from './expectation-support.js';

beforeAll(() => ready());
afterEach(() => vi.restoreAllMocks());

const noCache = { cache: null, traceStore: null } as const;
const BACKENDS = ['wasm', 'wasm-direct'] as const;

const cyclicCases = Array.from({ length: 24 }, (_, i) => ({
  seed: 500 + i,
  spec: randomSpec({ seed: 500 + i, vertices: 3 + ((i * 5) % 28), params: 1 + (i % 3), absorbing: (1 + (i % 2)) as 1 | 2, defective: i % 3 === 0 }),
}));

describe('expectations after an elimination: one transposed solve for every reward vector', () => {
  it.each(BACKENDS)('%s: m reward vectors and their gradients equal the dense oracle on 24 random graphs with cycles', async (backend) => {
    const times = vi.spyOn(kernel(), 'pk_expect_times'), gradientPasses = vi.spyOn(kernel(), 'pk_expect_gradient'), tape = vi.spyOn(kernel(), 'pk_trace_reverse');
    // 'wasm' evaluates a batch's rows through the trace four at a time (the lanes: tested below).
    const timesLanes = vi.spyOn(kernel(), 'pk_expect_times_lanes'), gradientLanes = vi.spyOn(kernel(), 'pk_expect_gradient_lanes');
    const lanes = backend === 'wasm';
    for (const { seed, spec } of cyclicCases) {
      const g = buildGraph(spec);
      // Start and absorbing vertices carry junk rewards (randomRewards) that must be ignored.
      const rewardsBySpec = [1, 2, 3].map((j) => randomRewards(seed * 10 + j, spec));
      const ev = await createEvaluator(g, { kind: 'expectations', rewards: rewardsBySpec.map((r) => byState(spec, r, g)) }, { ...noCache, backend });
      const thetas = [randomTheta(seed, spec.paramLength), randomTheta(seed + 1, spec.paramLength), new Array(spec.paramLength).fill(1)];
      for (const spy of [times, gradientPasses, tape, timesLanes, gradientLanes]) spy.mockClear();
      const values = (await ev.evaluate({ thetas: Float64Array.from(thetas.flat()) })).values;
      const { values: again, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
      // One solve for the three values of a row, with or without gradients, and one more per
      // gradient ('wasm': for the three rows at once in lanes); no tape read.
      expect(times, `seed ${seed}`).toHaveBeenCalledTimes(lanes ? 0 : 2 * thetas.length);
      expect(timesLanes, `seed ${seed}`).toHaveBeenCalledTimes(lanes ? 2 : 0);
      expect(gradientPasses, `seed ${seed}`).toHaveBeenCalledTimes(lanes ? 0 : 3 * thetas.length);
      expect(gradientLanes, `seed ${seed}`).toHaveBeenCalledTimes(lanes ? 3 : 0);
      expect(tape, `seed ${seed}`).not.toHaveBeenCalled();
      expect(Array.from(again), `seed ${seed}: the same values with gradients`).toEqual(Array.from(values));
      expectExpectationsMatchOracle(spec, rewardsBySpec, thetas, values, gradients!, `seed ${seed}`);
      ev.dispose();
    }
  });

  it.each(BACKENDS)("%s: a moments target's E[R^1..R^3] with gradients read no tape, equal to the oracle's derivatives, with the moments' bits", async (backend) => {
    const gradientPasses = vi.spyOn(kernel(), 'pk_moments_gradient'), tape = vi.spyOn(kernel(), 'pk_trace_reverse');
    for (const { seed, spec } of cyclicCases.slice(0, 12)) {
      const g = buildGraph(spec);
      const rewardsBySpec = randomRewards(seed * 3, spec);
      const rewards = byState(spec, rewardsBySpec, g);
      const thetas = [randomTheta(seed, spec.paramLength), randomTheta(seed + 3, spec.paramLength)];
      const p = spec.paramLength;
      for (const k of [1, 2, 3]) {
        const ev = await createEvaluator(g, { kind: 'moments', k, rewards }, { ...noCache, backend });
        gradientPasses.mockClear();
        tape.mockClear();
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
        // One pass per output and row.
        expect(gradientPasses, `seed ${seed} k=${k}`).toHaveBeenCalledTimes(k * thetas.length);
        expect(tape, `seed ${seed} k=${k}`).not.toHaveBeenCalled();
        const plain = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()) });
        expect(Array.from(values), `seed ${seed} k=${k}: the bits of the moments without gradients`).toEqual(Array.from(plain.values));
        thetas.forEach((theta, r) => {
          const d = denseAt(spec, theta);
          const rows = onRows(d, rewardsBySpec);
          expectRelClose(values.subarray(r * k, (r + 1) * k), C.rewardMoments(d.alpha, d.S, rows, k), MOMENT_TOL, `seed ${seed} k=${k} moments`);
          const perParam = theta.map((_, i) => C.rewardMomentDerivatives(d.alpha, d.S, dSdTheta(spec, d, i), rows, k));
          for (let j = 0; j < k; j++)
            expectGradientClose(gradients!.subarray((r * k + j) * p, (r * k + j + 1) * p), perParam.map((dm) => dm[j]), `seed ${seed} θ=${theta} ∂E[R^${j + 1}]`);
        });
        ev.dispose();
      }
    }
  });

  it("equal to the graph's own expectation of each reward, continuous and discrete, on 40 random graphs", async () => {
    for (let i = 0; i < 40; i++) {
      const discrete = i % 2 === 1;
      const spec = randomSpec({ seed: 900 + i, vertices: 2 + (i % 17), params: 1 + (i % 2), absorbing: (1 + (i % 2)) as 1 | 2, defective: i % 4 === 0, discrete });
      const g = buildGraph(spec);
      const rewards = [1, 2].map((j) => byState(spec, randomRewards(i * 7 + j, spec), g));
      // Discrete weights stay below 1 for θ in [0, 1].
      const theta = randomTheta(i, spec.paramLength, discrete ? 0 : 0.2, discrete ? 1 : 3);
      for (const backend of BACKENDS) {
        const ev = await createEvaluator(g, { kind: 'expectations', rewards }, { ...noCache, backend });
        const { values } = await ev.evaluate({ thetas: Float64Array.from(theta) });
        expectRelClose(values, rewards.map((r) => g.expectation({ theta, rewards: r })), 1e-12, `seed ${900 + i} ${backend} discrete=${discrete}`);
        ev.dispose();
      }
    }
  });

  it('discrete graphs: gradients match central differences of the values', async () => {
    for (const seed of [31, 32, 33, 34]) {
      const spec = randomSpec({ seed, vertices: 9, params: 2, absorbing: 1, defective: false, discrete: true });
      const g = buildGraph(spec);
      const rewards = [1, 2].map((j) => byState(spec, randomRewards(seed * 3 + j, spec), g));
      for (const backend of BACKENDS) {
        const ev = await createEvaluator(g, { kind: 'expectations', rewards }, { ...noCache, backend });
        await expectCentralDifferences(ev, [0.4, 0.6], `seed ${seed} ${backend}`);
        ev.dispose();
      }
    }
  });
});

describe("counts' log-likelihood of graphs with cycles", () => {
  for (const distribution of ['poisson', 'multinomial'] as const)
    it.each(BACKENDS)(`%s, ${distribution}: log L and its gradient equal the oracle's on rabbits and random graphs with cycles, two solves and a pass over the edges a row, no tape`, async (backend) => {
      const times = vi.spyOn(kernel(), 'pk_expect_times'), gradientPasses = vi.spyOn(kernel(), 'pk_expect_gradient'), tape = vi.spyOn(kernel(), 'pk_trace_reverse');
    // 'wasm' evaluates a batch's rows through the trace four at a time (the lanes: tested below).
    const timesLanes = vi.spyOn(kernel(), 'pk_expect_times_lanes'), gradientLanes = vi.spyOn(kernel(), 'pk_expect_gradient_lanes');
    const lanes = backend === 'wasm';
      const cases: { name: string; spec: GraphSpec; rewards: number[][] }[] = [3, 5].map((N) => {
        const spec = rabbitsSpec(N);
        // Reward j: rabbits on the left island raised to j (states are [left, right]).
        return { name: `rabbits N=${N}`, spec, rewards: [0, 1, 2, 3].map((j) => spec.states.map((s) => (s[0] + 1) ** j)) };
      });
      for (const { seed, spec } of cyclicCases.slice(0, 8)) cases.push({ name: `cyclic seed ${seed}`, spec, rewards: [1, 2, 3, 4].map((j) => randomRewards(seed * 10 + j, spec, 0)) });
      for (const [c, { name, spec, rewards }] of cases.entries()) {
        const g = buildGraph(spec);
        const counts = someCounts(rewards.length, c), scale = 2.5;
        const data = { counts, rewards: rewards.map((r) => byState(spec, r, g)), scale, distribution };
        const ev = await createEvaluator(g, { kind: 'loglik', data }, { ...noCache, backend });
        const thetas = [randomTheta(c, spec.paramLength), randomTheta(c + 9, spec.paramLength)];
        for (const spy of [times, gradientPasses, tape, timesLanes, gradientLanes]) spy.mockClear();
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
        // The two rows in one group of lanes ('wasm'), or one at a time.
        expect(times, name).toHaveBeenCalledTimes(lanes ? 0 : 2);
        expect(gradientPasses, name).toHaveBeenCalledTimes(lanes ? 0 : 2);
        expect(timesLanes, name).toHaveBeenCalledTimes(lanes ? 1 : 0);
        expect(gradientLanes, name).toHaveBeenCalledTimes(lanes ? 1 : 0);
        expect(tape, name).not.toHaveBeenCalled();
        expectCountsMatchOracle(spec, rewards, data, thetas, values, gradients!, name);
        ev.dispose();
      }
    });

  it("the 'wasm' and 'wasm-direct' evaluators agree bit for bit on rabbits, and bad θ rows throw their errors", async () => {
    const g = models.rabbits(6);
    const rewards = [1, 2, 3].map((j) => Array.from({ length: g.vertexCount }, (_, v) => (v % 4) * j));
    const data = { counts: [4, 7, 2], rewards, scale: 1.5 };
    const [a, b] = await Promise.all(BACKENDS.map((backend) => createEvaluator(g, { kind: 'loglik', data }, { ...noCache, backend })));
    const thetas = Float64Array.from([1, 2, 4, 0.5, 0.7, 3]);
    const [x, y] = await Promise.all([a, b].map((ev) => ev.evaluate({ thetas, gradient: true })));
    expect(Array.from(x.values)).toEqual(Array.from(y.values));
    expect(Array.from(x.gradients!)).toEqual(Array.from(y.gradients!));
    for (const ev of [a, b])
      for (const [theta, code] of [[[1, -2, 4], 'NEGATIVE_RATE'], [[1, Number.NaN, 4], 'NON_FINITE']] as const) {
        const error = await ev.evaluate({ thetas: Float64Array.from(theta) }).catch((e: unknown) => e);
        expect(error, `θ=${theta}`).toBeInstanceOf(GraphError);
        expect((error as GraphError).code, `θ=${theta}`).toBe(code);
      }
  });
});

describe('expectations through the trace in kernel lanes: four θ rows at once', () => {
  it('expectations and counts (with and without gradients): a batch equals each row alone, bit for bit, on graphs with cycles and rabbits', async () => {
    const lanes = vi.spyOn(kernel(), 'pk_expect_times_lanes'), gradientLanes = vi.spyOn(kernel(), 'pk_expect_gradient_lanes');
    const graphs = cyclicCases.slice(0, 10).map(({ seed, spec }) => {
      const g = buildGraph(spec);
      return { name: `cyclic seed ${seed}`, g, p: spec.paramLength, rewards: [1, 2, 3].map((j) => byState(spec, randomRewards(seed * 10 + j, spec), g)) };
    });
    const rabbits = models.rabbits(7);
    graphs.push({ name: 'rabbits N=7', g: rabbits, p: 3, rewards: [1, 2].map((j) => Array.from({ length: rabbits.vertexCount }, (_, v) => (v % 3) + j)) });
    for (const [c, { name, g, p, rewards }] of graphs.entries()) {
      const targets = [
        ...[false, true].map((gradient) => ({ target: { kind: 'expectations' as const, rewards }, gradient })),
        ...(['poisson', 'multinomial'] as const).flatMap((distribution) => [false, true].map((gradient) => ({
          target: { kind: 'loglik' as const, data: { counts: someCounts(rewards.length, c), rewards, scale: 1.5, distribution } }, gradient,
        }))),
      ];
      for (const { target, gradient } of targets) {
        const ev = await createEvaluator(g, target, noCache);
        for (const rows of [2, 4, 5, 9]) {
          const thetas = Array.from({ length: rows }, (_, r) => randomTheta(100 * c + r, p));
          const batch = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient });
          const each = await alone(ev, thetas, gradient);
          if (each instanceof Error) throw each;
          const what = `${name} ${target.kind} gradient=${gradient} rows=${rows}`;
          expect(same(batch.values, each.flatMap((e) => e.values)), `${what}: values`).toBe(true);
          if (gradient) expect(same(batch.gradients!, each.flatMap((e) => e.gradients)), `${what}: gradients`).toBe(true);
        }
        ev.dispose();
      }
    }
    expect(lanes).toHaveBeenCalled();
    expect(gradientLanes).toHaveBeenCalled();
  });

  it('a batch whose lanes find no kernel memory goes row by row, with the bits of each row alone', async () => {
    const open = vi.spyOn(ExpectationLanes, 'open').mockImplementation(() => {
      throw new KernelError('OUT_OF_MEMORY', 'the lanes: no room (test)');
    });
    const lanes = vi.spyOn(kernel(), 'pk_expect_times_lanes');
    const g = models.rabbits(7);
    const rewards = [1, 2].map((j) => Array.from({ length: g.vertexCount }, (_, v) => (v % 3) + j));
    const ev = await createEvaluator(g, { kind: 'loglik', data: { counts: [3, 4], rewards, scale: 1.5 } }, noCache);
    const thetas = Array.from({ length: 6 }, (_, r) => randomTheta(r + 1, 3));
    const batch = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
    const each = await alone(ev, thetas, true);
    if (each instanceof Error) throw each;
    expect(open).toHaveBeenCalled();
    expect(lanes).not.toHaveBeenCalled();
    expect(same(batch.values, each.flatMap((e) => e.values))).toBe(true);
    expect(same(batch.gradients!, each.flatMap((e) => e.gradients))).toBe(true);
    ev.dispose();
  });

  it("a batch's bad rows throw what they throw alone, the first bad row's error first (rabbits)", async () => {
    const g = models.rabbits(5);
    const rewards = [1, 2].map((j) => Array.from({ length: g.vertexCount }, (_, v) => (v % 3) + j));
    for (const gradient of [false, true]) {
      const ev = await createEvaluator(g, { kind: 'loglik', data: { counts: [3, 5], rewards, scale: 2 } }, noCache);
      for (const [thetas, code] of [
        [[[1, 2, 4], [1, -1, 4], [1e-308, 1e-308, 1e-308], [2, 2, 2]], 'NEGATIVE_RATE'],
        [[[1, 2, 4], [2, 1, 1], [1e-308, 1e-308, 1e-308], [1, -1, 4], [3, 3, 3]], 'OVERFLOW'],
        [[[0.5, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [-2, 1, 1]], 'NEGATIVE_RATE'],
      ] as const) {
        const error = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient }).catch((e: unknown) => e);
        expect(error, `gradient=${gradient} θ=${thetas.join(' | ')}`).toBeInstanceOf(GraphError);
        expect((error as GraphError).code, `gradient=${gradient} θ=${thetas.join(' | ')}`).toBe(code);
      }
      ev.dispose();
    }
  });
});
