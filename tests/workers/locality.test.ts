// A call on a graph that a busy worker holds waits for that worker a while (delay
// scheduling, PoolOptions.localityWaitMs) instead of going at once to an idle worker that
// must be sent the graph: on the main thread a copy of it, in the worker its setup. Before,
// two calls at once on a graph built in the pool (coalescent n = 40) took twice as long as
// one after the other, and stalled the main thread copying the graph for the second worker.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, models, ready, seededRandom, type Graph } from '../../src/index.js';
import { createPool, type Pool } from '../../src/pool/index.js';
import { faultyPool } from './fixtures/pools.js';

beforeAll(() => ready());
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
});
function track<P extends { close(): Promise<void> }>(pool: P): P {
  open.push(pool);
  return pool;
}

const times = [0.5, 1, 2];
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('calls wait for the worker holding their graph', () => {
  it('two calls at once on a graph built in the pool both run where it is: nothing sent, the same answers', async () => {
    const pool = track(createPool({ size: 2, localityWaitMs: 60_000 }));
    const g = await models.inPool(pool).coalescent(25);
    const [m, pdf] = await Promise.all([pool.moments(g, 2, { theta: [1.3] }), pool.pdf(g, times, { theta: [1.3] })]);
    const here = models.coalescent(25);
    expect(m).toEqual(here.moments(2, { theta: [1.3] }));
    expect(Array.from(pdf)).toEqual(Array.from(here.pdf(times, { theta: [1.3] })));
    expect(pool.stats()).toMatchObject({ graphsSent: 0, localityWaits: 1, localityMisses: 0 });
    // No timer left for the wait once the call went: it held a Node process up to the wait after its last call.
    expect((pool as unknown as { wake: unknown }).wake).toBeNull();
  });

  it('a graph built here: the second call waits for the worker being sent it, not for a copy of its own', async () => {
    const pool = track(createPool({ size: 2, localityWaitMs: 60_000 }));
    const g = models.coalescent(20);
    await Promise.all([pool.expectation(g, { theta: [1] }), pool.cdf(g, times, { theta: [1] }), pool.moments(g, 3, { theta: [2] })]);
    expect(pool.stats()).toMatchObject({ graphsSent: 1, localityMisses: 0 });
  });

  it('localityWaitMs 0: the second call goes to the other worker at once, which is sent the graph', async () => {
    const pool = track(createPool({ size: 2, localityWaitMs: 0 }));
    const g = await models.inPool(pool).coalescent(20);
    await Promise.all([pool.moments(g, 2, { theta: [1] }), pool.pdf(g, times, { theta: [1] })]);
    expect(pool.stats()).toMatchObject({ graphsSent: 1, localityMisses: 1 });
  });

  it('past the wait, the call goes elsewhere: a long call on the holder does not hold it up for longer', async () => {
    const pool = track(faultyPool({ size: 2, localityWaitMs: 100 }));
    await pool.warmUp(); // both workers up: what is timed is the wait
    const g = models.coalescent(12);
    await pool.expectation(g, { theta: [1] }); // worker 1 holds g
    const started = performance.now();
    const long = pool.call('sleep', g, { ms: 3000 });
    const m = await pool.moments(g, 2, { theta: [1] });
    const waited = performance.now() - started;
    expect(m).toEqual(g.moments(2, { theta: [1] }));
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(2500); // not after the long call
    expect(pool.stats()).toMatchObject({ graphsSent: 2, localityWaits: 1, localityMisses: 1 });
    await long;
  });

  it('calls behind a waiting one go on: a call on another graph is not held up', async () => {
    const pool = track(faultyPool({ size: 2, localityWaitMs: 60_000 }));
    await pool.warmUp();
    const a = models.coalescent(12), b = models.rabbits(6);
    await pool.expectation(a, { theta: [1] });
    const long = pool.call('sleep', a, { ms: 1500 });
    const waiting = pool.moments(a, 2, { theta: [1] }); // waits for the worker running `long`
    const started = performance.now();
    expect(await pool.expectation(b, { theta: [1, 2, 4] })).toBe(b.expectation({ theta: [1, 2, 4] }));
    expect(performance.now() - started).toBeLessThan(1200);
    expect(await waiting).toEqual(a.moments(2, { theta: [1] }));
    await long;
    expect(pool.stats().localityMisses).toBe(0);
  });

  it('the parts of a batch split across the workers never wait: both workers compute', async () => {
    const pool = track(createPool({ size: 2, localityWaitMs: 60_000 }));
    const g = await models.inPool(pool).coalescent(20);
    const thetas = Float64Array.from({ length: 64 }, (_, i) => 0.5 + i / 20);
    const out = await pool.momentsBatch(g, 2, { thetas });
    expect(out[2 * 63]).toBe(g.moments(2, { theta: [thetas[63]] })[0]);
    expect(pool.stats()).toMatchObject({ spawned: 2, localityWaits: 0, graphsSent: 1 });
  });

  it('a pool of one worker: calls queue for it as before, and none counts as waiting for its graph', async () => {
    const pool = track(createPool({ size: 1, localityWaitMs: 60_000 }));
    const g = models.coalescent(15);
    const answers = await Promise.all([pool.expectation(g, { theta: [1] }), pool.expectation(g, { theta: [2] }), pool.moments(g, 2, { theta: [3] })]);
    expect(answers[1]).toBe(g.expectation({ theta: [2] }));
    expect(pool.stats()).toMatchObject({ graphsSent: 1, localityWaits: 0, localityMisses: 0, spawned: 1 });
  });

  it('seeded random calls on three graphs, some aborted, under every kind of wait: answers as in-thread, the pool idle after', async () => {
    for (const seed of [1, 3, 6]) {
      const rnd = seededRandom(seed);
      const pool = track(createPool({ size: 2, localityWaitMs: [0, 1, 5, 30, 200][seed % 5] }));
      const graphs = [models.coalescent(14), models.rabbits(8), models.coalescent(18)], thetas = [[1.2], [1, 2, 4], [0.7]];
      const calls: Promise<string>[] = [];
      for (let i = 0; i < 30; i++) {
        const which = Math.floor(rnd() * 3), g = graphs[which], theta = thetas[which], kind = Math.floor(rnd() * 3);
        const controller = new AbortController(), signal = controller.signal;
        const call = kind === 0 ? pool.moments(g, 2, { theta, signal }).then((m) => JSON.stringify(m) === JSON.stringify(g.moments(2, { theta })))
          : kind === 1 ? pool.pdf(g, times, { theta, signal }).then((d) => sameBits(d, g.pdf(times, { theta })))
          : pool.momentsBatch(g, 1, { thetas: Float64Array.from({ length: 4 * theta.length }, (_, j) => theta[j % theta.length] * (1 + (j >> 2) / 10)), signal }).then((out) => out.length === 4);
        calls.push(call.then((ok) => (ok ? 'ok' : 'wrong'), (e: unknown) => (e instanceof AbortError ? 'aborted' : `error ${String(e)}`)));
        if (rnd() < 0.2) setTimeout(() => controller.abort(), Math.floor(rnd() * 20));
        if (rnd() < 0.3) await new Promise((resolve) => setTimeout(resolve, Math.floor(rnd() * 10)));
      }
      const outcomes = await Promise.all(calls);
      expect(outcomes.filter((o) => o !== 'ok' && o !== 'aborted')).toEqual([]);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(15);
      expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
      expect((pool as unknown as { wake: unknown }).wake).toBeNull();
    }
  }, 60_000);

  it('the default wait follows the graph size, and a bad localityWaitMs is a RangeError naming it', async () => {
    for (const bad of [-1, Number.NaN, '5', null]) expect(() => createPool({ localityWaitMs: bad as never })).toThrow(/localityWaitMs must be a number of milliseconds ≥ 0/);
    const pool: Pool = track(createPool({ size: 2 }));
    const g: Graph = await models.inPool(pool).coalescent(25);
    await Promise.all([pool.moments(g, 2, { theta: [1] }), pool.expectation(g, { theta: [1] })]);
    // coalescent n = 25, about 16k vertices and edges: a wait of about 3 ms (whether or not the
    // holder comes free within it, the second call waited).
    expect(pool.stats().localityWaits).toBe(1);
  });
});
