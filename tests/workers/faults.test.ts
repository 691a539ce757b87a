// A crashed worker is replaced and its call retried once, then rejected.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { PoolError } from '../../src/pool/index.js';
import { attemptCounter, faultyPool, type Pool } from './fixtures/pools.js';
import type { FaultyMethods } from './fixtures/faulty-methods.js';

let pool: Pool<FaultyMethods>;
beforeAll(() => ready());
afterEach(() => pool.close());

const graph = models.coalescent(6);

it('retries a call whose worker crashed on a fresh worker', async () => {
  pool = faultyPool({ size: 1 });
  const attempts = attemptCounter();
  expect(await pool.call('crashOnce', graph, { theta: [1], k: 2, attempts })).toEqual(graph.moments(2, { theta: [1] }));
  expect(attempts[0]).toBe(2);
  expect(pool.stats()).toMatchObject({ crashed: 1, spawned: 2, workers: 1 });
});

it('rejects with PoolError WORKER_CRASHED when the retry crashes too', async () => {
  pool = faultyPool({ size: 1 });
  const error = await pool.call('crash', graph, undefined).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PoolError);
  expect(error).toMatchObject({ code: 'WORKER_CRASHED' });
  expect(pool.stats()).toMatchObject({ crashed: 2, spawned: 2 });
});

it('retries a call whose worker was killed from outside', async () => {
  pool = faultyPool({ size: 1 });
  const call = pool.moments(models.coalescent(22), 2, { theta: [1] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(pool.killWorker(0)).toBe(true);
  expect(await call).toEqual(models.coalescent(22).moments(2, { theta: [1] }));
  expect(pool.stats()).toMatchObject({ crashed: 1, spawned: 2 });
});

it('keeps serving other calls while one worker is replaced', async () => {
  pool = faultyPool({ size: 2 });
  const results = await Promise.allSettled([
    pool.call('crash', graph, undefined),
    ...[1, 2, 3, 4].map((t) => pool.expectation(graph, { theta: [t] })),
  ]);
  expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'WORKER_CRASHED' } });
  expect(results.slice(1).map((r) => (r as PromiseFulfilledResult<number>).value))
    .toEqual([1, 2, 3, 4].map((t) => graph.expectation({ theta: [t] })));
});
