// The HTTP tier against a real local HTTP server that serves a directory and accepts PUT.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCache, FileTier, httpTier, pullCache, pushCache, type Cache, type CacheTier, type HttpTier, type TierRecord } from '../../src/cache/index.js';
import { startHttpStore, type HttpStore } from './support/http-store.js';

let store: HttpStore;
let namespaces = 0;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  store = await startHttpStore();
});
afterEach(async () => {
  store.readOnly = false;
  store.delayMs = 0;
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});
afterAll(async () => {
  await store.dispose();
});

function tier(options: Partial<Parameters<typeof httpTier>[0]> = {}): HttpTier {
  const made = httpTier({ baseUrl: store.url, namespace: `ns${namespaces}`, writeBack: true, retryAfterMs: 50, maxRetryAfterMs: 100, warn: () => {}, ...options });
  opened.push(made);
  return made;
}

function cacheOn<V>(...tiers: CacheTier[]): Cache<V> {
  const cache = createCache<V>({ name: `http-${namespaces}-${opened.length}`, tiers: ['memory', ...tiers], sync: false });
  opened.push({ close: () => cache.close() });
  return cache;
}

async function fileTier(): Promise<FileTier> {
  return new FileTier({ name: 'local', dir: await mkdtemp(join(tmpdir(), 'phasekit-http-local-')) });
}

const record = (key: string, value: unknown, extra: Partial<TierRecord> = {}): TierRecord => ({
  key, value, storedAt: Date.now(), accessedAt: Date.now(), expiresAt: 0, size: 8, hits: 0, ...extra,
});

describe('the HTTP tier', () => {
  it('writes back in the background and reads through in another cache, promoting into its file tier', async () => {
    namespaces++;
    const writer = tier();
    await cacheOn<Float32Array>(writer).set('a1b2c3', new Float32Array([1, 2, 3]));
    expect(await writer.flush({ timeoutMs: 5000 })).toBe(true);
    expect(await readdir(join(store.dir, `ns${namespaces}`))).toContain('a1b2c3');

    const local = await fileTier();
    const reader = cacheOn<Float32Array>(local, tier({ writeBack: false }));
    expect(await reader.get('a1b2c3')).toEqual(new Float32Array([1, 2, 3]));
    expect(reader.stats().tiers.http.hits).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await local.get('a1b2c3'))?.value).toEqual(new Float32Array([1, 2, 3]));
  });

  it('never makes the caller wait for the server: set returns while the PUT is still on its way', async () => {
    namespaces++;
    store.delayMs = 300;
    const remote = tier();
    const started = Date.now();
    await cacheOn<string>(remote).set('slow', 'v');
    expect(Date.now() - started).toBeLessThan(150);
    expect(remote.stats().writeBack?.pending).toBe(1);
    expect(await remote.get('slow')).toMatchObject({ value: 'v' }); // read-your-writes from the queue
    expect(await remote.flush({ timeoutMs: 5000 })).toBe(true);
  });

  it('stores keys that are not URL-safe under a hash of the key', async () => {
    namespaces++;
    const remote = tier();
    await remote.put(record('a/b?c d', 'odd'));
    expect((await remote.objectUrl('a/b?c d'))).toMatch(/\/~[0-9a-f]{64}$/);
    expect((await tier({ writeBack: false }).get('a/b?c d'))?.value).toBe('odd');
  });

  it('rejects a corrupted object, counts it and never fetches it again', async () => {
    namespaces++;
    const remote = tier();
    await remote.put(record('victim', 'the real value'));
    const file = join(store.dir, `ns${namespaces}`, 'victim');
    const bytes = await readFile(file);
    bytes[bytes.length - 2] ^= 0xff;
    await writeFile(file, bytes);
    const reader = tier({ writeBack: false });
    const cache = cacheOn<string>(reader);
    expect(await cache.get('victim')).toBeUndefined();
    expect(cache.stats().corrupt).toBe(1);
    expect(reader.stats().rejected).toBe(1);
    const before = store.requests.length;
    expect(await cache.get('victim')).toBeUndefined();
    expect(store.requests.length).toBe(before);
  });

  it('rejects an object served under another key (wrong object behind a URL)', async () => {
    namespaces++;
    const remote = tier();
    await remote.put(record('one', 'first'));
    await writeFile(join(store.dir, `ns${namespaces}`, 'two'), await readFile(join(store.dir, `ns${namespaces}`, 'one')));
    await expect(tier({ writeBack: false }).get('two')).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/holds the entry of key "one"/) });
  });

  it('degrades to local-only with one warning when the server is down, loses nothing, and writes back once it returns', async () => {
    namespaces++;
    const warnings: string[] = [];
    const remote = tier({ warn: (message) => warnings.push(message) });
    const cache = cacheOn<string>(remote);
    await cache.set('before', 'b');
    expect(await remote.flush({ timeoutMs: 5000 })).toBe(true);
    await store.stop();
    try {
      expect(await cache.get('before')).toBe('b');
      await cache.set('during', 'd');
      expect(await cache.get('missing')).toBeUndefined();
      expect(await cache.get('also-missing')).toBeUndefined();
      expect(await cache.get('during')).toBe('d');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/unreachable/);
    } finally {
      await store.start();
    }
    expect(await remote.flush({ timeoutMs: 5000 })).toBe(true);
    expect((await tier({ writeBack: false }).get('during'))?.value).toBe('d');
  });

  it('on a read-only server gives up the writes after its attempts, keeps the local copy and warns once', async () => {
    namespaces++;
    store.readOnly = true;
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => { warnings.push(args); };
    try {
      const remote = tier({ queue: { attempts: 2, retryDelayMs: 10 } });
      const cache = cacheOn<string>(remote);
      await cache.set('a', '1');
      await cache.set('b', '2');
      expect(await remote.flush({ timeoutMs: 5000 })).toBe(true);
      expect(remote.stats().writeBack).toMatchObject({ failed: 2, applied: 0 });
      expect(await cache.get('a')).toBe('1');
      expect(warnings).toHaveLength(1);
    } finally {
      console.warn = warn;
    }
  });

  it('aborts every request when its signal fires and then acts as an empty tier', async () => {
    namespaces++;
    store.delayMs = 1000;
    const controller = new AbortController();
    const remote = tier({ signal: controller.signal, writeBack: false });
    const pending = remote.get('anything');
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    expect(await remote.get('anything')).toBeUndefined();
  });

  it('gives up a request after timeoutMs', async () => {
    namespaces++;
    store.delayMs = 1000;
    const remote = tier({ timeoutMs: 100, writeBack: false });
    const started = Date.now();
    await expect(remote.get('slow')).rejects.toMatchObject({ code: 'TIER_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(800);
  });
});

