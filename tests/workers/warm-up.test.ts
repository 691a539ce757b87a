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
