import { describe, expect, it } from 'vitest';
import { CacheError } from '../../src/cache/index.js';
import { WriteQueue } from '../../src/cache/remote/write-queue.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the remote write queue', () => {
  it('keeps only the newest waiting operation per key and applies one at a time per key, in order', async () => {
    const applied: string[] = [];
    let release!: () => void;
    const queue = new WriteQueue<string>({
      apply: async (key, op) => {
        applied.push(`${key}=${op}`);
        if (op === 'v1') await new Promise<void>((resolve) => (release = resolve));
      },
      sizeOf: () => 1,
    });
    queue.enqueue('k', 'v1'); // in flight, blocked
    queue.enqueue('k', 'v2'); // waits behind v1 ...
    queue.enqueue('k', 'v3'); // ... and is replaced by v3
    expect(queue.pending('k')).toBe('v3');
    await tick();
    release();
    expect(await queue.flush({ timeoutMs: 1000 })).toBe(true);
    expect(applied).toEqual(['k=v1', 'k=v3']);
  });

  it('drops the oldest operations beyond its bounds and says so', async () => {
    const dropped: string[] = [];
    const queue = new WriteQueue<number>({ apply: () => new Promise(() => {}), sizeOf: (n) => n, maxEntries: 3, maxBytes: 100, concurrency: 1, onGiveUp: (key, _op, reason) => dropped.push(`${key}:${reason}`) });
    for (const key of ['a', 'b', 'c', 'd']) queue.enqueue(key, 10);
    queue.enqueue('big', 90);
    expect(dropped).toEqual(['b:overflow', 'c:overflow', 'd:overflow']);
    expect(queue.stats()).toMatchObject({ overflowed: 3 });
    queue.close();
  });

  it('retries a failing operation with backoff, then gives it up', async () => {
    let calls = 0;
    const given: string[] = [];
    const queue = new WriteQueue<string>({ apply: async () => { calls++; throw new Error('HTTP 403'); }, sizeOf: () => 1, attempts: 3, retryDelayMs: 5, onGiveUp: (key, _op, reason) => given.push(`${key}:${reason}`) });
    queue.enqueue('k', 'v');
    expect(await queue.flush({ timeoutMs: 2000 })).toBe(true);
    expect(calls).toBe(3);
    expect(given).toEqual(['k:failed']);
    expect(queue.stats()).toMatchObject({ retried: 2, failed: 1, applied: 0 });
  });

  it('waits while the store is down without using up attempts', async () => {
    let downUntil = Date.now() + 150;
    let calls = 0;
    const queue = new WriteQueue<string>({
      apply: async () => {
        calls++;
        if (Date.now() < downUntil) throw new CacheError('TIER_UNAVAILABLE', 'down');
      },
      retryAt: () => (Date.now() < downUntil ? downUntil : 0),
      sizeOf: () => 1,
      attempts: 1,
    });
    queue.enqueue('k', 'v');
    expect(await queue.flush({ timeoutMs: 2000 })).toBe(true);
    expect(queue.stats()).toMatchObject({ applied: 1, failed: 0 });
    expect(calls).toBeLessThanOrEqual(2);
    downUntil = 0;
  });

  it('reports a flush that did not finish in time', async () => {
    const queue = new WriteQueue<string>({ apply: () => new Promise(() => {}), sizeOf: () => 1 });
    queue.enqueue('k', 'v');
    expect(await queue.flush({ timeoutMs: 30 })).toBe(false);
    queue.close();
  });
});
