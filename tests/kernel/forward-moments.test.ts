// Moments without an elimination on graphs whose edges all go to higher indices
// (pk_forward_moments): the same bits as eliminating and replaying (pk_eliminate +
// pk_moments), which the dense-oracle suites check against matrix inverses; null on any
// graph with an edge back, which the caller then eliminates.
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, GraphError, models, ready } from '../../src/index.js';
import { eliminate } from '../../src/kernel/elimination.js';
import { forwardMoments, forwardMomentsAt } from '../../src/kernel/forward-moments.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import type { Graph } from '../../src/index.js';
import { buildGraph, faultyForwardSpec, forwardSpec, prng, randomRewards, randomSpec, randomTheta, type EdgeSpec, type GraphSpec } from '../correctness/fixtures.js';

beforeAll(() => ready());

/** Moments of `graph` at θ by the forward pass and by eliminating, for `rewards`. */
function both(graph: Graph, theta: number[], rewards: Float64Array, k: number): { forward: number[] | null; eliminated: number[] } {
  const csr = kernelRatesAt(graph.structure(), Float64Array.from(theta))!;
  const forward = forwardMoments(csr, rewards, k);
  const elimination = eliminate(csr);
  try {
    return { forward, eliminated: elimination.moments(rewards, k) };
  } finally {
    elimination.dispose();
  }
}

