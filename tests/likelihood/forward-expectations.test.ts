// Expectations and counts' log-likelihoods of forward structures (every edge to a higher
// index, as the coalescent's): one pass of visit probabilities for the values, one forward
// gradient pass per gradient row, no elimination (pk_forward_expect_at). Checked against the
// dense oracle (inverse: E[R] = α U r, ∂E[R]/∂θ = α U (∂S/∂θ) U r), and against the direct path
// on graphs with faults, where a row that fails a check must throw what it threw before.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEvaluator, GraphError, models, ready, type Graph } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import {
  MOMENT_TOL, buildGraph, byState, coalescentSpec, expectRelClose, faultyForwardSpec, forwardSpec,
  randomRewards, randomTheta, type GraphSpec,
} from '../correctness/fixtures.js';
import { alone, expectCentralDifferences, expectCountsMatchOracle, expectExpectationsMatchOracle, expectGradientClose, oracle, same, someCounts } from './expectation-support.js';

beforeAll(() => ready());
afterEach(() => vi.restoreAllMocks());

const noCache = { cache: null, traceStore: null } as const;
const BACKENDS = ['wasm', 'wasm-direct'] as const;
const forwardCases = Array.from({ length: 24 }, (_, i) => ({ seed: 300 + i, spec: forwardSpec(300 + i, 3 + (i % 15), 1 + (i % 3)) }));

describe('expectations of forward structures, in one pass', () => {
  it.each(BACKENDS)('%s: m reward vectors and their gradients equal the dense oracle on 24 random forward graphs', async (backend) => {
    const eliminations = [vi.spyOn(kernel(), 'pk_eliminate'), vi.spyOn(kernel(), 'pk_trace_evaluate'), vi.spyOn(kernel(), 'pk_expect_times')];
    const lanes = vi.spyOn(kernel(), 'pk_forward_expect_lanes');
    for (const { seed, spec } of forwardCases) {
      const g = buildGraph(spec);
      const rewardsBySpec = [1, 2, 3].map((j) => randomRewards(seed * 10 + j, spec));
      const rewards = rewardsBySpec.map((r) => byState(spec, r, g));
      const ev = await createEvaluator(g, { kind: 'expectations', rewards }, { ...noCache, backend });
      const thetas = [randomTheta(seed, spec.paramLength), randomTheta(seed + 1, spec.paramLength), new Array(spec.paramLength).fill(1)];
      const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
      expectExpectationsMatchOracle(spec, rewardsBySpec, thetas, values, gradients!, `seed ${seed}`);
      ev.dispose();
    }
    // Every batch took the passes, its three rows at once in lanes; none fell back to an elimination.
    expect(lanes.mock.calls.length).toBe(forwardCases.length);
    for (const spy of eliminations) expect(spy).not.toHaveBeenCalled();
  });

  it('α depending on θ: gradients match central differences of the values', async () => {
    for (const seed of [11, 12, 13, 14]) {
      const spec = forwardSpec(seed, 8, 2);
      // The start's edges (α) become 0.1 + 0.15·θ_0 each: at θ_0 ≤ 2 they sum below 1.
      spec.edges = spec.edges.map((e) => (e[0] === 0 ? [0, e[1], 0.1, [0.15, 0]] : e));
      const g = buildGraph(spec);
      const rewards = [1, 2].map((j) => byState(spec, randomRewards(seed * 7 + j, spec), g));
      for (const backend of BACKENDS) {
        const ev = await createEvaluator(g, { kind: 'expectations', rewards }, { ...noCache, backend });
        await expectCentralDifferences(ev, [1.3, 0.8], `seed ${seed} ${backend}`);
        ev.dispose();
      }
    }
  });

  it('a rate exactly 0 at θ: the pass refuses the row, which is eliminated afresh (no trace is recorded), with the oracle\'s values and gradients', async () => {
    for (const seed of [21, 22, 23]) {
      const spec = forwardSpec(seed, 8, 2);
      // One edge of a vertex that has others becomes 0 + 1·θ_1: at θ_1 = 0 its rate is exactly 0.
      const outs = new Map<number, number>();
      for (const [f] of spec.edges) outs.set(f, (outs.get(f) ?? 0) + 1);
      const j = spec.edges.findIndex(([f]) => f !== 0 && (outs.get(f) ?? 0) >= 2);
      spec.edges[j] = [spec.edges[j][0], spec.edges[j][1], 0, [0, 1]];
      const g = buildGraph(spec);
      const rewardsBySpec = [1, 2].map((k) => randomRewards(seed * 5 + k, spec));
      const theta = [1.2, 0];
      const want = oracle(spec, theta, rewardsBySpec);
      for (const backend of BACKENDS) {
        const ev = await createEvaluator(g, { kind: 'expectations', rewards: rewardsBySpec.map((r) => byState(spec, r, g)) }, { ...noCache, backend });
        const eliminations = vi.spyOn(kernel(), 'pk_eliminate');
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
        expect(eliminations, `seed ${seed} ${backend}`).toHaveBeenCalled();
        eliminations.mockRestore();
        expectRelClose(values, want.values, MOMENT_TOL, `seed ${seed} ${backend} E[R]`);
        want.gradients.forEach((w, k) => expectGradientClose(gradients!.subarray(2 * k, 2 * k + 2), w, `seed ${seed} ${backend} ∂E[R_${k}]`));
        ev.dispose();
      }
    }
  });

  it('on 150 forward graphs with faults, each row answers what the direct path answers, or throws its error', async () => {
    for (let seed = 0; seed < 150; seed++) {
      const { spec } = faultyForwardSpec(seed);
      const g = buildGraph(spec);
      const rewards = [1, 2].map((j) => byState(spec, randomRewards(seed * 3 + j, spec), g));
      const ev = await createEvaluator(g, { kind: 'expectations', rewards }, noCache);
      // θ_0 = 0 turns some rates to exactly 0 (the pass refuses those; the elimination drops the edge).
      for (const theta of [randomTheta(seed, spec.paramLength), [0, ...randomTheta(seed + 5, spec.paramLength - 1)]]) {
        const direct = (() => {
          try {
            return rewards.map((r) => g.expectation({ theta, rewards: r }));
          } catch (error) {
            return error as GraphError;
          }
        })();
        const got = await ev.evaluate({ thetas: Float64Array.from(theta) }).then((e) => Array.from(e.values), (error: unknown) => error as GraphError);
        if (direct instanceof Error) {
          expect(got, `seed ${seed} θ=${theta}`).toBeInstanceOf(GraphError);
          expect((got as GraphError).code, `seed ${seed} θ=${theta}`).toBe(direct.code);
        } else {
          expect(got, `seed ${seed} θ=${theta}`).not.toBeInstanceOf(Error);
          expectRelClose(got as number[], direct, 1e-12, `seed ${seed} θ=${theta}`);
        }
      }
      ev.dispose();
    }
  });
});

