import { describe, expect, it, vi } from 'vitest';
import { AbortError, createCache, warm } from '../../src/cache/index.js';

let names = 0;
const name = () => `warm-${names++}`;

describe('warm()', () => {
  it('loads every key and reports how many', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    const result = await warm(cache, { keys: ['a', 'b', 'c'], load: async (key) => key.toUpperCase() });
    expect(result).toMatchObject({ warmed: 3, failed: 0, skipped: 0 });
    expect(await cache.get('b')).toBe('B');
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('skips keys already cached', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('a', 'cached');
    const load = vi.fn(async (key: string) => key);
    const result = await warm(cache, { keys: ['a', 'b'], load });
    expect(result).toMatchObject({ warmed: 1, skipped: 1 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('never runs more loads at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    const load = async (key: string) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return key;
    };
    await warm(createCache<string>({ name: name(), sync: false }), { keys: Array.from({ length: 20 }, (_, i) => `k${i}`), load, concurrency: 3 });
    expect(peak).toBe(3);
  });

  it('retries a failing key and counts it failed after the last attempt', async () => {
    const attempts = new Map<string, number>();
    const load = async (key: string) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (key === 'never' || n < 3) throw new Error('flaky');
      return key;
    };
    const result = await warm(createCache<string>({ name: name(), sync: false }), { keys: ['ok', 'never'], load, retries: 2 });
    expect(result).toMatchObject({ warmed: 1, failed: 1 });
    expect(attempts.get('never')).toBe(3);
  });

  it('stops at an abort and rejects with AbortError, the signal\'s reason as its cause', async () => {
    const controller = new AbortController();
    const load = vi.fn(async (key: string) => {
      if (key === 'k2') controller.abort(new Error('user left'));
      return key;
    });
    const promise = warm(createCache<string>({ name: name(), sync: false }), { keys: ['k1', 'k2', 'k3', 'k4'], load, concurrency: 1, signal: controller.signal });
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error('user left'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('waits for the delay of a scheduled warm', async () => {
    vi.useFakeTimers();
    try {
      const cache = createCache<string>({ name: name(), sync: false });
      const load = vi.fn(async (key: string) => key);
      const done = warm(cache, { keys: ['a'], load, strategy: 'scheduled', delayMs: 1000 });
      await vi.advanceTimersByTimeAsync(999);
      expect(load).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect((await done).warmed).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('warms lazily one batch per idle period', async () => {
    const idle: (() => void)[] = [];
    vi.stubGlobal('requestIdleCallback', (callback: () => void) => idle.push(callback));
    try {
      const cache = createCache<string>({ name: name(), sync: false });
      const done = warm(cache, { keys: ['a', 'b', 'c'], load: async (key) => key, strategy: 'lazy', batchSize: 2 });
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(await cache.keys()).toEqual([]);
      idle.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect((await cache.keys()).sort()).toEqual(['a', 'b']);
      idle.shift()!();
      expect((await done).warmed).toBe(3);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
