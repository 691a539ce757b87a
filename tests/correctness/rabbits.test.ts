// The cyclic two-island rabbits model, N = 2..20, against the dense oracle and
// the closed form that exposes phasic's trace defect (ALGORITHMS.md).
import { beforeAll, describe, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { continuous as C } from '../oracle/index.js';
import { DENSITY_TOL, MOMENT_TOL, byState, denseAt, expectAbsClose, expectRelClose, rabbitsSpec } from './fixtures.js';

beforeAll(async () => {
  await ready();
});

describe('rabbits closed form', () => {
  it('has E[T] = 0.503826530612245 for N = 2 at θ = (1, 2, 4) (not phasic trace value 0.46703)', () => {
    expectRelClose([models.rabbits(2).expectation({ theta: [1, 2, 4] })], [0.503826530612245], 1e-14);
  });

  it('has E[T] from the two first-step equations for N = 1', () => {
    // N = 1: from (1,0) rate θ0 to (0,1) and θ1 to absorption; symmetric from (0,1) with θ2.
    const [a, b, c] = [0.7, 1.9, 0.4];
    const eA = (1 / (a + b) + (a / (a + b)) * (1 / (a + c))) / (1 - (a / (a + b)) * (a / (a + c)));
    expectRelClose([models.rabbits(1).expectation({ theta: [a, b, c] })], [eA], 1e-13);
  });
});

const Ns = Array.from({ length: 19 }, (_, i) => i + 2);
const thetas = [[1, 2, 4], [0.3, 0.5, 0.2], [5, 0.1, 1]];

describe.each(Ns)('rabbits N = %i', (N) => {
  const spec = rabbitsSpec(N);

  it('has (N+1)(N+2)/2 + 1 vertices', () => {
    expect(models.rabbits(N).vertexCount).toBe(((N + 1) * (N + 2)) / 2 + 1);
  });

  it('has dense moments E[T..T^4] at several θ', () => {
    const g = models.rabbits(N);
    for (const theta of thetas) {
      const d = denseAt(spec, theta);
      expectRelClose(g.moments(4, { theta }), C.moments(d.alpha, d.S, 4), MOMENT_TOL, `θ=${theta}`);
    }
  });

  it('has the dense expected time with rabbits on island A as reward', () => {
    const g = models.rabbits(N);
    const r = spec.states.map(([a]) => Math.max(a, 0));
    const d = denseAt(spec, [1, 2, 4]);
    const got = g.moments(2, { theta: [1, 2, 4], rewards: byState(spec, r, g) });
    expectRelClose(got, C.rewardMoments(d.alpha, d.S, d.rows.map((v) => r[v]), 2), MOMENT_TOL);
  });

  it('has the dense pdf and cdf at t in [0, 4]', () => {
    const g = models.rabbits(N);
    const ts = [0, 1e-7, 0.01, 0.25, 1, 2, 3, 4];
    const d = denseAt(spec, [1, 2, 4]);
    expectAbsClose(g.pdf(ts, { theta: [1, 2, 4] }), C.pdf(d.alpha, d.S, ts), DENSITY_TOL, 'pdf');
    expectAbsClose(g.cdf(ts, { theta: [1, 2, 4] }), C.cdf(d.alpha, d.S, ts), DENSITY_TOL, 'cdf');
  });
});

describe('rabbits at a larger size', () => {
  it('has the dense E[T] and E[T²] for N = 50 (1,327 vertices, one large cycle class)', () => {
    const spec = rabbitsSpec(50);
    const d = denseAt(spec, [1, 2, 4]);
    expectRelClose(models.rabbits(50).moments(2, { theta: [1, 2, 4] }), C.moments(d.alpha, d.S, 2), MOMENT_TOL);
  });
});
