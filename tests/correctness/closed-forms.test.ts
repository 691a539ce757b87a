// Distributions with known closed forms, built through the public Graph API.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import { erlangCdf, erlangMoment, erlangPdf } from '../oracle/closed-forms.js';
import { DENSITY_TOL, MOMENT_TOL, TIMES, expectAbsClose, expectRelClose } from './fixtures.js';

beforeAll(async () => {
  await ready();
});

/** Erlang(k, λ) as a chain of k vertices; λ = weight + coefficient·θ0. */
function erlangGraph(k: number, weight: number, coefficient: number): Graph {
  const g = new Graph({ stateLength: 1, paramLength: 1 });
  let prev = g.start;
  let first = true;
  for (let i = k; i >= 0; i--) {
    const v = g.findOrCreateVertex([i + 1]);
    if (first) prev.addEdge(v, 1, [0]);
    else prev.addEdge(v, weight, [coefficient]);
    first = false;
    prev = v;
  }
  return g;
}

describe('exponential distribution', () => {
  const lambda = 2.75;
  const g = (): Graph => Graph.fromMatrices([1], [[-lambda]]);

  it('has moments k!/λ^k', () => {
    expectRelClose(g().moments(6), [1, 2, 6, 24, 120, 720].map((f, k) => f / lambda ** (k + 1)), MOMENT_TOL);
  });

  it('has pdf λe^{−λt} and cdf 1 − e^{−λt} on [0, 4] and near 0', () => {
    expectAbsClose(g().pdf(TIMES), TIMES.map((t) => lambda * Math.exp(-lambda * t)), DENSITY_TOL, 'pdf');
    expectAbsClose(g().cdf(TIMES), TIMES.map((t) => -Math.expm1(-lambda * t)), DENSITY_TOL, 'cdf');
  });

  it('puts the missing initial mass in an atom at zero', () => {
    const d = Graph.fromMatrices([0.3], [[-lambda]]);
    expectRelClose(d.moments(2), [0.3 / lambda, 0.6 / lambda ** 2], MOMENT_TOL);
    expectAbsClose(d.cdf([0, 1]), [0.7, 1 - 0.3 * Math.exp(-lambda)], DENSITY_TOL);
    expectAbsClose(d.pdf([0, 1]), [0.3 * lambda, 0.3 * lambda * Math.exp(-lambda)], DENSITY_TOL);
  });

  it('ignores a self-loop on a continuous vertex', () => {
    const a = new Graph({ stateLength: 1 });
    const v = a.findOrCreateVertex([1]);
    a.start.addEdge(v, 1);
    v.addEdge(v, 5);
    v.addEdge(a.findOrCreateVertex([2]), lambda);
    expectRelClose(a.moments(3), [1 / lambda, 2 / lambda ** 2, 6 / lambda ** 3], MOMENT_TOL);
    expectAbsClose(a.pdf([0.5]), [lambda * Math.exp(-lambda * 0.5)], DENSITY_TOL);
  });

  it('merges parallel edges by summing their rates', () => {
    const a = new Graph({ stateLength: 1 });
    const v = a.findOrCreateVertex([1]);
    const z = a.findOrCreateVertex([2]);
    a.start.addEdge(v, 1);
    v.addEdge(z, 1);
    v.addEdge(z, lambda - 1);
    expectRelClose([a.expectation()], [1 / lambda], MOMENT_TOL);
  });
});

