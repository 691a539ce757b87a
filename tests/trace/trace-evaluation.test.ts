// Trace evaluation = direct elimination = dense oracle, on graphs with cycles.
import { beforeAll, describe, expect, test } from 'vitest';
import { ready, models, Graph } from '../../src/index.js';
import { Trace } from '../../src/trace/trace.js';
import { TraceModel } from '../../src/evaluate/trace-model.js';
import { continuous } from '../oracle/index.js';
import { buildGraph, denseAt, randomSpec, randomTheta, randomRewards } from '../correctness/fixtures.js';

beforeAll(() => ready());

const relClose = (a: number, b: number, tol = 1e-10) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

function evaluatorFor(graph: Graph): TraceModel {
  return new TraceModel(Trace.record(graph.structure()), graph);
}

describe('trace evaluation on random cyclic graphs', () => {
  for (let seed = 1; seed <= 25; seed++) {
    const params = seed % 4;
    const spec = randomSpec({ seed, vertices: 4 + (seed % 9), params, absorbing: seed % 2 ? 1 : 2, defective: seed % 3 === 0 });
    test(`seed ${seed}: three moments match direct elimination and the dense oracle at several θ`, () => {
      const graph = buildGraph(spec);
      const ev = evaluatorFor(graph);
      for (let t = 0; t < 3; t++) {
        const theta = randomTheta(seed * 10 + t, params);
        const fromTrace = ev.moments(3, { theta });
        const direct = graph.moments(3, { theta });
        const { alpha, S } = denseAt(spec, theta);
        const oracle = continuous.moments(alpha, S, 3);
        fromTrace.forEach((m, i) => { relClose(m, direct[i]); relClose(m, oracle[i]); });
      }
    });
  }
  test('reward moments and covariance from the trace match the direct path', () => {
    const spec = randomSpec({ seed: 99, vertices: 12, params: 2, absorbing: 2, defective: true });
    const graph = buildGraph(spec);
    const ev = evaluatorFor(graph);
    const theta = randomTheta(5, 2);
    const ra = randomRewards(1, spec), rb = randomRewards(2, spec);
    ev.moments(3, { theta, rewards: ra }).forEach((m, i) => relClose(m, graph.moments(3, { theta, rewards: ra })[i]));
    relClose(ev.covariance(ra, rb, { theta }), graph.covariance(ra, rb, { theta }));
    relClose(ev.variance({ theta, rewards: ra }), graph.variance({ theta, rewards: ra }), 1e-9);
  });
});

describe('trace evaluation on the rabbits model', () => {
  test('rabbits N = 2 at θ = (1, 2, 4) gives E[T] = 0.503826530612245 (phasic’s trace gives 0.46703)', () => {
    relClose(evaluatorFor(models.rabbits(2)).expectation({ theta: [1, 2, 4] }), 0.503826530612245, 1e-14);
  });
  for (const N of [3, 7, 15]) {
    test(`rabbits N = ${N} at random θ matches direct elimination and the dense oracle`, () => {
      const graph = models.rabbits(N);
      const ev = evaluatorFor(graph);
      for (let t = 0; t < 4; t++) {
        const theta = randomTheta(N * 100 + t, 3, 0.1, 5);
        const m = ev.moments(2, { theta });
        const { alpha, S } = graph.toMatrices(theta);
        const oracle = continuous.moments(Array.from(alpha), S.map((row) => Array.from(row)), 2);
        m.forEach((x, i) => { relClose(x, graph.moments(2, { theta })[i]); relClose(x, oracle[i]); });
      }
    });
  }
  test('the coalescent n = 20 agrees with direct elimination to the last bit, interpreted and (from the fourth evaluation) as runs', () => {
    const graph = models.coalescent(20);
    const ev = evaluatorFor(graph);
    for (let i = 0; i < 6; i++) expect(ev.moments(3, { theta: [1.7 + i] })).toEqual(graph.moments(3, { theta: [1.7 + i] }));
  });
  test('trace and direct elimination agree to the last bit on rabbits N = 40', () => {
    const graph = models.rabbits(40);
    expect(evaluatorFor(graph).moments(3, { theta: [1.5, 0.7, 2.2] })).toEqual(graph.moments(3, { theta: [1.5, 0.7, 2.2] }));
  });
});

describe('traces sharing evaluation memory', () => {
  test('evaluations and gradients of traces of different sizes, interleaved, equal each trace alone', () => {
    const small = models.coalescent(8), large = models.rabbits(12);
    const a = evaluatorFor(small), b = evaluatorFor(large);
    const aloneA = [a.moments(2, { theta: [1.1] }), a.gradient(1, { theta: [0.7] })];
    const aloneB = [b.moments(2, { theta: [1, 2, 3] }), b.gradient(1, { theta: [2, 1, 3] })];
    for (let i = 0; i < 3; i++) {
      expect(b.moments(2, { theta: [1, 2, 3] })).toEqual(aloneB[0]);
      expect(a.moments(2, { theta: [1.1] })).toEqual(aloneA[0]);
      expect(b.gradient(1, { theta: [2, 1, 3] })).toEqual(aloneB[1]);
      expect(a.gradient(1, { theta: [0.7] })).toEqual(aloneA[1]);
    }
    a.trace.dispose();
    expect(b.moments(2, { theta: [1, 2, 3] })).toEqual(aloneB[0]);
  });
});

describe('trace evaluation on discrete graphs', () => {
  for (let seed = 1; seed <= 6; seed++) {
    test(`discrete seed ${seed}: moments match the direct path`, () => {
      const spec = randomSpec({ seed, vertices: 6 + seed, params: seed % 3, absorbing: 1, defective: false, discrete: true });
      const graph = buildGraph(spec);
      const ev = evaluatorFor(graph);
      const theta = randomTheta(seed, seed % 3, 0, 1);
      ev.moments(3, { theta }).forEach((m, i) => relClose(m, graph.moments(3, { theta })[i]));
    });
  }
});

describe('batch evaluation', () => {
  test('momentsBatch gives the same rows as one-at-a-time evaluation', () => {
    const graph = models.rabbits(6);
    const ev = evaluatorFor(graph);
    const thetas = [[1, 2, 4], [0.5, 0.5, 0.5], [3, 1, 0.2]];
    const flat = ev.momentsBatch(2, { thetas: Float64Array.from(thetas.flat()) });
    thetas.forEach((theta, i) => expect([flat[2 * i], flat[2 * i + 1]]).toEqual(ev.moments(2, { theta })));
  });
});