describe("counts' log-likelihood of forward structures (the SFS)", () => {
  const coalescent = (n: number): { spec: GraphSpec; g: Graph; sfs: number[][] } => {
    const spec = coalescentSpec(n);
    const g = buildGraph(spec);
    // Reward i: the branch length carrying i + 1 of the n lineages, per spec vertex.
    const sfs = Array.from({ length: n - 1 }, (_, i) => spec.states.map((s, v) => (v === 0 ? 0 : s[i])));
    return { spec, g, sfs };
  };

  for (const distribution of ['poisson', 'multinomial'] as const)
    it.each(BACKENDS)(`%s, ${distribution}: log L and its gradient equal the oracle's on coalescent n = 4…9 and random forward graphs`, async (backend) => {
      const tape = [vi.spyOn(kernel(), 'pk_trace_evaluate'), vi.spyOn(kernel(), 'pk_expect_times'), vi.spyOn(kernel(), 'pk_eliminate')];
      const cases = [4, 6, 9].map((n) => ({ name: `coalescent n=${n}`, ...coalescent(n) }));
      for (const { seed, spec } of forwardCases.slice(0, 8)) {
        const g = buildGraph(spec);
        cases.push({ name: `forward seed ${seed}`, spec, g, sfs: [1, 2, 3, 4].map((j) => randomRewards(seed * 10 + j, spec, 0)) });
      }
      for (const [c, { name, spec, g, sfs }] of cases.entries()) {
        const counts = someCounts(sfs.length, c);
        const scale = 2.5;
        const data = { counts, rewards: sfs.map((r) => byState(spec, r, g)), scale, distribution };
        const ev = await createEvaluator(g, { kind: 'loglik', data }, { ...noCache, backend });
        // ('wasm' records the trace when it is made: only the rows' work is watched.)
        for (const spy of tape) spy.mockClear();
        const thetas = [randomTheta(c, spec.paramLength), randomTheta(c + 9, spec.paramLength)];
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
        // Nothing was eliminated or went through the tape.
        for (const spy of tape) expect(spy, name).not.toHaveBeenCalled();
        expectCountsMatchOracle(spec, sfs, data, thetas, values, gradients!, name);
        ev.dispose();
      }
    });

  it("models.coalescent's SFS: values and gradients of the 'wasm' and 'wasm-direct' evaluators agree, and a negative rate throws NEGATIVE_RATE", async () => {
    const g = models.coalescent(12);
    const data = { counts: someCounts(11, 3), rewards: models.coalescentSfsRewards(g), scale: 4 };
    const [a, b] = await Promise.all(BACKENDS.map((backend) => createEvaluator(g, { kind: 'loglik', data }, { ...noCache, backend })));
    const thetas = [0.3, 1, 2.2, 5];
    const [x, y] = await Promise.all([a, b].map((ev) => ev.evaluate({ thetas: Float64Array.from(thetas), gradient: true })));
    expect(Array.from(x.values)).toEqual(Array.from(y.values));
    expect(Array.from(x.gradients!)).toEqual(Array.from(y.gradients!));
    for (const ev of [a, b]) {
      const error = await ev.evaluate({ thetas: Float64Array.of(-1) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect((error as GraphError).code).toBe('NEGATIVE_RATE');
    }
  });

  it('an expectation past the doubles is OVERFLOW, not log L = −∞ with a NaN gradient (forward pass and trace)', async () => {
    const coalescent = models.coalescent(6), rabbits = models.rabbits(4);
    const cases = [
      { graph: coalescent, rewards: models.coalescentSfsRewards(coalescent), theta: [5e-324] },
      { graph: coalescent, rewards: models.coalescentSfsRewards(coalescent), theta: [1e-310] },
      // Rabbits has cycles: its rows go through the trace.
      { graph: rabbits, rewards: [1, 2].map((j) => Array.from({ length: rabbits.vertexCount }, (_, v) => (v % 3) + j)), theta: [1e-308, 1e-308, 1e-308] },
    ];
    for (const { graph, rewards, theta } of cases)
      for (const distribution of ['poisson', 'multinomial'] as const)
        for (const backend of BACKENDS) {
          const data = { counts: rewards.map((_, j) => 3 + j), rewards, scale: 2, distribution };
          const ev = await createEvaluator(graph, { kind: 'loglik', data }, { ...noCache, backend });
          for (const gradient of [false, true]) {
            const error = await ev.evaluate({ thetas: Float64Array.from(theta), gradient }).catch((e: unknown) => e);
            expect(error, `${graph.vertexCount} vertices θ=${theta} ${distribution} ${backend}`).toBeInstanceOf(GraphError);
            expect((error as GraphError).code).toBe('OVERFLOW');
          }
          ev.dispose();
        }
  });
});

describe('forward expectations in kernel lanes: four θ rows at once', () => {
  it('expectations and counts (with and without gradients): a batch equals each row alone, bit for bit, on forward graphs and the SFS', async () => {
    const lanes = vi.spyOn(kernel(), 'pk_forward_expect_lanes');
    const graphs = forwardCases.slice(0, 12).map(({ seed, spec }) => {
      const g = buildGraph(spec);
      return { name: `forward seed ${seed}`, g, p: spec.paramLength, rewards: [1, 2, 3].map((j) => byState(spec, randomRewards(seed * 10 + j, spec), g)) };
    });
    const coalescent = models.coalescent(9);
    graphs.push({ name: 'coalescent n=9', g: coalescent, p: 1, rewards: models.coalescentSfsRewards(coalescent).map((r) => Array.from(r)) });
    for (const [c, { name, g, p, rewards }] of graphs.entries()) {
      const targets = [
        ...[false, true].map((gradient) => ({ target: { kind: 'expectations' as const, rewards }, gradient })),
        ...(['poisson', 'multinomial'] as const).flatMap((distribution) => [false, true].map((gradient) => ({
          target: { kind: 'loglik' as const, data: { counts: someCounts(rewards.length, c), rewards, scale: 1.5, distribution } }, gradient,
        }))),
      ];
      for (const { target, gradient } of targets)
        for (const backend of BACKENDS) {
          const ev = await createEvaluator(g, target, { ...noCache, backend });
          for (const rows of [2, 4, 5, 9]) {
            const thetas = Array.from({ length: rows }, (_, r) => randomTheta(100 * c + r, p));
            const batch = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient });
            const each = await alone(ev, thetas, gradient);
            if (each instanceof Error) throw each;
            const what = `${name} ${target.kind} ${backend} gradient=${gradient} rows=${rows}`;
            expect(same(batch.values, each.flatMap((e) => e.values)), `${what}: values`).toBe(true);
            if (gradient) expect(same(batch.gradients!, each.flatMap((e) => e.gradients)), `${what}: gradients`).toBe(true);
          }
          ev.dispose();
        }
    }
    expect(lanes).toHaveBeenCalled();
  });

  it("a batch's bad rows throw what they throw alone, the first bad row's error first", async () => {
    const g = models.coalescent(7);
    const data = { counts: someCounts(6, 1), rewards: models.coalescentSfsRewards(g), scale: 2 };
    for (const backend of BACKENDS)
      for (const gradient of [false, true]) {
        const ev = await createEvaluator(g, { kind: 'loglik', data }, { ...noCache, backend });
        for (const [thetas, code] of [
          [[1, -1, 5e-324, 2], 'NEGATIVE_RATE'],
          [[1, 2, 5e-324, -1, 3], 'OVERFLOW'],
          [[0.5, 1, 2, 3, 4, -2], 'NEGATIVE_RATE'],
        ] as const) {
          const error = await ev.evaluate({ thetas: Float64Array.from(thetas), gradient }).catch((e: unknown) => e);
          expect(error, `${backend} gradient=${gradient} θ=${thetas}`).toBeInstanceOf(GraphError);
          expect((error as GraphError).code, `${backend} gradient=${gradient} θ=${thetas}`).toBe(code);
        }
        ev.dispose();
      }
  });

  it('on 100 forward graphs with faults, a batch answers each row as alone, or the first bad row\'s error', async () => {
    for (let seed = 0; seed < 100; seed++) {
      const { spec } = faultyForwardSpec(seed);
      const g = buildGraph(spec);
      const p = spec.paramLength;
      const rewards = [1, 2].map((j) => byState(spec, randomRewards(seed * 3 + j, spec), g));
      const thetas = [randomTheta(seed, p), [0, ...randomTheta(seed + 5, p - 1)], randomTheta(seed + 7, p), randomTheta(seed + 8, p), randomTheta(seed + 9, p)];
      for (const target of [{ kind: 'expectations' as const, rewards }, { kind: 'loglik' as const, data: { counts: [3, 5], rewards, scale: 1 } }]) {
        const gradient = target.kind === 'loglik';
        const ev = await createEvaluator(g, target, noCache);
        const batch = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient }).catch((e: unknown) => e as GraphError);
        const each = await alone(ev, thetas, gradient);
        const what = `seed ${seed} ${target.kind}`;
        if (each instanceof Error) {
          expect(batch, what).toBeInstanceOf(GraphError);
          expect((batch as GraphError).code, what).toBe(each.code);
        } else {
          expect(batch, what).not.toBeInstanceOf(Error);
          const b = batch as Exclude<typeof batch, GraphError>;
          expect(same(b.values, each.flatMap((e) => e.values)), `${what}: values`).toBe(true);
          if (gradient) expect(same(b.gradients!, each.flatMap((e) => e.gradients)), `${what}: gradients`).toBe(true);
        }
        ev.dispose();
      }
    }
  });
});
