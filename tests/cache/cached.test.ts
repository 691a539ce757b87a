import { describe, expect, it, vi } from 'vitest';
import { argumentKey, cached, createCache } from '../../src/cache/index.js';

let names = 0;
const name = () => `cached-${names++}`;

describe('cached()', () => {
  it('runs the function once for repeated equal arguments', async () => {
    const fn = vi.fn(async (a: number, b: { x: number; y: number }) => a + b.x + b.y);
    const f = cached(fn, { cache: createCache({ name: name(), sync: false }) });
    expect(await f(1, { x: 2, y: 3 })).toBe(6);
    expect(await f(1, { y: 3, x: 2 })).toBe(6);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs concurrent calls with one key once (single-flight)', async () => {
    let runs = 0;
    const f = cached(async (x: number) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return x;
    }, { cache: createCache({ name: name(), sync: false }) });
    const results = await Promise.all(Array.from({ length: 10 }, () => f(7)));
    expect(results).toEqual(Array(10).fill(7));
    expect(runs).toBe(1);
  });

  it('does not cache errors by default', async () => {
    let attempt = 0;
    const f = cached(async () => {
      attempt++;
      if (attempt === 1) throw new Error('flaky');
      return 'ok';
    }, { cache: createCache({ name: name(), sync: false }) });
    await expect(f()).rejects.toThrow('flaky');
    expect(await f()).toBe('ok');
  });

  it('caches errors when asked, until their TTL passes', async () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn(async () => {
        throw new Error('down');
      });
      const f = cached(fn, { cache: createCache({ name: name(), sync: false }), cacheErrors: { ttl: 1000 } });
      await expect(f()).rejects.toThrow('down');
      await expect(f()).rejects.toThrow('down');
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1000);
      await expect(f()).rejects.toThrow('down');
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stores results in its namespace, named after the function by default', async () => {
    const cache = createCache<number>({ name: name(), sync: false });
    const square = cached(async function square(x: number) {
      return x * x;
    }, { cache });
    await square(3);
    expect(await cache.namespace('square').keys()).toEqual([await square.keyFor(3)]);
  });

  it('uses a custom key function when given', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    const f = cached(async (user: { id: number; name: string }) => user.name, { cache, namespace: 'users', key: (user) => `user:${user.id}` });
    await f({ id: 1, name: 'a' });
    expect(await f({ id: 1, name: 'changed' })).toBe('a');
    expect(await cache.namespace('users').keys()).toEqual(['user:1']);
  });

  it('applies the TTL to results', async () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn(async () => 1);
      const f = cached(fn, { cache: createCache({ name: name(), sync: false }), ttl: 100 });
      await f();
      vi.advanceTimersByTime(100);
      await f();
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets one result on request', async () => {
    const fn = vi.fn(async (x: number) => x);
    const f = cached(fn, { cache: createCache({ name: name(), sync: false }) });
    await f(1);
    await f.forget(1);
    await f(1);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('works without a cache given', async () => {
    const fn = vi.fn(async (x: number) => x + 1);
    const f = cached(fn);
    expect(await f(1)).toBe(2);
    expect(await f(1)).toBe(2);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('argumentKey', () => {
  it('is the canonical text for short arguments', async () => {
    expect(await argumentKey([1, 'a', { b: 2, a: 1 }])).toBe('[1,"a",{"a":1,"b":2}]');
  });

  it('hashes long arguments with SHA-256', async () => {
    const key = await argumentKey(['x'.repeat(500)]);
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await argumentKey(['x'.repeat(500)])).toBe(key);
    expect(await argumentKey(['x'.repeat(499) + 'y'])).not.toBe(key);
  });

  it('hashes large binary arguments by content', async () => {
    const a = new Float64Array(1000).fill(1);
    const b = new Float64Array(1000).fill(1);
    const c = new Float64Array(1000).fill(1);
    c[999] = 2;
    expect(await argumentKey([a])).toBe(await argumentKey([b]));
    expect(await argumentKey([a])).not.toBe(await argumentKey([c]));
  });
});