const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('forward moments', () => {
  it('the coalescent (n = 2 … 25), rewards of either sign and θ over two decades: the same bits as eliminating, k = 1 … 4', () => {
    for (const n of [2, 3, 4, 7, 12, 25]) {
      const g = models.coalescent(n);
      for (const theta of [0.05, 1, 7.5]) {
        for (const rewards of [new Float64Array(g.vertexCount).fill(1), Float64Array.from({ length: g.vertexCount }, (_, v) => ((v * 7919) % 13) / 3 - 1)]) {
          const { forward, eliminated } = both(g, [theta], rewards, 4);
          expect(forward, `n = ${n}`).not.toBeNull();
          expect(sameBits(forward!, eliminated), `n = ${n}, θ = ${theta}: ${forward} vs ${eliminated}`).toBe(true);
        }
      }
    }
  });

  it('40 random forward graphs (parametric rates, defective α, two absorbing vertices): the same bits as eliminating', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const spec = forwardSpec(seed, 3 + (seed % 30), 1 + (seed % 3));
      const g = buildGraph(spec);
      const theta = randomTheta(seed, spec.paramLength);
      const { forward, eliminated } = both(g, theta, Float64Array.from(randomRewards(seed, spec)), 3);
      expect(forward, `seed ${seed}`).not.toBeNull();
      expect(sameBits(forward!, eliminated), `seed ${seed}: ${forward} vs ${eliminated}`).toBe(true);
      // Graph.moments takes this path (no elimination kept before it): the same numbers.
      expect(sameBits(g.moments(3, { theta, rewards: randomRewards(seed, spec) }), eliminated)).toBe(true);
    }
  });

  it('from the structure, rates computed on the way (what Graph.moments uses): the same bits; a θ whose rates fail their checks or hold a 0 is left to the checked path, which names the problem', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const spec = forwardSpec(seed, 3 + (seed % 30), 1 + (seed % 3));
      const g = buildGraph(spec);
      const theta = randomTheta(seed + 100, spec.paramLength);
      const rewards = Float64Array.from(randomRewards(seed, spec));
      const fromStructure = forwardMomentsAt(g.structure(), Float64Array.from(theta), rewards, 3);
      expect(fromStructure, `seed ${seed}`).not.toBeNull();
      expect(sameBits(fromStructure!, both(g, theta, rewards, 3).eliminated), `seed ${seed}`).toBe(true);
    }
    // One rate −1 + θ: negative at θ = 0.5, 0 at θ = 1, positive at θ = 2.
    const spec: GraphSpec = { stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]], edges: [[0, 1, 1, [0]], [1, 2, -1, [1]], [1, 3, 1, [0]], [2, 3, 2, [0]]] };
    const g = buildGraph(spec);
    const ones = new Float64Array(4).fill(1);
    expect(forwardMomentsAt(g.structure(), Float64Array.of(0.5), ones, 1)).toBeNull();
    expect(() => g.moments(1, { theta: [0.5] })).toThrow(GraphError);
    expect(forwardMomentsAt(g.structure(), Float64Array.of(1), ones, 1)).toBeNull();
    // With the zero-rate edge dropped: E[T] = 1/1 from vertex 1 (only its edge to 3 is left).
    expect(g.expectation({ theta: [1] })).toBe(1);
    // A failed check is about that θ, not the structure: θ = 2 takes the forward path again.
    expect(forwardMomentsAt(g.structure(), Float64Array.of(2), ones, 1)).toEqual([(1 + 1 * 0.5) / 2]);
  });

  it('a vertex with more out-edges than the pass keeps rates for (64): the same bits as eliminating, one row and in lanes', async () => {
    const fan = 150, p = 2;
    const edges: EdgeSpec[] = [[0, 1, 1, [0, 0]]];
    for (let t = 2; t < 2 + fan; t++) edges.push([1, t, 0.01 * (t % 7), [0.1 * (t % 3), 0.05 * (t % 5)]], [t, 2 + fan, 0.5 + (t % 4), [0, 0.2]]);
    const spec: GraphSpec = { stateLength: 1, paramLength: p, discrete: false, states: Array.from({ length: 3 + fan }, (_, v) => [v]), edges };
    const graph = buildGraph(spec);
    const thetas = [[0.5, 1.5], [2, 0.25], [1, 1], [3, 0.5], [0.7, 2]];
    const rewards = Float64Array.from({ length: graph.vertexCount }, (_, v) => 1 + (v % 3));
    for (const theta of thetas) expect(sameBits(graph.moments(3, { theta, rewards }), graph.at(theta).moments(3, rewards)), `θ = ${theta}`).toBe(true);
    const model = await compile(graph, { store: null });
    const batch = model.momentsBatch(3, { thetas: Float64Array.from(thetas.flat()), rewards });
    expect(sameBits(Array.from(batch), thetas.flatMap((theta) => graph.at(theta).moments(3, rewards)))).toBe(true);
  });

  it('Graph.moments (forward path) and GraphAtTheta (checked path) agree on 300 random forward graphs, bad ones included: the same bits or the same error', () => {
    const outcome = (f: () => number[]) => {
      try {
        return f().map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(',');
      } catch (e) {
        return e instanceof GraphError ? `${e.code}@${e.vertex ?? ''}/${e.edge ?? ''}` : `threw ${String(e)}`;
      }
    };
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed + 5000);
      // Faults: a rate that can go negative or 0, a self-loop-only vertex, α past 1.
      const { spec, fault } = faultyForwardSpec(seed);
      const theta = Array.from({ length: spec.paramLength }, () => [0.25, 0.5, 1, 2][Math.floor(rnd() * 4)]);
      const rewards = randomRewards(seed, spec);
      const fast = outcome(() => buildGraph(spec).moments(2, { theta, rewards }));
      const checked = outcome(() => buildGraph(spec).at(theta).moments(2, Float64Array.from(rewards)));
      expect(fast, `seed ${seed} (fault ${fault})`).toBe(checked);
    }
  });

  it("E[R]'s gradient by one reverse pass (TraceModel.gradient(1)) equals the tape's to 1e-12 on 40 random forward graphs, and the coalescent's closed form", async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const spec = forwardSpec(seed, 3 + (seed % 30), 1 + (seed % 3));
      const model = await compile(buildGraph(spec), { store: null });
      const theta = randomTheta(seed + 300, spec.paramLength), rewards = randomRewards(seed, spec);
      const forward = model.gradient(1, { theta, rewards });
      const tape = model.gradient(1, { theta, rewards, seed: [1] }); // seeded: the tape's reverse pass
      expect(sameBits(forward.moments, tape.moments), `seed ${seed}`).toBe(true);
      const scale = Math.max(...Array.from(tape.gradients[0], Math.abs));
      forward.gradients[0].forEach((g, i) => expect(Math.abs(g - tape.gradients[0][i]), `seed ${seed}, ∂/∂θ${i}`).toBeLessThanOrEqual(1e-12 * scale));
    }
    for (const n of [5, 20, 35]) {
      const model = await compile(models.coalescent(n), { store: null });
      const { moments, gradients } = model.gradient(1, { theta: [1.3] });
      const exact = (2 * (1 - 1 / n)) / 1.3; // E[T] = 2(1 − 1/n)/θ
      expect(Math.abs(moments[0] - exact)).toBeLessThanOrEqual(1e-13 * exact);
      expect(Math.abs(gradients[0][0] + exact / 1.3)).toBeLessThanOrEqual(1e-12 * (exact / 1.3));
    }
    // An overflow is OVERFLOW on either path (the tape's answered NaN before).
    const tiny = await compile(models.coalescent(6), { store: null });
    for (const options of [{}, { seed: [1] }]) expect(() => tiny.gradient(1, { theta: [1e-320], ...options })).toThrow(/overflows/);
    // A θ whose rates fail their checks: the tape path's error.
    const bad: GraphSpec = { stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, -1, [1]]] };
    const model = await compile(buildGraph(bad), { store: null });
    expect(() => model.gradient(1, { theta: [0.5] })).toThrow(GraphError);
  });

  it('null on graphs with an edge back (rabbits, random cyclic graphs) and on discrete graphs: those are eliminated', () => {
    const rabbits = models.rabbits(6);
    expect(both(rabbits, [1, 2, 4], new Float64Array(rabbits.vertexCount).fill(1), 2).forward).toBeNull();
    for (let seed = 1; seed <= 5; seed++) {
      const g = buildGraph(randomSpec({ seed, vertices: 12, params: 1, absorbing: 1, defective: false }));
      expect(both(g, [1], new Float64Array(g.vertexCount).fill(1), 1).forward).toBeNull();
    }
    const discrete = buildGraph({ ...forwardSpec(4, 6, 0), discrete: true, edges: forwardSpec(4, 6, 0).edges.map(([a, b]) => [a, b, 0.2, []]) });
    const csr = kernelRatesAt(discrete.structure(), new Float64Array(0))!;
    expect(forwardMoments(csr, new Float64Array(discrete.vertexCount).fill(1), 1)).toBeNull();
  });
});
