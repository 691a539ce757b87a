// absorbedBy: a time by which P(T > t) ≤ tolerance, from the chain's moments (Markov's
// inequality at the best of 12 orders). Held to closed forms and to uniformisation: the
// bound must hold, and be within 3× of the true time for spread-out tails (exponential,
// Erlang 5) and 4× for a concentrated one (Erlang 40: 3.8×; Markov's bound is loose there).
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { absorbedBy } from '../../src/distributions/absorbed-by.js';
import { erlangCdf } from '../oracle/closed-forms.js';
import { buildGraph, randomSpec } from './fixtures.js';

beforeAll(() => ready());

const TOLERANCE = 1e-11;

/** An Erlang(k, rate) as a graph: a line of k states. */
function erlangGraph(k: number, rate: number): Graph {
  const vertices = Array.from({ length: k + 2 }, (_, i) => [i]);
  const edges: [number, number, number][] = [[0, 1, 1], ...Array.from({ length: k }, (_, i): [number, number, number] => [i + 1, i + 2, rate])];
  return Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices, edges });
}

/** The time where a decreasing survival function falls to `level`, by bisection. */
function whenSurvival(survival: (t: number) => number, level: number): number {
  let lo = 0, hi = 1;
  while (survival(hi) > level) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (survival(mid) > level) lo = mid; else hi = mid;
  }
  return hi;
}

describe('absorbedBy', () => {
  it.each([[1, 2, 3], [5, 1, 3], [40, 3, 4]])('Erlang(%i, %f): the bound holds and is within %i× of the true time', (k, rate, within) => {
    const g = erlangGraph(k, rate);
    const bound = absorbedBy(g.csrAt(), TOLERANCE, 1e9)!;
    const truth = whenSurvival((t) => 1 - erlangCdf(k, rate, t), TOLERANCE);
    // Markov's bound from the Erlang's own moments, E[T^j] = k(k+1)…(k+j−1)/rate^j.
    let moment = 1, expected = Infinity;
    for (let j = 1; j <= 12; j++) {
      moment *= (k + j - 1) / rate;
      expected = Math.min(expected, (moment / TOLERANCE) ** (1 / j));
    }
    expect(Math.abs(bound - expected)).toBeLessThanOrEqual(1e-10 * expected);
    expect(bound).toBeGreaterThanOrEqual(truth);
    expect(bound).toBeLessThanOrEqual(within * truth);
  });

  it('rabbits N = 20 and a random cyclic chain: the survival at the bound is below the tolerance (by uniformisation)', () => {
    for (const [g, theta] of [[models.rabbits(20), [1, 2, 4]], [buildGraph(randomSpec({ seed: 2, vertices: 60, params: 0, absorbing: 1, defective: true })), undefined]] as const) {
      const bound = absorbedBy(g.csrAt(theta), TOLERANCE, 1e9)!;
      expect(Number.isFinite(bound)).toBe(true);
      const [survival] = Array.from(g.cdf([bound], { theta, method: 'uniformization' }), (c) => 1 - c);
      expect(survival).toBeLessThanOrEqual(TOLERANCE + 1e-15);
      // …and not far past it: at a third of the bound some mass is left.
      expect(1 - g.cdf([bound / 3], { theta, method: 'uniformization' })[0]).toBeGreaterThan(TOLERANCE);
    }
  });

  it('an elimination past its work limit gives undefined (the caller then steps to see)', () => {
    const g = buildGraph(randomSpec({ seed: 1, vertices: 400, params: 0, absorbing: 1, defective: false }));
    expect(absorbedBy(g.csrAt(), TOLERANCE, 1)).toBeUndefined();
  });
});
