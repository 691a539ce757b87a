import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { binarySerializer, cached, createCache, FileTier, MemoryTier, type TierSpec } from '../../src/cache/index.js';
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

describe('time to live: checked options', () => {
  const bad: unknown[] = [0, -1, NaN, '100', null, {}];

  it.each(bad)('refuses a per-entry ttl of %s with BAD_OPTION and stores nothing', async (ttl) => {
    const cache = createCache<string>({ name: name(), sync: false });
    await expect(cache.set('k', 'v', { ttl: ttl as number })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/^ttl must be/) });
    expect(await cache.has('k')).toBe(false);
  });

  it.each(bad)('refuses a cache default ttl of %s with BAD_OPTION', (ttl) => {
    expect(() => createCache({ name: name(), ttl: ttl as number, sync: false })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });

  it('refuses a bad ttl for cached() when wrapping, not on the first call', () => {
    expect(() => cached(async () => 1, { ttl: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => cached(async () => 1, { cacheErrors: { ttl: -5 } })).toThrow(/cacheErrors.ttl/);
  });

  it('refuses a getOrCompute ttl of 0 without caching the result', async () => {
    const cache = createCache<string>({ name: name(), sync: false });
    await expect(cache.getOrCompute('k', () => 'v', { ttl: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(await cache.has('k')).toBe(false);
  });
});

describe('time to live: Infinity in every tier', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-ttl-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const tiers = (): Record<string, () => TierSpec> => ({
    file: () => new FileTier({ name: 'ttl', dir }),
    remote: (() => {
      const remote = new RemoteTierDouble();
      return () => remote;
    })(),
  });

  it.each(['file', 'remote'])('keeps a ttl: Infinity entry in the %s tier for the next process', async (kind) => {
    const make = tiers()[kind];
    await createCache<string>({ name: name(), tiers: ['memory', make()], sync: false }).set('k', 'v', { ttl: Infinity });
    const later = createCache<string>({ name: name(), tiers: ['memory', make()], sync: false });
    expect(await later.get('k')).toBe('v');
    expect(await later.getTTL('k')).toBe(Infinity);
  });

  it('keeps a ttl: Infinity entry in IndexedDB for the next page', async () => {
    const indexedDB = new IDBFactory();
    const cacheName = name();
    const before = createCache<string>({ name: cacheName, tiers: ['memory', 'indexeddb'], indexedDB, sync: false });
    await before.set('k', 'v', { ttl: Infinity });
    await before.close();
    const after = createCache<string>({ name: cacheName, tiers: ['memory', 'indexeddb'], indexedDB, sync: false });
    expect(await after.get('k')).toBe('v');
    expect(await after.getTTL('k')).toBe(Infinity);
  });

  it('reads an expiry that phasekit 0.1 wrote as null (its ttl: Infinity) as never', async () => {
    const payload = binarySerializer.encode('old');
    const header = Buffer.from(JSON.stringify({ key: 'k', storedAt: 1, accessedAt: 1, expiresAt: null, size: payload.byteLength, hits: 0, codec: 'binary' }));
    const prefix = Buffer.alloc(8);
    prefix.write('PKCE', 0, 'latin1');
    prefix.writeUInt32LE(header.byteLength, 4);
    const tier = new FileTier({ name: 'ttl', dir });
    await writeFile(join(dir, (await readdirNameOf(tier, 'k'))), Buffer.concat([prefix, header, payload]));
    const cache = createCache<string>({ name: name(), tiers: ['memory', tier], sync: false });
    expect(await cache.get('k')).toBe('old');
    expect(await cache.getTTL('k')).toBe(Infinity);
  });
});

// The file name the tier uses for `key` (written once, read back from the directory).
async function readdirNameOf(tier: FileTier, key: string): Promise<string> {
  await tier.set({ key, value: 'probe', storedAt: 1, accessedAt: 1, expiresAt: 0, size: 1, hits: 0 });
  const [file] = await readdir(await tier.directory());
  return file;
}
