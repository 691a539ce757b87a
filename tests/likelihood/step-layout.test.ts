// The likelihood's forward step runs over the kernel's row layout (wasm-src/distribution.c),
// and its gradient's reverse sweep over out-edges laid out alike (wasm-src/likelihood.c):
// padded rows on large graphs whose degrees change from row to row, plain rows elsewhere.
// The layout's rates are refilled at every evaluation (θ changes them, not the structure),
// and every width must give exactly the bits of plain rows: log L and its gradient, for
// densities and censored times, at one θ after another on the same likelihood.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { allocate, kernel } from '../../src/kernel/module.js';
import type { Structure } from '../../src/graph/structure.js';
import { PointLikelihood, type LikelihoodLimits } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints } from '../../src/likelihood/observations.js';
import { buildGraph, randomSpec } from '../correctness/fixtures.js';
import { everyStateThenReached } from '../correctness/step-prefix.js';

beforeAll(() => ready());

/** log L and its gradient at each θ in turn on one likelihood whose step layout is `width` (−1: the kernel's choice), and the width used. */
function evaluated(structure: Structure, data: { times: number[]; censored?: number[] }, thetas: number[][], width: number, limits: LikelihoodLimits = {}) {
  const points = checkObservations(data, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
  const pl = new PointLikelihood(structure, points, limits, 'uniformisation');
  try {
    const used = kernel().pk_lik_set_step_width((pl as unknown as { ptr: number }).ptr, width);
    const rows = thetas.map((theta) => {
      const r = pl.evaluate({ rows: 1, paramLength: theta.length, data: Float64Array.from(theta) }, true);
      expect(pl.lastRun().method).toBe('uniformisation');
      return [r.logLik[0], ...r.gradient!];
    });
    return { rows, width: used };
  } finally {
    pl.dispose();
  }
}

function expectSameBits(got: number[][], want: number[][], what: string) {
  got.forEach((row, r) => row.forEach((x, i) => expect(Object.is(x, want[r][i]), `${what}: θ ${r}, entry ${i}: ${x} vs ${want[r][i]}`).toBe(true)));
}

describe('the likelihood\'s forward step over padded rows', () => {
  it('random cyclic 20k: the kernel pads, and every width gives the bits of plain rows, θ after θ', () => {
    // Stepping only the states reached (a few hundred here) uses plain rows under any width:
    // switched off, every step runs over the layout's own rows; then on.
    everyStateThenReached(expectEveryWidth);
  });

  function expectEveryWidth() {
    const structure = models.randomCyclic({ vertices: 20000, params: 2, seed: 1 }).structure();
    const data = { times: [0.05, 0.3, 1, 2.5, 4], censored: [0.7, 3] };
    const thetas = [[1, 1], [1.7, 0.4]];
    const plain = evaluated(structure, data, thetas, 0);
    expect(plain.width).toBe(0);
    for (const row of plain.rows) for (const x of row) expect(Number.isFinite(x)).toBe(true);
    const chosen = evaluated(structure, data, thetas, -1);
    expect(chosen.width).toBeGreaterThan(0);
    expectSameBits(chosen.rows, plain.rows, `kernel's width ${chosen.width}`);
    for (const width of [1, 2, 3, 4]) {
      const forced = evaluated(structure, data, thetas, width);
      expect(forced.width).toBe(width);
      expectSameBits(forced.rows, plain.rows, `width ${width}`);
    }
  }

  it('small random graphs keep plain rows; forced widths step the same bits', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const structure = buildGraph(randomSpec({ seed, vertices: 6 + seed * 3, params: 2, absorbing: seed % 2 === 0 ? 1 : 2, defective: false })).structure();
      const data = { times: [0.1, 0.9, 2.2], censored: [1.4] };
      const thetas = [[0.8, 1.3], [2.1, 0.6]];
      const plain = evaluated(structure, data, thetas, -1);
      expect(plain.width, `seed ${seed}`).toBe(0);
      for (const width of [1, 2, 3, 4]) expectSameBits(evaluated(structure, data, thetas, width).rows, plain.rows, `seed ${seed}, width ${width}`);
    }
  });

  it('rabbits and the coalescent keep plain rows', () => {
    for (const graph of [models.rabbits(200), models.coalescent(35)]) {
      const points = checkObservations({ times: [1] }, { discrete: false, vertexCount: graph.vertexCount }) as CheckedPoints;
      const pl = new PointLikelihood(graph.structure(), points, {}, 'uniformisation');
      try {
        expect(kernel().pk_lik_set_step_width((pl as unknown as { ptr: number }).ptr, -1)).toBe(0);
      } finally {
        pl.dispose();
      }
    }
  });
});

