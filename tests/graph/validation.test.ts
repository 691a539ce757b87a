// Bad input: every error of graph-format.md (and the API's own) throws a
// GraphError with the right code, naming the vertex or edge at fault; never a
// hang, never a silent NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphError, models, ready, type GraphErrorCode } from '../../src/index.js';
import { runIsolated } from '../correctness/isolated.js';

beforeAll(async () => {
  await ready();
});

interface Where {
  vertex?: number;
  edge?: number;
}

/** Asserts fn throws a GraphError with `code`; where given, the error and its message name the vertex / edge. */
function expectGraphError(fn: () => unknown, code: GraphErrorCode | GraphErrorCode[], where: Where = {}): GraphError {
  let caught: unknown;
  try {
    const result = fn();
    expect.fail(`expected GraphError ${String(code)}, got a result: ${String(result)}`);
  } catch (e) {
    caught = e;
  }
  expect(caught, String(caught)).toBeInstanceOf(GraphError);
  const err = caught as GraphError;
  const codes = Array.isArray(code) ? code : [code];
  expect(codes, err.message).toContain(err.code);
  if (where.vertex !== undefined) {
    expect(err.vertex, err.message).toBe(where.vertex);
    const names = where.vertex === 0 ? /\bvertex( index)? 0\b|\bstart vertex\b/ : new RegExp(`\\bvertex( index)? ${where.vertex}\\b`);
    expect(err.message).toMatch(names);
  }
  if (where.edge !== undefined) {
    expect(err.edge, err.message).toBe(where.edge);
    expect(err.message).toMatch(new RegExp(`\\bedge ${where.edge}\\b`));
  }
  return err;
}

/** start → 1 → 2 (absorbing), 1 parametrised with paramLength p. */
function chain(p = 0, discrete = false): Graph {
  const g = new Graph({ stateLength: 1, paramLength: p, discrete });
  const a = g.findOrCreateVertex([1]);
  g.start.addEdge(a, 1, p ? new Array(p).fill(0) : undefined);
  a.addEdge(g.findOrCreateVertex([2]), 0.5, p ? new Array(p).fill(0.25) : undefined);
  return g;
}

/** Adds edge 2: 1 → a new absorbing vertex 3 (no parallel edge to merge with). */
function addThirdEdge(g: Graph, weight: number, coefficients?: number[]): void {
  g.vertex(1).addEdge(g.findOrCreateVertex([3]), weight, coefficients);
}

/** start → 1; 1 → 4 (absorbing) and 1 → 2; 2 ⇄ 3 is a closed class. */
function closedClass(discrete = false): Graph {
  const g = new Graph({ stateLength: 1, discrete });
  const [a, b, c, z] = [1, 2, 3, 4].map((s) => g.findOrCreateVertex([s]));
  g.start.addEdge(a, 1);
  a.addEdge(b, 0.5);
  a.addEdge(z, 0.5);
  b.addEdge(c, 0.5);
  c.addEdge(b, 0.5);
  return g;
}

describe('VERTEX_OUT_OF_RANGE', () => {
  it('is thrown for an edge to a vertex index past the last vertex', () => {
    const g = chain();
    expectGraphError(() => g.addEdge(1, 7, 1), 'VERTEX_OUT_OF_RANGE', { vertex: 7 });
  });

  it('is thrown for an edge from a negative vertex index', () => {
    expectGraphError(() => chain().addEdge(-1, 1, 1), 'VERTEX_OUT_OF_RANGE', { vertex: -1 });
  });

  it('is thrown when looking up a vertex index that does not exist', () => {
    expectGraphError(() => chain().vertex(99), 'VERTEX_OUT_OF_RANGE', { vertex: 99 });
  });

  it('is thrown for a JSON edge whose target is out of range, naming the edge', () => {
    const json = { paramLength: 0, stateLength: 1, vertices: [[0], [1]], edges: [[0, 1, 1], [1, 5, 2]] };
    expectGraphError(() => Graph.fromJSON(json as never), 'VERTEX_OUT_OF_RANGE', { edge: 1 });
  });
});

