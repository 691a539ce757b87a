// Seeded random graphs with cycles against the dense oracle: moments, rewards,
// variance, covariance, sojourn times, visits, pdf/cdf and the matrix form.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import {
  DENSITY_TOL, MOMENT_TOL, TIMES, buildGraph, denseAt, expectAbsClose, expectRelClose, graphFromSpecJSON,
  onRows, randomRewards, randomSpec, randomTheta, specFromGraph, type GraphSpec, type SpecCase,
} from './fixtures.js';

beforeAll(async () => {
  await ready();
});

// Every combination of 0–3 parameters, 1–2 absorbing vertices, proper/defective α, two sizes.
const cases: SpecCase[] = [];
for (const params of [0, 1, 2, 3])
  for (const absorbing of [1, 2] as const)
    for (const defective of [false, true])
      for (const vertices of [4, 17]) {
        const seed = 1000 * params + 100 * absorbing + 10 * Number(defective) + vertices;
        const spec = randomSpec({ seed, vertices, params, absorbing, defective });
        const thetas = params === 0 ? [[]] : [randomTheta(seed, params), randomTheta(seed + 1, params), new Array(params).fill(1)];
        cases.push({ name: `${vertices} vertices, ${params} params, ${absorbing} absorbing${defective ? ', defective α' : ''} (seed ${seed})`, spec, thetas });
      }

describe.each(cases)('random cyclic graph: $name', ({ spec, thetas }) => {
  const g = (): Graph => buildGraph(spec);

  it('has raw moments E[T..T^4] equal to the dense k!·αU^k·1 at every θ', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(graph.moments(4, { theta }), C.moments(d.alpha, d.S, 4), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has the dense variance at every θ', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose([graph.variance({ theta })], [C.variance(d.alpha, d.S)], MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has reward moments (zero rewards included) equal to the dense k!·α(UΔ(r))^k·1', () => {
    const graph = g();
    thetas.forEach((theta, i) => {
      const d = denseAt(spec, theta);
      const r = randomRewards(i + 7, spec);
      expectRelClose(graph.moments(3, { theta, rewards: r }), C.rewardMoments(d.alpha, d.S, onRows(d, r), 3), MOMENT_TOL, `θ=${theta}`);
    });
  });

  it('has the dense covariance of two reward-weighted times', () => {
    const graph = g();
    thetas.forEach((theta, i) => {
      const d = denseAt(spec, theta);
      const ra = randomRewards(i + 11, spec);
      const rb = randomRewards(i + 12, spec, 0);
      const want = C.covariance(d.alpha, d.S, onRows(d, ra), onRows(d, rb));
      expectRelClose([graph.covariance(ra, rb, { theta })], [want], MOMENT_TOL, `θ=${theta}`);
    });
  });

  it('has the dense expected sojourn time αU in every transient vertex and 0 elsewhere', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      const got = graph.sojournTimes({ theta });
      expectRelClose(onRows(d, got), C.sojournTimes(d.alpha, d.S), MOMENT_TOL, `θ=${theta}`);
      for (let v = 0; v < spec.states.length; v++) if (d.rowOf[v] < 0) expect(got[v]).toBe(0);
    }
  });

  it('has expected visits equal to sojourn time × total out-rate', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(onRows(d, graph.expectedVisits({ theta })), C.expectedVisits(d.alpha, d.S), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has the dense pdf αe^{St}s and cdf 1 − αe^{St}1 on [0, 4] and near 0', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectAbsClose(graph.pdf(TIMES, { theta }), C.pdf(d.alpha, d.S, TIMES), DENSITY_TOL, `pdf θ=${theta}`);
      expectAbsClose(graph.cdf(TIMES, { theta }), C.cdf(d.alpha, d.S, TIMES), DENSITY_TOL, `cdf θ=${theta}`);
    }
  });

  it('exposes the same (α, S, exit) as the edge list in toMatrices', () => {
    const graph = g();
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      const m = graph.toMatrices(theta);
      expect(Array.from(m.vertexOf)).toEqual(d.rows);
      expectAbsClose(m.alpha, d.alpha, 1e-15, 'alpha');
      m.S.forEach((row, i) => expectAbsClose(row, d.S[i], 1e-13, `S[${i}]`));
      const exit = C.exitRates(d.S);
      expectAbsClose(m.exit, exit, 1e-13, 'exit');
    }
  });

  it('keeps its moments and pdf through toBuffers/fromBuffers', () => {
    const theta = thetas[0];
    const graph = g();
    const copy = Graph.fromBuffers(graph.toBuffers());
    expect(copy.moments(3, { theta })).toEqual(graph.moments(3, { theta }));
    expect(Array.from(copy.pdf([0.5, 2], { theta }))).toEqual(Array.from(graph.pdf([0.5, 2], { theta })));
  });

  it('keeps its moments through a JSON round trip and through fromMatrices', () => {
    const theta = thetas[0];
    const want = g().moments(3, { theta });
    expectRelClose(graphFromSpecJSON(spec).moments(3, { theta }), want, 1e-13, 'fromJSON');
    expectRelClose(Graph.fromJSON(JSON.stringify(g().toJSON())).moments(3, { theta }), want, 1e-13, 'toJSON');
    const d = denseAt(spec, theta);
    expectRelClose(Graph.fromMatrices(d.alpha, d.S).moments(3), want, MOMENT_TOL, 'fromMatrices');
  });
});