describe.each([1, 2, 3, 5, 10, 20])('Erlang(%i, λ)', (k) => {
  it('has moments (k+m−1)!/((k−1)!λ^m) with λ given by θ', () => {
    const g = erlangGraph(k, 0.5, 1);
    for (const theta of [0.3, 1, 4]) {
      const lambda = 0.5 + theta;
      expectRelClose(g.moments(4, { theta: [theta] }), [1, 2, 3, 4].map((m) => erlangMoment(k, lambda, m)), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has the Erlang pdf and cdf on [0, 4] and near 0', () => {
    const g = erlangGraph(k, 0, 3);
    const lambda = 3 * 1.2;
    expectAbsClose(g.pdf(TIMES, { theta: [1.2] }), TIMES.map((t) => erlangPdf(k, lambda, t)), DENSITY_TOL, 'pdf');
    expectAbsClose(g.cdf(TIMES, { theta: [1.2] }), TIMES.map((t) => erlangCdf(k, lambda, t)), DENSITY_TOL, 'cdf');
  });

  it('spends 1/λ in each stage and visits each stage once', () => {
    const g = erlangGraph(k, 2, 0);
    const soj = g.sojournTimes({ theta: [1] });
    const vis = g.expectedVisits({ theta: [1] });
    for (let v = 1; v <= k; v++) {
      expectRelClose([soj[v]], [0.5], MOMENT_TOL, `sojourn ${v}`);
      expectRelClose([vis[v]], [1], MOMENT_TOL, `visits ${v}`);
    }
    expect(soj[0]).toBe(0);
    expect(soj[k + 1]).toBe(0);
  });
});

describe('hypoexponential distribution', () => {
  const rates = [0.4, 1.7, 9, 0.05 + 0.9];
  const g = (): Graph => {
    const graph = new Graph({ stateLength: 1 });
    let prev = graph.start;
    let w = 1;
    for (let i = 1; i <= rates.length + 1; i++) {
      const v = graph.findOrCreateVertex([i]);
      prev.addEdge(v, w);
      prev = v;
      w = rates[i - 1];
    }
    return graph;
  };

  it('has mean Σ1/λ_i and variance Σ1/λ_i²', () => {
    expectRelClose([g().expectation()], [rates.reduce((s, l) => s + 1 / l, 0)], MOMENT_TOL);
    expectRelClose([g().variance()], [rates.reduce((s, l) => s + 1 / l ** 2, 0)], MOMENT_TOL);
  });

  it('has zero covariance between the times spent in different stages', () => {
    const r1 = [0, 1, 0, 0, 0, 0];
    const r2 = [0, 0, 0, 1, 0, 0];
    expect(Math.abs(g().covariance(r1, r2))).toBeLessThan(1e-12);
    expectRelClose([g().covariance(r1, r1)], [1 / rates[0] ** 2], MOMENT_TOL);
  });

  it('has the partial-fraction density Σ_i λ_i e^{−λ_i t} Π_{j≠i} λ_j/(λ_j − λ_i)', () => {
    const f = (t: number): number =>
      rates.reduce((s, li, i) => s + li * Math.exp(-li * t) * rates.reduce((p, lj, j) => (j === i ? p : (p * lj) / (lj - li)), 1), 0);
    expectAbsClose(g().pdf(TIMES), TIMES.map(f), DENSITY_TOL);
  });
});

describe('stiff continuous graphs', () => {
  it('has dense pdf and cdf when rates span five orders of magnitude', () => {
    const S = [
      [-0.01 - 500, 500, 0, 0],
      [0, -(1000 + 0.2), 1000, 0.2],
      [300, 0, -(300 + 0.05), 0],
      [0, 0, 2, -(2 + 0.5)],
    ];
    const alpha = [0.6, 0, 0.1, 0.3];
    const g = Graph.fromMatrices(alpha, S);
    const ts = [0, 1e-5, 1e-3, 0.01, 0.5, 2, 4];
    expectAbsClose(g.pdf(ts), C.pdf(alpha, S, ts), DENSITY_TOL, 'pdf');
    expectAbsClose(g.cdf(ts), C.cdf(alpha, S, ts), DENSITY_TOL, 'cdf');
    expectRelClose(g.moments(3), C.moments(alpha, S, 3), MOMENT_TOL, 'moments');
  });
});

describe('atoms at zero', () => {
  /** start → absorbing (0.3) and start → 1 (0.7); 1 → absorbing at rate 2. */
  const atomGraph = (): Graph => {
    const g = new Graph({ stateLength: 1 });
    const a = g.findOrCreateVertex([1]);
    const z = g.findOrCreateVertex([2]);
    g.start.addEdge(z, 0.3);
    g.start.addEdge(a, 0.7);
    a.addEdge(z, 2);
    return g;
  };

  it('counts a start edge straight into an absorbing vertex as mass at zero', () => {
    const g = atomGraph();
    expectRelClose(g.moments(2), [0.35, 0.35], MOMENT_TOL);
    expectAbsClose(g.cdf([0, 1]), [0.3, 1 - 0.7 * Math.exp(-2)], DENSITY_TOL);
    expectAbsClose(g.pdf([0, 1]), [1.4, 1.4 * Math.exp(-2)], DENSITY_TOL);
  });

  it('leaves a start edge into an absorbing vertex out of α in toMatrices', () => {
    expect(Array.from(atomGraph().toMatrices().alpha)).toEqual([0.7]);
  });

  it('gives a graph with no transient vertex zero moments, zero density and cdf 1', () => {
    const g = new Graph({ stateLength: 1 });
    g.start.addEdge(g.findOrCreateVertex([1]), 1);
    expect(g.moments(2)).toEqual([0, 0]);
    expectAbsClose(g.pdf([0, 1]), [0, 0], DENSITY_TOL);
    expectAbsClose(g.cdf([0, 1]), [1, 1], DENSITY_TOL);
    expect(Array.from(g.sample(3, { seed: 1 }))).toEqual([0, 0, 0]);
  });
});

describe('expected visits', () => {
  it('counts absorption probabilities as the visits to two competing absorbing vertices', () => {
    // start → 1; 1 → a at rate 1 and 1 → b at rate 3: one visit to 1, a with 1/4, b with 3/4.
    const g = new Graph({ stateLength: 1 });
    const [v, a, b] = [1, 2, 3].map((s) => g.findOrCreateVertex([s]));
    g.start.addEdge(v, 1);
    v.addEdge(a, 1);
    v.addEdge(b, 3);
    expectRelClose(Array.from(g.expectedVisits()).slice(1), [1, 0.25, 0.75], MOMENT_TOL);
  });
});