describe('NON_FINITE', () => {
  it('is thrown for a NaN edge weight, naming the edge', () => {
    expectGraphError(() => chain().addEdge(1, 2, Number.NaN), 'NON_FINITE', { edge: 2 });
  });

  it('is thrown for an infinite edge weight', () => {
    expectGraphError(() => chain().addEdge(1, 2, Number.POSITIVE_INFINITY), 'NON_FINITE', { edge: 2 });
  });

  it('is thrown for a NaN coefficient, naming the edge', () => {
    expectGraphError(() => chain(2).addEdge(1, 2, 1, [0, Number.NaN]), 'NON_FINITE', { edge: 2 });
  });

  it('is thrown when a rate overflows to infinity at θ, naming the edge', () => {
    const g = chain(1);
    addThirdEdge(g, 0, [1e308]);
    expectGraphError(() => g.expectation({ theta: [10] }), 'NON_FINITE', { edge: 2 });
  });

  it('is thrown for a NaN in θ', () => {
    expectGraphError(() => chain(1).expectation({ theta: [Number.NaN] }), ['NON_FINITE', 'BAD_THETA']);
  });

  it('is thrown for a NaN entry of S in fromMatrices', () => {
    expectGraphError(() => Graph.fromMatrices([1, 0], [[-1, Number.NaN], [0, -1]]), 'NON_FINITE');
  });

  it('is thrown for a NaN weight in a JSON object', () => {
    const json = { paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, Number.NaN]] };
    expectGraphError(() => Graph.fromJSON(json as never), 'NON_FINITE', { edge: 1 });
  });
});

describe('BAD_STATE', () => {
  it('is thrown for a state of the wrong length', () => {
    expectGraphError(() => new Graph({ stateLength: 2 }).findOrCreateVertex([1]), 'BAD_STATE');
  });

  it('is thrown for a non-integer state entry', () => {
    expectGraphError(() => new Graph({ stateLength: 2 }).findOrCreateVertex([1, 0.5]), 'BAD_STATE');
  });

  it('is thrown for a NaN state entry', () => {
    expectGraphError(() => new Graph({ stateLength: 1 }).findOrCreateVertex([Number.NaN]), 'BAD_STATE');
  });

  it('is thrown for a JSON vertex of the wrong length, naming the vertex', () => {
    const json = { paramLength: 0, stateLength: 2, vertices: [[0, 0], [1, 0], [2]], edges: [] };
    expectGraphError(() => Graph.fromJSON(json as never), 'BAD_STATE', { vertex: 2 });
  });

  it('is thrown for a non-integer JSON state, naming the vertex', () => {
    const json = { paramLength: 0, stateLength: 1, vertices: [[0], [1.25]], edges: [] };
    expectGraphError(() => Graph.fromJSON(json as never), 'BAD_STATE', { vertex: 1 });
  });
});

describe('DUPLICATE_STATE', () => {
  it('is thrown when creating a vertex whose state exists, naming the existing vertex', () => {
    const g = chain();
    expectGraphError(() => g.createVertex([2]), 'DUPLICATE_STATE', { vertex: 2 });
  });

  it('is thrown for repeated JSON states, naming the first vertex with that state', () => {
    const json = { paramLength: 0, stateLength: 1, vertices: [[0], [1], [2], [1]], edges: [] };
    expectGraphError(() => Graph.fromJSON(json as never), 'DUPLICATE_STATE', { vertex: 1 });
  });
});

describe('NEGATIVE_RATE', () => {
  it('is thrown for a negative constant weight, naming the edge', () => {
    expectGraphError(() => {
      const g = chain();
      addThirdEdge(g, -0.5);
      return g.expectation();
    }, 'NEGATIVE_RATE', { edge: 2 });
  });

  it('is thrown when a parametrised rate is negative at θ, naming the edge', () => {
    const g = chain(1);
    addThirdEdge(g, 1, [-1]);
    expect(g.expectation({ theta: [0.5] })).toBeGreaterThan(0);
    expectGraphError(() => g.expectation({ theta: [3] }), 'NEGATIVE_RATE', { edge: 2 });
  });

  it.each(['moments', 'pdf', 'cdf', 'sample', 'toMatrices', 'sojournTimes'])('is thrown by %s at a θ that makes a rate negative', (method) => {
    const g = chain(1);
    addThirdEdge(g, 1, [-1]);
    const call: Record<string, () => unknown> = {
      moments: () => g.moments(2, { theta: [3] }),
      pdf: () => g.pdf([1], { theta: [3] }),
      cdf: () => g.cdf([1], { theta: [3] }),
      sample: () => g.sample(5, { theta: [3], seed: 1 }),
      toMatrices: () => g.toMatrices([3]),
      sojournTimes: () => g.sojournTimes({ theta: [3] }),
    };
    expectGraphError(call[method], 'NEGATIVE_RATE', { edge: 2 });
  });

  it('is thrown for a negative off-diagonal entry of S in fromMatrices', () => {
    expectGraphError(() => Graph.fromMatrices([1, 0], [[-1, -0.5], [0, -1]]), 'NEGATIVE_RATE');
  });

  it('is thrown for a negative α in fromMatrices', () => {
    expectGraphError(() => Graph.fromMatrices([1.2, -0.2], [[-1, 0], [0, -1]]), 'NEGATIVE_RATE');
  });

  it('is thrown for a row of S with a negative exit rate', () => {
    expectGraphError(() => Graph.fromMatrices([1, 0], [[-1, 2], [0, -1]]), 'NEGATIVE_RATE');
  });
});

