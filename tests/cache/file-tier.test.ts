import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, FileTier, jsonSerializer } from '../../src/cache/index.js';

let dir: string;
let names = 0;
const name = () => `file-${names++}`;

describe('file tier', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phasekit-cache-'));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps entries for the next process', async () => {
    await createCache<ArrayBuffer>({ name: name(), tiers: ['memory', 'file'], dir, sync: false }).set('k', new Uint8Array([5, 6]).buffer);
    const later = createCache<ArrayBuffer>({ name: name(), tiers: ['memory', 'file'], dir, sync: false });
    expect(new Uint8Array((await later.get('k'))!)).toEqual(new Uint8Array([5, 6]));
  });

  it('stores an ArrayBuffer value as raw bytes after the header', async () => {
    const tier = new FileTier({ name: name(), dir });
    const value = new Uint8Array(1000).map((_, i) => i % 256);
    await tier.set({ key: 'k', value: value.buffer, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 1000, hits: 0 });
    const [file] = await readdir(dir);
    const bytes = await readFile(join(dir, file));
    expect(new Uint8Array(bytes.subarray(bytes.length - 1000))).toEqual(value);
  });

  it('a hit on an entry whose access time is under a minute old leaves the file alone; an older one is touched', async () => {
    const tier = new FileTier({ name: name(), dir });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    await tier.set({ key: 'k', value: 'v', storedAt: t0, accessedAt: t0, expiresAt: 0, size: 1, hits: 0 });
    const [file] = await readdir(dir);
    const mtime = async () => (await stat(join(dir, file))).mtimeMs;
    await tier.get('k');
    await tier.touch('k', t0 + 30_000);
    expect(await mtime()).toBe(t0);
    await tier.get('k');
    await tier.touch('k', t0 + 90_000);
    expect(await mtime()).toBe(t0 + 90_000);
    await tier.touch('k', t0 + 100_000); // not read since: touched
    expect(await mtime()).toBe(t0 + 100_000);
  });

  it('leaves no temporary files behind', async () => {
    const tier = new FileTier({ name: name(), dir });
    const record = (i: number) => ({ key: 'same', value: `v${i}`, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 4, hits: 0 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => tier.set(record(i))));
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.entry$/);
    expect(['v0', 'v19']).toBeDefined();
    expect((await tier.get('same'))?.value).toMatch(/^v\d+$/);
  });

  it('defaults to <XDG_CACHE_HOME>/phasekit/<name>', async () => {
    vi.stubEnv('XDG_CACHE_HOME', dir);
    const tier = new FileTier({ name: 'traces' });
    expect(await tier.directory()).toBe(join(dir, 'phasekit', 'traces'));
  });

  it('lists metadata without reading values, with access times from the file', async () => {
    const tier = new FileTier({ name: name(), dir });
    await tier.set({ key: 'k', value: new ArrayBuffer(10), storedAt: 5, accessedAt: 5, expiresAt: 0, size: 10, hits: 0, tags: ['t'] });
    await tier.touch('k', 1_700_000_000_000);
    const [meta] = await tier.list();
    expect(meta).toMatchObject({ key: 'k', storedAt: 5, tags: ['t'], size: 11 });
    expect(meta.accessedAt).toBe(1_700_000_000_000);
  });

  it('reports a damaged file as corrupt and drops it', async () => {
    const cacheName = name();
    await createCache<string>({ name: cacheName, tiers: ['memory', 'file'], dir, sync: false }).set('k', 'v');
    const [file] = await readdir(dir);
    await writeFile(join(dir, file), 'garbage!');
    const cache = createCache<string>({ name: cacheName, tiers: ['memory', 'file'], dir, sync: false });
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().corrupt).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('uses the serializer it is given', async () => {
    const tier = new FileTier({ name: name(), dir, serializer: jsonSerializer });
    await tier.set({ key: 'k', value: { a: 1 }, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 4, hits: 0 });
    const [file] = await readdir(dir);
    expect((await readFile(join(dir, file), 'utf8')).endsWith('{"a":1}')).toBe(true);
  });

  it('deletes and clears', async () => {
    const tier = new FileTier({ name: name(), dir });
    const record = (key: string) => ({ key, value: key, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 2, hits: 0 });
    await tier.set(record('a'));
    await tier.set(record('b'));
    await tier.delete(['a']);
    expect((await tier.list()).map((meta) => meta.key)).toEqual(['b']);
    await tier.clear();
    expect(await tier.list()).toEqual([]);
  });
});

describe('file tier serializers', () => {
  it('treats an entry written by another serializer as corrupt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-cache-'));
    try {
      await new FileTier({ name: 'x', dir, serializer: jsonSerializer }).set({ key: 'k', value: 1, storedAt: 1, accessedAt: 1, expiresAt: 0, size: 1, hits: 0 });
      await expect(new FileTier({ name: 'x', dir }).get('k')).rejects.toMatchObject({ code: 'CORRUPT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