describe('random cyclic graphs across θ on one graph object', () => {
  it('never returns a stale result when θ changes back and forth', () => {
    const spec = randomSpec({ seed: 4242, vertices: 12, params: 2, absorbing: 2, defective: true });
    const graph = buildGraph(spec);
    for (const theta of [[0.5, 1], [2, 0.3], [0.5, 1], [0.5, 1.0000001], [2, 0.3]]) {
      const d = denseAt(spec, theta);
      expectRelClose([graph.expectation({ theta })], [C.expectation(d.alpha, d.S)], MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('reflects an edge added after a computation', () => {
    const spec = randomSpec({ seed: 99, vertices: 8, params: 1, absorbing: 1, defective: false });
    const graph = buildGraph(spec);
    graph.expectation({ theta: [1] });
    const extra: [number, number, number, number[]] = [3, 1, 0.75, [0]];
    graph.vertex(3).addEdge(1, 0.75, [0]);
    const d = denseAt({ ...spec, edges: [...spec.edges, extra] }, [1]);
    expectRelClose([graph.expectation({ theta: [1] })], [C.expectation(d.alpha, d.S)], MOMENT_TOL);
  });

  it('gives two graphs differing only in one constant weight different expectations', () => {
    const spec = randomSpec({ seed: 5, vertices: 6, params: 1, absorbing: 1, defective: false });
    const changed: GraphSpec = { ...spec, edges: spec.edges.map((e, i) => (i === 3 ? [e[0], e[1], e[2] * 5 + 1, e[3]] : e)) };
    for (const s of [spec, changed]) {
      const d = denseAt(s, [1.5]);
      expectRelClose([buildGraph(s).expectation({ theta: [1.5] })], [C.expectation(d.alpha, d.S)], MOMENT_TOL);
    }
  });
});

describe('models.randomCyclic against the dense oracle', () => {
  const configs = [0, 1, 2, 3].flatMap((params) =>
    ([1, 2] as const).flatMap((absorbing) => [false, true].map((defective) => ({ params, absorbing, defective }))),
  );
  it.each(configs)('has dense moments and pdf with $params params, $absorbing absorbing, defective=$defective', ({ params, absorbing, defective }) => {
    const graph = models.randomCyclic({ vertices: 25, params, absorbing, defective, seed: 3 + params });
    const spec = specFromGraph(graph);
    for (const theta of params === 0 ? [[]] : [randomTheta(params, params), new Array(params).fill(2)]) {
      const d = denseAt(spec, theta);
      expectRelClose(graph.moments(4, { theta }), C.moments(d.alpha, d.S, 4), MOMENT_TOL, `moments θ=${theta}`);
      const ts = [0, 1e-6, 0.5, 1, 2, 4];
      expectAbsClose(graph.pdf(ts, { theta }), C.pdf(d.alpha, d.S, ts), DENSITY_TOL, `pdf θ=${theta}`);
      expectAbsClose(graph.cdf(ts, { theta }), C.cdf(d.alpha, d.S, ts), DENSITY_TOL, `cdf θ=${theta}`);
    }
  });

  it('gives the same graph for the same seed', () => {
    const a = models.randomCyclic({ vertices: 20, params: 2, absorbing: 2, defective: true, seed: 11 });
    const b = models.randomCyclic({ vertices: 20, params: 2, absorbing: 2, defective: true, seed: 11 });
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('has back edges (is actually cyclic)', () => {
    const spec = specFromGraph(models.randomCyclic({ vertices: 30, params: 1, absorbing: 1, defective: false, seed: 2 }));
    expect(spec.edges.some(([f, t]) => f > 0 && t < f)).toBe(true);
  });
});

describe('acyclic graphs numbered forwards (elimination skips the component search) and backwards', () => {
  /** The spec's acyclic part with its transient vertices renumbered in reverse (edges then point to lower indices). */
  function reversed(spec: GraphSpec): GraphSpec {
    const n = spec.states.length;
    const absorbing = new Set(Array.from({ length: n }, (_, v) => v).filter((v) => v > 0 && !spec.edges.some(([f]) => f === v)));
    const transient = Array.from({ length: n }, (_, v) => v).filter((v) => v > 0 && !absorbing.has(v));
    const order = [0, ...transient.slice().reverse(), ...absorbing];
    const index = new Map(order.map((v, i) => [v, i]));
    return { ...spec, states: order.map((v) => spec.states[v]), edges: spec.edges.map(([f, t, w, c]) => [index.get(f)!, index.get(t)!, w, c]) };
  }
  it.each([51, 52, 53, 54])('seed %i: the same dense moments both ways', (seed) => {
    const base = randomSpec({ seed, vertices: 15, params: 2, absorbing: 1 + (seed % 2) as 1 | 2, defective: seed % 3 === 0 });
    const forwards = { ...base, edges: base.edges.filter(([f, t]) => f === 0 || t > f) };
    const backwards = reversed(forwards);
    expect(backwards.edges.some(([f, t]) => f > 0 && t < f)).toBe(true);
    const theta = randomTheta(seed, 2), d = denseAt(forwards, theta), want = C.moments(d.alpha, d.S, 4);
    expectRelClose(buildGraph(forwards).moments(4, { theta }), want, MOMENT_TOL, 'forwards');
    expectRelClose(buildGraph(backwards).moments(4, { theta }), want, MOMENT_TOL, 'backwards');
  });
});
