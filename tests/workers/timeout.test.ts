// A worker that hangs past timeoutMs is replaced and its call retried once, then rejected.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { PoolError } from '../../src/pool/index.js';
import { attemptCounter, faultyPool, type Pool } from './fixtures/pools.js';
import type { FaultyMethods } from './fixtures/faulty-methods.js';

let pool: Pool<FaultyMethods>;
beforeAll(() => ready());
afterEach(() => pool.close());

const graph = models.coalescent(5);

it('retries a call that hung, on a fresh worker', async () => {
  pool = faultyPool({ size: 1, timeoutMs: 4_000 }); // the clock includes starting the replacement
  const attempts = attemptCounter();
  expect(await pool.call('hangOnce', graph, { theta: [1], k: 1, attempts })).toEqual(graph.moments(1, { theta: [1] }));
  expect(pool.stats()).toMatchObject({ timedOut: 1, spawned: 2 });
});

it('rejects with PoolError TIMEOUT when the retry hangs too', async () => {
  pool = faultyPool({ size: 1, timeoutMs: 2_000 });
  const started = performance.now();
  const error = await pool.call('hang', graph, undefined).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PoolError);
  expect(error).toMatchObject({ code: 'TIMEOUT' });
  expect(performance.now() - started).toBeGreaterThanOrEqual(4_000);
  expect(pool.stats()).toMatchObject({ timedOut: 2, workers: 0 });
});

it('takes a per-call timeoutMs over the pool default', async () => {
  pool = faultyPool({ size: 1 });
  await expect(pool.call('hang', graph, undefined, { timeoutMs: 1_500 })).rejects.toMatchObject({ code: 'TIMEOUT' });
});
