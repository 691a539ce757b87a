// AbortSignal really stops the work: the worker running the call is terminated.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { AbortError, models, ready } from '../../src/index.js';
import { faultyPool, type Pool } from './fixtures/pools.js';
import type { FaultyMethods } from './fixtures/faulty-methods.js';

let pool: Pool<FaultyMethods>;
beforeAll(() => ready());
afterEach(() => pool.close());

const graph = models.coalescent(4);

it('rejects a running call with AbortError (code ABORTED) and replaces its worker', async () => {
  pool = faultyPool({ size: 1 });
  await pool.expectation(graph, { theta: [1] }); // worker started
  const controller = new AbortController();
  const call = pool.call('hang', graph, undefined, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('user')), 50);
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AbortError);
  expect(error).toMatchObject({ code: 'ABORTED', name: 'AbortError' });
  expect((error as AbortError).cause).toEqual(new Error('user'));
  expect(pool.stats()).toMatchObject({ workers: 0, aborted: 1, spawned: 1 });
  expect(await pool.expectation(graph, { theta: [1] })).toBe(graph.expectation({ theta: [1] }));
  expect(pool.stats()).toMatchObject({ workers: 1, spawned: 2 });
});

it('removes a queued call without touching the workers', async () => {
  pool = faultyPool({ size: 1 });
  const running = pool.call('sleep', graph, { ms: 300 });
  const controller = new AbortController();
  const queued = pool.moments(graph, 1, { theta: [1], signal: controller.signal });
  controller.abort();
  await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
  expect(await running).toBe(300);
  expect(pool.stats()).toMatchObject({ aborted: 0, spawned: 1 });
});

it('rejects at once when the signal is already aborted', async () => {
  pool = faultyPool({ size: 1 });
  await expect(pool.moments(graph, 1, { theta: [1], signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  expect(pool.stats().spawned).toBe(0);
});

it('ignores an abort after the call finished', async () => {
  pool = faultyPool({ size: 1 });
  const controller = new AbortController();
  expect(await pool.expectation(graph, { theta: [1], signal: controller.signal })).toBe(graph.expectation({ theta: [1] }));
  controller.abort();
  expect(pool.stats()).toMatchObject({ workers: 1, aborted: 0 });
});
