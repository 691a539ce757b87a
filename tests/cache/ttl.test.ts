import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, MemoryTier } from '../../src/cache/index.js';
import { RemoteTierDouble } from './remote-tier-double.js';

let names = 0;
const name = () => `ttl-${names++}`;

describe('time to live', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never returns an entry after its TTL', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('k', 'v', { ttl: 1000 });
    vi.advanceTimersByTime(999);
    expect(await cache.get('k')).toBe('v');
    vi.advanceTimersByTime(1);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().expirations).toBe(1);
  });

  it('applies the cache default TTL to entries set without one', async () => {
    const cache = createCache<string>({ name: name(), ttl: 500, sync: false });
    await cache.set('k', 'v');
    vi.advanceTimersByTime(500);
    expect(await cache.has('k')).toBe(false);
  });

  it('lets a per-entry TTL of Infinity override the default and live forever', async () => {
    const cache = createCache<string>({ name: name(), ttl: 500, sync: false });
    await cache.set('k', 'v', { ttl: Infinity });
    vi.advanceTimersByTime(10_000_000);
    expect(await cache.get('k')).toBe('v');
    expect(await cache.getTTL('k')).toBe(Infinity);
  });

  it('reports the remaining TTL, Infinity without one and 0 when absent', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('short', 'v', { ttl: 1000 });
    await cache.set('forever', 'v');
    vi.advanceTimersByTime(400);
    expect(await cache.getTTL('short')).toBe(600);
    expect(await cache.getTTL('forever')).toBe(Infinity);
    expect(await cache.getTTL('missing')).toBe(0);
  });

  it('lists no expired keys', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await cache.set('a', 'v', { ttl: 10 });
    await cache.set('b', 'v');
    vi.advanceTimersByTime(10);
    expect(await cache.keys()).toEqual(['b']);
  });

  it('expires entries in lower tiers too', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    await cache.set('k', 'v', { ttl: 1000 });
    vi.advanceTimersByTime(1000);
    const fresh = createCache<string>({ name: name(), tiers: ['memory', remote], sync: false });
    expect(await fresh.get('k')).toBeUndefined();
    expect(remote.store.has('k')).toBe(false);
  });

  it('sweeps expired entries automatically once a TTL is in use', async () => {
    const remote = new RemoteTierDouble();
    const cache = createCache<string>({ name: name(), tiers: ['memory', remote], sweepIntervalMs: 1000, sync: false });
    await cache.set('k', 'v', { ttl: 100 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(cache.stats().memory.entries).toBe(0);
    expect(remote.store.size).toBe(0);
    expect(cache.stats().expirations).toBe(2);
    cache.stopSweeper();
  });

  it('stops sweeping when asked', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    cache.startSweeper(100);
    cache.stopSweeper();
    await cache.set('k', 'v', { ttl: 50 });
    cache.stopSweeper();
    await vi.advanceTimersByTimeAsync(1000);
    expect(cache.stats().memory.entries).toBe(1);
  });

  it('unrefs its sweeper timer so Node can exit', () => {
    vi.useRealTimers();
    const unref = vi.fn();
    const spy = vi.spyOn(globalThis, 'setInterval').mockReturnValue({ unref } as never);
    const cache = createCache<string>({ name: name(), sync: false });
    cache.startSweeper(1000);
    expect(unref).toHaveBeenCalled();
    spy.mockRestore();
    vi.spyOn(globalThis, 'clearInterval').mockImplementation(() => {});
    cache.stopSweeper();
    vi.restoreAllMocks();
  });

  it('costs the memory tier no clock reads while no entry has a TTL', () => {
    const tier = new MemoryTier<number>({ maxEntries: 4 });
    tier.set('a', 1);
    const now = vi.spyOn(Date, 'now');
    tier.get('a');
    expect(now).not.toHaveBeenCalled();
  });
});
