// `phasekit cache get|set|delete|stats|cleanup|warm|invalidate|pull|push` on a file store,
// a real redis-server and a real local HTTP store.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCache, FileTier } from '../../src/cache/index.js';
import { startHttpStore, type HttpStore } from '../cache/support/http-store.js';
import { startRedis, type RedisServer } from '../cache/support/redis-server.js';
import { runCli } from './run-cli.js';

let redis: RedisServer;
let http: HttpStore;
let root: string;
beforeAll(async () => {
  [redis, http] = await Promise.all([startRedis(), startHttpStore()]);
});
afterAll(async () => {
  await Promise.all([redis.dispose(), http.dispose()]);
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'phasekit-cli-store-'));
  process.env.PHASEKIT_CACHE_DIR = root;
});

const json = (s: string) => JSON.parse(s) as Record<string, any>;
async function ok(argv: string[]): Promise<Record<string, any>> {
  const run = await runCli(argv);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return json(run.stdout);
}

describe('phasekit cache on a named file store', () => {
  it('sets a string, reads it back, deletes it', async () => {
    expect(await ok(['cache', 'set', 'greeting', 'hello world'])).toEqual({ key: 'greeting', stored: true, expiresInMs: null });
    expect(await ok(['cache', 'get', 'greeting'])).toEqual({ key: 'greeting', found: true, value: 'hello world', expiresInMs: null });
    expect(await ok(['cache', 'delete', 'greeting'])).toEqual({ key: 'greeting', deleted: true });
    expect(await ok(['cache', 'get', 'greeting'])).toEqual({ key: 'greeting', found: false });
  });

  it('reads VALUE as JSON with --type json, and keeps caches of different --name apart', async () => {
    await ok(['cache', 'set', 'config', '{"depth": [1, 2]}', '--type', 'json', '--name', 'settings']);
    expect((await ok(['cache', 'get', 'config', '--name', 'settings'])).value).toEqual({ depth: [1, 2] });
    expect((await ok(['cache', 'get', 'config'])).found).toBe(false);
  });

  it('stores the entry where the library finds it: <PHASEKIT_CACHE_DIR>/<name>', async () => {
    await ok(['cache', 'set', 'k', 'v', '--name', 'shared']);
    const cache = createCache<string>({ name: 'shared', tiers: ['memory', new FileTier({ name: 'shared', dir: join(root, 'shared') })], sync: false });
    expect(await cache.get('k')).toBe('v');
  });

  it('expires an entry set with --ttl, and cleanup removes it from the store', async () => {
    const set = await ok(['cache', 'set', 'brief', 'v', '--ttl', '1']);
    expect(set.expiresInMs).toBeGreaterThan(0);
    expect(set.expiresInMs).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await ok(['cache', 'cleanup'])).toEqual({ removed: 1 });
    expect((await ok(['cache', 'stats'])).entries).toBe(0);
  });

  it('warms from a JSON object, skips what is there, and invalidates by pattern', async () => {
    const file = join(root, 'seed.json');
    await writeFile(file, JSON.stringify({ 'user:1': 'ada', 'user:2': 'grace', 'item:1': { price: 3 } }));
    expect(await ok(['cache', 'warm', '--from', file])).toEqual({ warmed: 3, skipped: 0, failed: 0 });
    expect(await ok(['cache', 'warm', '--from', file])).toEqual({ warmed: 0, skipped: 3, failed: 0 });
    expect(await ok(['cache', 'invalidate', 'user:*'])).toEqual({ invalidated: 2 });
    const stats = await ok(['cache', 'stats']);
    expect(stats).toMatchObject({ name: 'default', store: 'file', location: join(root, 'default'), entries: 1 });
  });

  it('warms from a cache archive', async () => {
    const source = createCache<string>({ name: 'archive-source', sync: false });
    await source.set('a', 'alpha');
    await source.set('b', 'beta');
    const file = join(root, 'entries.pkcache');
    await writeFile(file, await source.export());
    expect(await ok(['cache', 'warm', '--from', file, '--name', 'from-archive'])).toEqual({ imported: 2 });
    expect((await ok(['cache', 'get', 'b', '--name', 'from-archive'])).value).toBe('beta');
  });
});