describe('START_WEIGHTS_EXCEED_ONE', () => {
  it('is thrown when the start weights sum to more than 1, naming the start vertex', () => {
    const g = chain();
    g.start.addEdge(2, 0.25);
    expectGraphError(() => g.expectation(), 'START_WEIGHTS_EXCEED_ONE', { vertex: 0 });
  });

  it('is thrown when a parametrised start weight exceeds 1 at θ only', () => {
    const g = new Graph({ stateLength: 1, paramLength: 1 });
    const a = g.findOrCreateVertex([1]);
    g.start.addEdge(a, 0.5, [0.5]);
    a.addEdge(g.findOrCreateVertex([2]), 1, [0]);
    expect(g.expectation({ theta: [1] })).toBe(1);
    expectGraphError(() => g.expectation({ theta: [2] }), 'START_WEIGHTS_EXCEED_ONE', { vertex: 0 });
  });

  it('is not thrown for a sum that exceeds 1 by rounding only', () => {
    const g = new Graph({ stateLength: 1 });
    const z = g.findOrCreateVertex([99]);
    for (let i = 1; i <= 10; i++) {
      const v = g.findOrCreateVertex([i]);
      g.start.addEdge(v, 0.1);
      v.addEdge(z, 1);
    }
    expect(Math.abs(g.expectation() - 1)).toBeLessThan(1e-14);
  });
});

describe('DISCRETE_WEIGHTS_EXCEED_ONE', () => {
  it('is thrown when a discrete vertex\'s out-probabilities sum to more than 1, naming it', () => {
    const g = chain(0, true);
    g.addEdge(1, 2, 0.75);
    expectGraphError(() => g.expectation(), 'DISCRETE_WEIGHTS_EXCEED_ONE', { vertex: 1 });
  });

  it('counts a discrete self-loop towards the sum', () => {
    const g = chain(0, true);
    g.addEdge(1, 1, 0.75);
    expectGraphError(() => g.pmf([1]), 'DISCRETE_WEIGHTS_EXCEED_ONE', { vertex: 1 });
  });

  it('is thrown by fromMatrices for a sub-transition row summing to more than 1', () => {
    expectGraphError(() => Graph.fromMatrices([1, 0], [[0.5, 0.6], [0, 0.5]], { discrete: true }), 'DISCRETE_WEIGHTS_EXCEED_ONE');
  });
});

describe('NO_ABSORPTION', () => {
  it('is thrown for a closed cycle, naming a vertex in it', () => {
    const err = expectGraphError(() => closedClass().expectation(), 'NO_ABSORPTION');
    expect([2, 3]).toContain(err.vertex);
    expect(err.message).toMatch(/\bvertex [23]\b/);
  });

  it('is thrown for a vertex whose only edge is a self-loop, naming it', () => {
    const g = chain();
    const v = g.findOrCreateVertex([3]);
    g.addEdge(1, v.index, 1);
    v.addEdge(v, 2);
    expectGraphError(() => g.expectation(), 'NO_ABSORPTION', { vertex: 3 });
  });

  it('is thrown for a discrete closed cycle', () => {
    expectGraphError(() => closedClass(true).expectation(), 'NO_ABSORPTION');
  });

  it.each(['variance', 'moments', 'sojournTimes', 'expectedVisits', 'covariance'])('is thrown by %s', (method) => {
    const g = closedClass();
    const r = [1, 1, 1, 1, 1];
    const call: Record<string, () => unknown> = {
      variance: () => g.variance(),
      moments: () => g.moments(3),
      sojournTimes: () => g.sojournTimes(),
      expectedVisits: () => g.expectedVisits(),
      covariance: () => g.covariance(r, r),
    };
    expectGraphError(call[method], 'NO_ABSORPTION');
  });

  it('is thrown by pdf rather than returning a defective density', () => {
    expectGraphError(() => closedClass().pdf([0.5, 100]), 'NO_ABSORPTION');
  });

  it('is thrown by cdf rather than returning a cdf that never reaches 1', () => {
    expectGraphError(() => closedClass().cdf([0.5, 1000]), 'NO_ABSORPTION');
  });

  it('is thrown by rewardTransform rather than turning the trapped vertex into an absorbing one', () => {
    expectGraphError(() => closedClass().rewardTransform([0, 1, 0, 1, 0]), 'NO_ABSORPTION');
  });

  it('is thrown by sample instead of walking the closed cycle forever', () => {
    const { timedOut, value } = runIsolated('return closedClass(false).sample(10, { seed: 1 });');
    expect(timedOut, 'sample() did not return within 8 s').toBe(false);
    expect(value).toMatchObject({ error: 'NO_ABSORPTION' });
  }, 30_000);

  it('is thrown by sample on a discrete closed cycle instead of hanging', () => {
    const { timedOut, value } = runIsolated('return closedClass(true).sample(10, { seed: 1 });');
    expect(timedOut, 'sample() did not return within 8 s').toBe(false);
    expect(value).toMatchObject({ error: 'NO_ABSORPTION' });
  }, 30_000);
});

