// Pool.warmUp: every worker started and warmed before the first call; results are
// unchanged by it; a closed pool refuses it. And the warm-up itself: it pauses for
// requests and finishes at once when asked.
import { beforeAll, describe, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';
import { PoolError } from '../../src/pool/errors.js';
import { WarmUp } from '../../src/worker/warm-up.js';
import { faultyPool } from './fixtures/pools.js';

beforeAll(() => ready());

describe('Pool.warmUp', () => {
  it('starts every worker and resolves once they are warm; calls then give the same numbers as here', async () => {
    const pool = createPool({ size: 2 });
    try {
      expect(pool.stats().workers).toBe(0);
      await pool.warmUp();
      expect(pool.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0 });
      const g = models.coalescent(9);
      expect(await pool.expectation(g, { theta: [1.3] })).toBe(g.expectation({ theta: [1.3] }));
      await pool.warmUp(); // again: nothing left to do
      expect(pool.stats().workers).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('warms the workers of a custom method table too (they are served by the same loop)', async () => {
    const pool = faultyPool({ size: 1 });
    try {
      await pool.warmUp();
      expect(pool.stats().workers).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('with memoryBytes, each worker makes that much kernel memory ready now; a build of that size then grows it no further', async () => {
    const pool = faultyPool({ size: 2 });
    try {
      await pool.warmUp();
      const before = await pool.call('kernelMemoryBytes', null, undefined);
      await pool.warmUp({ memoryBytes: 48 * 1048576 });
      const after = await pool.call('kernelMemoryBytes', null, undefined);
      // Grown by 48 MiB less what was free at its end already (a few MB after the warm-up's small models).
      expect(after - before).toBeGreaterThan(40 * 1048576);
      // Coalescent n = 30 (a few MB in the kernel) fits in what was made ready.
      const g = await models.inPool(pool).coalescent(30);
      expect(await pool.expectation(g, { theta: [1] })).toBeCloseTo(2 * (1 - 1 / 30), 12);
      expect(await pool.call('kernelMemoryBytes', g, undefined)).toBe(after);
    } finally {
      await pool.close();
    }
  });

  it('refuses a memoryBytes that is not an integer in [0, 1 GiB], naming it', async () => {
    const pool = createPool({ size: 1 });
    try {
      for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 30 + 1, 2 ** 32, '64' as unknown as number])
        await expect(pool.warmUp({ memoryBytes: bad })).rejects.toThrow(/warmUp memoryBytes must be an integer/);
      expect(pool.stats().workers).toBe(0); // refused before any worker started
      await pool.warmUp({ memoryBytes: 0 }); // nothing to make ready: the plain warm-up
      const g = models.coalescent(8);
      expect(await pool.expectation(g, { theta: [2] })).toBe(g.expectation({ theta: [2] }));
    } finally {
      await pool.close();
    }
  });

  it('a closed pool refuses with PoolError CLOSED', async () => {
    const pool = createPool({ size: 1 });
    await pool.close();
    await expect(pool.warmUp()).rejects.toThrow(PoolError);
    await expect(pool.warmUp()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('a worker’s warm-up', () => {
  it('waits while a request runs, goes on when idle, and finishes at once when asked', async () => {
    let busy = true;
    const warm = new WarmUp(() => busy);
    warm.resume();
    await new Promise((r) => setTimeout(r, 20));
    expect(warm.done).toBe(false); // busy: no step ran
    busy = false;
    warm.resume();
    await new Promise((r) => setTimeout(r, 5));
    warm.finish();
    expect(warm.done).toBe(true);
  });
});
