// close() terminates the workers and no call is left pending.
import { beforeAll, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { PoolError } from '../../src/pool/index.js';
import { faultyPool } from './fixtures/pools.js';

beforeAll(() => ready());
const graph = models.coalescent(4);

it('rejects running and queued calls with PoolError CLOSED', async () => {
  const pool = faultyPool({ size: 1 });
  const running = pool.call('hang', graph, undefined).catch((e: unknown) => e);
  const queued = pool.moments(graph, 1, { theta: [1] }).catch((e: unknown) => e);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.close();
  for (const error of [await running, await queued]) {
    expect(error).toBeInstanceOf(PoolError);
    expect(error).toMatchObject({ code: 'CLOSED' });
  }
  expect(pool.stats()).toMatchObject({ workers: 0, queued: 0 });
});

it('rejects calls made after close', async () => {
  const pool = faultyPool({ size: 1 });
  await pool.close();
  await expect(pool.expectation(graph, { theta: [1] })).rejects.toMatchObject({ code: 'CLOSED' });
});

it('can be called twice', async () => {
  const pool = faultyPool({ size: 1 });
  await pool.expectation(graph, { theta: [1] });
  await Promise.all([pool.close(), pool.close()]);
  expect(pool.stats().workers).toBe(0);
});