describe('EDGE_TO_START', () => {
  it('is thrown for an edge into the start vertex, naming the edge', () => {
    expectGraphError(() => chain().addEdge(1, 0, 1), 'EDGE_TO_START', { edge: 2 });
  });

  it('is thrown for a JSON edge into the start vertex', () => {
    const json = { paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 0, 1]] };
    expectGraphError(() => Graph.fromJSON(json as never), 'EDGE_TO_START', { edge: 1 });
  });
});

describe('BAD_THETA', () => {
  it('is thrown for θ of the wrong length', () => {
    expectGraphError(() => chain(2).expectation({ theta: [1] }), 'BAD_THETA');
  });

  it('is thrown when θ is omitted for a parametrised graph', () => {
    expectGraphError(() => chain(1).pdf([1]), 'BAD_THETA');
  });
});

describe('BAD_REWARDS', () => {
  it('is thrown for a reward vector of the wrong length', () => {
    expectGraphError(() => chain().expectation({ rewards: [1, 1] }), 'BAD_REWARDS');
  });

  it('is thrown for a NaN reward, naming the vertex', () => {
    expectGraphError(() => chain().moments(2, { rewards: [0, Number.NaN, 0] }), 'BAD_REWARDS', { vertex: 1 });
  });

  it('is thrown by covariance for a bad second reward vector', () => {
    expectGraphError(() => chain().covariance([1, 1, 1], [1, Number.POSITIVE_INFINITY, 1]), 'BAD_REWARDS', { vertex: 1 });
  });

  it('is thrown for a negative reward in rewardTransform, naming the vertex', () => {
    expectGraphError(() => chain().rewardTransform([0, -1, 0]), 'BAD_REWARDS', { vertex: 1 });
  });
});

describe('WRONG_KIND', () => {
  it('is thrown by pmf on a continuous graph', () => {
    expectGraphError(() => chain().pmf([1]), 'WRONG_KIND');
  });

  it('is thrown by pdf on a discrete graph', () => {
    expectGraphError(() => chain(0, true).pdf([1]), 'WRONG_KIND');
  });

  it('is thrown by rewardTransform on a discrete graph', () => {
    expectGraphError(() => chain(0, true).rewardTransform([1, 1, 1]), 'WRONG_KIND');
  });
});

describe('BAD_ARGUMENT', () => {
  it('is thrown for moments(0)', () => {
    expectGraphError(() => chain().moments(0), 'BAD_ARGUMENT');
  });

  it('is thrown for a non-integer moment order', () => {
    expectGraphError(() => chain().moments(1.5), 'BAD_ARGUMENT');
  });

  it('is thrown for a negative time in pdf', () => {
    expectGraphError(() => chain().pdf([1, -0.5]), 'BAD_ARGUMENT');
  });

  it('is thrown for a NaN time in cdf', () => {
    expectGraphError(() => chain().cdf([Number.NaN]), 'BAD_ARGUMENT');
  });

  it('names a NaN, an infinite or a string time as what it is (JSON would print null or coerce)', () => {
    expect(expectGraphError(() => chain().cdf([Number.NaN]), 'BAD_ARGUMENT').message).toMatch(/time 0 is NaN;/);
    expect(expectGraphError(() => chain().pdf([1, -Infinity]), 'BAD_ARGUMENT').message).toMatch(/time 1 is -Infinity;/);
    expect(expectGraphError(() => chain().distribution(['1'] as unknown as number[]), 'BAD_ARGUMENT').message).toMatch(/time 0 is "1";/);
    expect(expectGraphError(() => chain().moments(1, { theta: [Number.NaN] as number[] }), ['BAD_THETA', 'NON_FINITE']).message).not.toMatch(/null/);
  });

  it('is thrown, not a RangeError, for times whose length no array can hold', () => {
    const huge = { length: 1e12 } as unknown as number[];
    for (const call of [() => chain().pdf(huge), () => chain().distribution(huge), () => chain(0, true).pmf(huge)])
      expect(expectGraphError(call, 'BAD_ARGUMENT').message).toMatch(/length 1000000000000; at most/);
  });

  it('is thrown for a non-integer step in pmf', () => {
    expectGraphError(() => chain(0, true).pmf([1.5]), 'BAD_ARGUMENT');
  });

  it('is thrown for a negative sample size', () => {
    expectGraphError(() => chain().sample(-1), 'BAD_ARGUMENT');
  });

  it('is thrown for coefficients of the wrong length, naming the edge', () => {
    expectGraphError(() => chain(2).addEdge(1, 2, 1, [1]), 'BAD_ARGUMENT', { edge: 2 });
  });

  it('is thrown by fromMatrices when S and α disagree in size', () => {
    expectGraphError(() => Graph.fromMatrices([1, 0], [[-1]]), 'BAD_ARGUMENT');
  });

  it('is thrown for a non-integer stateLength', () => {
    expectGraphError(() => new Graph({ stateLength: 1.5 }), 'BAD_ARGUMENT');
  });
});

