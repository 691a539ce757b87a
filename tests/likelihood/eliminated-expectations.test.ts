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
import {
  MOMENT_TOL, buildGraph, byState, expectRelClose, rabbitsSpec, randomRewards, randomSpec, randomTheta, type GraphSpec,
} from '../correctness/fixtures.js';
import { countTerms, expectGradientClose, oracle, someCounts } from './expectation-oracle.js';

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
    for (const { seed, spec } of cyclicCases) {
      const g = buildGraph(spec);
      // Start and absorbing vertices carry junk rewards (randomRewards) that must be ignored.
      const rewardsBySpec = [1, 2, 3].map((j) => randomRewards(seed * 10 + j, spec));
      const ev = await createEvaluator(g, { kind: 'expectations', rewards: rewardsBySpec.map((r) => byState(spec, r, g)) }, { ...noCache, backend });
      const thetas = [randomTheta(seed, spec.paramLength), randomTheta(seed + 1, spec.paramLength), new Array(spec.paramLength).fill(1)];
      for (const spy of [times, gradientPasses, tape]) spy.mockClear();
      const values = (await ev.evaluate({ thetas: Float64Array.from(thetas.flat()) })).values;
      const { values: again, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
      // One solve for the three values of a row, with or without gradients; one more per gradient; no tape read.
      expect(times, `seed ${seed}`).toHaveBeenCalledTimes(2 * thetas.length);
      expect(gradientPasses, `seed ${seed}`).toHaveBeenCalledTimes(3 * thetas.length);
      expect(tape, `seed ${seed}`).not.toHaveBeenCalled();
      expect(Array.from(again), `seed ${seed}: the same values with gradients`).toEqual(Array.from(values));
      thetas.forEach((theta, r) => {
        const want = oracle(spec, theta, rewardsBySpec);
        expectRelClose(values.subarray(3 * r, 3 * r + 3), want.values, MOMENT_TOL, `seed ${seed} θ=${theta} E[R]`);
        want.gradients.forEach((w, j) => {
          const at = (3 * r + j) * spec.paramLength;
          expectGradientClose(gradients!.subarray(at, at + spec.paramLength), w, `seed ${seed} θ=${theta} ∂E[R_${j}]`);
        });
      });
      ev.dispose();
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
        const theta = [0.4, 0.6];
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(theta), gradient: true });
        const h = 1e-6;
        for (let i = 0; i < 2; i++) {
          const up = theta.slice(), down = theta.slice();
          up[i] += h;
          down[i] -= h;
          const [a, b] = await Promise.all([up, down].map((t) => ev.evaluate({ thetas: Float64Array.from(t) })));
          for (let j = 0; j < 2; j++) {
            const fd = (a.values[j] - b.values[j]) / (2 * h);
            expect(Math.abs(gradients![j * 2 + i] - fd), `seed ${seed} ${backend} ∂E[R_${j}]/∂θ_${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(values[j])));
          }
        }
        ev.dispose();
      }
    }
  });
});

describe("counts' log-likelihood of graphs with cycles", () => {
  for (const distribution of ['poisson', 'multinomial'] as const)
    it.each(BACKENDS)(`%s, ${distribution}: log L and its gradient equal the oracle's on rabbits and random graphs with cycles, two solves and a pass over the edges a row, no tape`, async (backend) => {
      const times = vi.spyOn(kernel(), 'pk_expect_times'), gradientPasses = vi.spyOn(kernel(), 'pk_expect_gradient'), tape = vi.spyOn(kernel(), 'pk_trace_reverse');
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
        for (const spy of [times, gradientPasses, tape]) spy.mockClear();
        const { values, gradients } = await ev.evaluate({ thetas: Float64Array.from(thetas.flat()), gradient: true });
        expect(times, name).toHaveBeenCalledTimes(2);
        expect(gradientPasses, name).toHaveBeenCalledTimes(2);
        expect(tape, name).not.toHaveBeenCalled();
        const p = spec.paramLength;
        const constant = values[0] - countTerms(counts, oracle(spec, thetas[0], rewards).values.map((e) => scale * e), distribution).ll;
        thetas.forEach((theta, r) => {
          const want = oracle(spec, theta, rewards);
          const { ll, dmu } = countTerms(counts, want.values.map((e) => scale * e), distribution);
          // log L up to the log y! (and log N!) terms: compared by differences between the two θ.
          expect(Math.abs(values[r] - constant - ll), `${name} θ=${theta} log L`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(ll)));
          const grad = theta.map((_, i) => dmu.reduce((s, d, j) => s + d * scale * want.gradients[j][i], 0));
          const terms = Math.max(...theta.map((_, i) => dmu.reduce((s, d, j) => s + Math.abs(d * scale * want.gradients[j][i]), 0)));
          expectGradientClose(gradients!.subarray(r * p, (r + 1) * p), grad, `${name} θ=${theta} ∂ log L`, terms);
        });
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