describe('phasekit cache on Redis and HTTP stores', () => {
  it('uses Redis with --store redis and reports the server\'s own figures', async () => {
    await ok(['cache', 'set', 'k', 'v', '--store', 'redis', '--redis-url', redis.url, '--name', 'cli']);
    process.env.PHASEKIT_REDIS_URL = redis.url;
    try {
      expect((await ok(['cache', 'get', 'k', '--store', 'redis', '--name', 'cli'])).value).toBe('v');
      const stats = await ok(['cache', 'stats', '--store', 'redis', '--name', 'cli']);
      expect(stats).toMatchObject({ store: 'redis', entries: 1 });
      expect(stats.server.version).toMatch(/^\d/);
      expect(stats.server.keys).toBeGreaterThanOrEqual(1);
    } finally {
      delete process.env.PHASEKIT_REDIS_URL;
    }
  });

  it('writes to an HTTP store with --store http and pulls a published cache into a file store', async () => {
    await ok(['cache', 'set', 'remote-key', 'over http', '--store', 'http', '--url', http.url, '--name', 'pub']);
    expect((await ok(['cache', 'get', 'remote-key', '--store', 'http', '--url', http.url, '--name', 'pub'])).value).toBe('over http');
    // Publish a file store, then pull it elsewhere.
    await ok(['cache', 'set', 'x', '1', '--name', 'pub']);
    await ok(['cache', 'set', 'y', '2', '--name', 'pub']);
    const pushed = await runCli(['cache', 'push', http.url, '--name', 'pub']);
    expect(pushed.code).toBe(0);
    expect(json(pushed.stdout)).toMatchObject({ copied: 2, failed: 0 });
    expect(pushed.stderr).toMatch(/push: 2\/2 entries/);
    process.env.PHASEKIT_CACHE_DIR = await mkdtemp(join(tmpdir(), 'phasekit-cli-pulled-'));
    const pulled = await runCli(['cache', 'pull', http.url, '--name', 'pub']);
    expect(json(pulled.stdout)).toMatchObject({ copied: 2, skipped: 0 });
    expect((await ok(['cache', 'get', 'y', '--name', 'pub'])).value).toBe('2');
  });
});

describe('phasekit cache store commands on bad input', () => {
  const bad = async (argv: string[], message: RegExp) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  };

  it('exits 2 with one line for a VALUE that is not JSON under --type json', () => bad(['cache', 'set', 'k', '{oops', '--type', 'json'], /VALUE is not JSON/));
  it('exits 2 with one line for a warm file that is missing or of the wrong shape', async () => {
    await bad(['cache', 'warm', '--from', join(root, 'missing.json')], /cannot read/);
    const file = join(root, 'list.json');
    await writeFile(file, '[1, 2]');
    await bad(['cache', 'warm', '--from', file], /neither a JSON object/);
  });
  it('exits 2 with one line for a damaged archive', async () => {
    const file = join(root, 'damaged.pkcache');
    await writeFile(file, Buffer.from('PKCA this is not really an archive'));
    await bad(['cache', 'warm', '--from', file], /archive/);
  });
  it('exits 2 with one line for a bad --name', () => bad(['cache', 'get', 'k', '--name', '../etc'], /namespace must be/));
  it('exits 2 with one line when no Redis URL is given or the server is not there', async () => {
    await bad(['cache', 'get', 'k', '--store', 'redis'], /needs --redis-url/);
    await bad(['cache', 'get', 'k', '--store', 'redis', '--redis-url', 'redis://127.0.0.1:1'], /unreachable/);
  });
  it('exits 2 with one line when the HTTP store is down or has nothing published', async () => {
    await bad(['cache', 'get', 'k', '--store', 'http', '--url', 'http://127.0.0.1:9'], /unreachable/);
    await bad(['cache', 'pull', http.url, '--name', 'nothing-here'], /nothing is published/);
  });
});

describe('phasekit cache store commands and the trace layer', () => {
  it("refuse the trace layer's default store, whose entries they cannot read", async () => {
    delete process.env.PHASEKIT_CACHE_DIR;
    const run = await runCli(['cache', 'get', 'abc', '--name', 'traces']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/trace layer's store/);
  });
});