describe('a θ whose zero rates cut every path to absorption', () => {
  // Rabbits with no floods (θ1 = θ2 = 0) jump between the islands forever.
  const theta = [1, 0, 0];

  it.each(['expectation', 'moments', 'pdf', 'cdf', 'sojournTimes', 'rewardTransform'])('is refused by %s with a GraphError naming a vertex', (method) => {
    const g = models.rabbits(3);
    const call: Record<string, () => unknown> = {
      expectation: () => g.expectation({ theta }),
      moments: () => g.moments(2, { theta }),
      pdf: () => g.pdf([1, 50], { theta }),
      cdf: () => g.cdf([1, 500], { theta }),
      sojournTimes: () => g.sojournTimes({ theta }),
      rewardTransform: () => g.rewardTransform(new Array(g.vertexCount).fill(1), { theta }),
    };
    const err = expectGraphError(call[method], ['NO_ABSORPTION', 'NO_EXIT_AT_THETA']);
    expect(err.vertex).toBeGreaterThan(0);
    expect(err.message).toMatch(new RegExp(`\\bvertex ${err.vertex}\\b`));
  });

  it('is refused by sample instead of jumping forever', () => {
    const { timedOut, value } = runIsolated('return models.rabbits(3).sample(5, { theta: [1, 0, 0], seed: 1 });');
    expect(timedOut, 'sample() did not return within 8 s').toBe(false);
    expect((value as { error?: string }).error).toMatch(/^(NO_ABSORPTION|NO_EXIT_AT_THETA)$/);
  }, 30_000);
});

describe('state-space exploration', () => {
  it('refuses a reachable state equal to the start state (DUPLICATE_STATE)', () => {
    // Start state defaults to [0]; the chain 1 → 0 reaches it.
    expectGraphError(() => Graph.fromCallback([[[1], 1]], ([s]) => (s > 0 ? [[[s - 1], 1]] : [])), 'DUPLICATE_STATE');
  });

  it('stops an infinite state space at maxVertices (STATE_SPACE_TOO_LARGE)', () => {
    expectGraphError(() => Graph.fromCallback([[[1], 1]], ([s]) => [[[s + 1], 1]], { maxVertices: 1000 }), 'STATE_SPACE_TOO_LARGE');
  });

  it('refuses a callback that returns something other than an array, naming the vertex and its state', () => {
    const err = expectGraphError(() => Graph.fromCallback([[[7], 1]], () => null as never), 'BAD_ARGUMENT');
    expect(err.vertex).toBe(1);
    expect(err.message).toContain('[7]');
  });
});

describe('BAD_FORMAT', () => {
  it('is thrown for JSON text that does not parse', () => {
    expectGraphError(() => Graph.fromJSON('{"stateLength": 1,'), 'BAD_FORMAT');
  });

  it('is thrown for edges that are not an array', () => {
    expectGraphError(() => Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0]], edges: {} } as never), 'BAD_FORMAT');
  });

  it('is thrown for an edge without coefficients when paramLength > 0, naming the edge', () => {
    const json = { paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 1]] };
    expectGraphError(() => Graph.fromJSON(json as never), ['BAD_FORMAT', 'BAD_ARGUMENT'], { edge: 1 });
  });
});