describe('the likelihood steps only the rows the mass can have reached', () => {
  // Plain rows step the prefix of rows the mass can have reached from the start edges
  // (distribution.c, steps_step_from), and the reverse sweep stays within it; a padded
  // width steps every row. Both must give the same bits, with the vectors stored, rebuilt
  // from checkpoints (a small memory budget), and rescaled (late times, little mass left).
  it('rabbits: log L and its gradient have the bits of every row stepped', () => {
    const structure = models.rabbits(40).structure();
    const data = { times: [0.05, 0.4, 1.5, 6, 25], censored: [0.9, 12] };
    const thetas = [[1, 2, 4], [0.6, 1.1, 0.3]];
    for (const limits of [{}, { maxMemoryBytes: 512 * 1024 }]) {
      const prefix = evaluated(structure, data, thetas, 0, limits);
      for (const row of prefix.rows) for (const x of row) expect(Number.isFinite(x)).toBe(true);
      expectSameBits(prefix.rows, evaluated(structure, data, thetas, 1, limits).rows, `rabbits, every row, ${JSON.stringify(limits)}`);
      kernel().pk_set_step_prefix(0);
      try {
        expectSameBits(prefix.rows, evaluated(structure, data, thetas, 0, limits).rows, `rabbits, plain rows, the prefix switched off, ${JSON.stringify(limits)}`);
      } finally {
        kernel().pk_set_step_prefix(1);
      }
    }
  });

  it('a start edge of rate 0 at θ still gets its gradient (u_0 covers every start edge)', () => {
    // The start edge into vertex 5 has rate θ0/2, 0 at θ0 = 0: α has no mass there, yet ∂ log L/∂θ0 ≠ 0.
    const graph = Graph.fromJSON({
      paramLength: 2, stateLength: 1, vertices: [[0], [1], [2], [3], [4], [5], [6]],
      edges: [[0, 1, 0.5, [0, 0]], [0, 5, 0, [0.5, 0]], [1, 2, 0, [0, 1]], [2, 3, 1.5, [0, 0]], [3, 4, 0, [0, 1]], [4, 5, 2, [0, 0]], [5, 6, 0.7, [0, 0]], [5, 1, 0.2, [0, 0]], [3, 6, 0.1, [0, 0]]],
    });
    const structure = graph.structure(), data = { times: [0.3, 1, 2.5, 7], censored: [4] };
    const thetas = [[0, 1.2], [0.4, 0.9]];
    const prefix = evaluated(structure, data, thetas, 0);
    expect(prefix.rows[0][1]).not.toBe(0);
    expectSameBits(prefix.rows, evaluated(structure, data, thetas, 1).rows, 'rate-0 start edge, every row');
  });
});

describe('the adaptive levels step only the rows the mass can have reached', () => {
  // The coalescent steps one level a step (likelihood-adaptive.c), each inside the levels
  // reached: log L alone (two level vectors in turn) and with its gradient (every level kept,
  // swept back) must have the bits of every state stepped.
  it('coalescent n = 15 and 25, and a chain starting late: log L and its gradient, with every state stepped and without', () => {
    const runs: number[][] = [];
    // And a chain whose mass starts on late states that feed earlier ones (4 → 1, 5 → 2): the
    // rows below the first holding mass are still made where a row at or past it feeds them
    // (pk_steps' low). Its exits are fast, so that its mass is gone within the levels.
    const lateStart = Graph.fromJSON({
      paramLength: 1, stateLength: 1, vertices: [[0], [1], [2], [3], [4], [5], [6], [7]],
      edges: [[0, 4, 0.6, [0]], [0, 6, 0.4, [0]], [1, 2, 0, [1]], [1, 7, 30, [0]], [2, 3, 1, [0]], [2, 7, 31, [0]], [3, 4, 0, [2]], [3, 7, 29.5, [0]],
        [4, 1, 0.5, [0]], [4, 5, 3, [0]], [4, 7, 30.5, [0]], [5, 2, 1.5, [0]], [5, 7, 28, [0]], [6, 5, 0.7, [0]], [6, 7, 30, [0]]],
    });
    const cases = [models.coalescent(15), models.coalescent(25), lateStart].map((g) => {
      const points = checkObservations({ times: [0.02, 0.3, 1, 2.5, 6], censored: [0.8, 4] }, g) as CheckedPoints;
      return { structure: g.structure(), points };
    });
    everyStateThenReached(() => {
      const out: number[] = [];
      for (const { structure, points } of cases) {
        // The level store is allocated where ones were just freed: a row the steps should
        // have set to 0 and did not reads as 1.
        const dirty = allocate(kernel(), 16 * 1024 * 1024);
        new Float64Array(kernel().memory.buffer, dirty, 2 * 1024 * 1024).fill(1);
        kernel().pk_free(dirty);
        const pl = new PointLikelihood(structure, points, {}, 'adaptive');
        try {
          for (const theta of [[1], [2.3]]) {
            for (const gradient of [false, true]) {
              const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.from(theta) }, gradient);
              expect(pl.lastRun().method).toBe('adaptive');
              out.push(r.logLik[0], ...(r.gradient ?? []));
            }
          }
        } finally {
          pl.dispose();
        }
      }
      runs.push(out);
    });
    expect(runs[0].every(Number.isFinite)).toBe(true);
    expectSameBits([runs[1]], [runs[0]], 'adaptive levels, reached against every state');
  });
});