describe('publishing and pulling a whole cache', () => {
  it('push writes objects and a manifest; pull copies them into an empty tier with progress, then skips them on a rerun', async () => {
    namespaces++;
    const source = await fileTier();
    for (let i = 0; i < 12; i++) await source.set(record(`entry${i}`, new Uint8Array(1000).fill(i), { size: 1000, tags: ['t'] }));
    const pushed = await pushCache({ from: source, to: tier(), layer: 'test' });
    expect(pushed).toMatchObject({ copied: 12, failed: 0, total: 12 });
    const manifest = JSON.parse(await readFile(join(store.dir, `ns${namespaces}`, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'phasekit-cache-manifest', version: 1, layer: 'test' });
    expect(manifest.entries).toHaveLength(12);

    const destination = await fileTier();
    const seen: number[] = [];
    const pulled = await pullCache({ from: tier({ writeBack: false }), into: destination, onProgress: (p) => seen.push(p.done) });
    expect(pulled).toMatchObject({ copied: 12, skipped: 0, failed: 0 });
    expect(pulled.bytes).toBe(pulled.totalBytes);
    expect(seen).toHaveLength(12);
    expect((await destination.get('entry7'))?.value).toEqual(new Uint8Array(1000).fill(7));
    expect(await pullCache({ from: tier({ writeBack: false }), into: destination })).toMatchObject({ copied: 0, skipped: 12 });
    expect(await pushCache({ from: source, to: tier() })).toMatchObject({ copied: 0, skipped: 12 });
  });

  it('an aborted pull keeps what it copied and a rerun finishes the rest', async () => {
    namespaces++;
    const source = await fileTier();
    for (let i = 0; i < 10; i++) await source.set(record(`e${i}`, i));
    await pushCache({ from: source, to: tier() });
    const destination = await fileTier();
    const controller = new AbortController();
    const first = pullCache({ from: tier({ writeBack: false }), into: destination, concurrency: 1, signal: controller.signal, onProgress: (p) => { if (p.done === 4) controller.abort(new Error('stop')); } });
    await expect(first).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED', cause: new Error('stop') });
    expect((await destination.list()).length).toBe(4);
    expect(await pullCache({ from: tier({ writeBack: false }), into: destination })).toMatchObject({ copied: 6, skipped: 4 });
  });

  it('lists the manifest as the tier\'s entries, so a cache can invalidate and count them', async () => {
    namespaces++;
    const source = await fileTier();
    await source.set(record('x', 'one', { tags: ['g'] }));
    await source.set(record('y', 'two'));
    await pushCache({ from: source, to: tier() });
    const cache = cacheOn<string>(tier({ writeBack: false }));
    expect((await cache.keys()).sort()).toEqual(['x', 'y']);
    expect(await cache.invalidateTag('g')).toBe(1);
    expect(await cache.get('x')).toBeUndefined();
    expect(await cache.get('y')).toBe('two');
  });

  it('refuses to pull from a namespace with nothing published', async () => {
    namespaces++;
    await expect(pullCache({ from: tier({ writeBack: false }), into: await fileTier() })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('refuses a bad base URL or namespace', () => {
    expect(() => httpTier({ baseUrl: 'ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => httpTier({ baseUrl: store.url, namespace: '../up' })).toThrow(/namespace/);
  });
});

describe('the HTTP tier against a misbehaving server', () => {
  it('refuses an object larger than maxObjectBytes without reading it', async () => {
    namespaces++;
    const remote = tier();
    await remote.put(record('big', new Uint8Array(10_000)));
    await expect(tier({ writeBack: false, maxObjectBytes: 1000 }).get('big')).rejects.toMatchObject({ code: 'REJECTED', message: expect.stringMatching(/maxObjectBytes/) });
  });
});
