// The Redis tier against a real redis-server (Debian's), started on a free loopback port.
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCache, redisTier, type Cache, type RedisTier, type TierRecord } from '../../src/cache/index.js';
import { startRedis, type RedisServer } from './support/redis-server.js';

let server: RedisServer;
let namespaces = 0;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});
afterAll(async () => {
  await server.dispose();
});

function tier(options: Partial<Parameters<typeof redisTier>[0]> = {}): RedisTier {
  const made = redisTier({ url: server.url, namespace: `ns${namespaces++}`, retryAfterMs: 50, maxRetryAfterMs: 200, warn: () => {}, ...options });
  opened.push(made);
  return made;
}

function cacheOn<V>(remote: RedisTier, name = `redis-${namespaces++}`): Cache<V> {
  const cache = createCache<V>({ name, tiers: ['memory', remote], sync: false });
  opened.push({ close: () => cache.close() });
  return cache;
}

const record = (key: string, value: unknown, extra: Partial<TierRecord> = {}): TierRecord => ({
  key, value, storedAt: Date.now(), accessedAt: Date.now(), expiresAt: 0, size: 8, hits: 0, ...extra,
});

describe('the Redis tier (CacheTier contract)', () => {
  it('stores and returns a typed array byte for byte, with its metadata', async () => {
    const redis = tier();
    await redis.set(record('k', new Float64Array([1.5, -2, Math.PI]), { tags: ['a'], version: 3 }));
    const back = await redis.get('k');
    expect(back?.value).toEqual(new Float64Array([1.5, -2, Math.PI]));
    expect(back).toMatchObject({ key: 'k', tags: ['a'], version: 3, expiresAt: 0 });
    expect(await redis.head('k')).toMatchObject({ key: 'k', tags: ['a'] });
  });

  it('misses on an unknown key and deletes and clears only its own namespace', async () => {
    const a = tier({ namespace: 'shared-a' });
    const b = tier({ namespace: 'shared-b' });
    await a.set(record('x', 'a'));
    await b.set(record('x', 'b'));
    expect(await a.get('nothing')).toBeUndefined();
    await a.clear();
    expect(await a.get('x')).toBeUndefined();
    expect((await b.get('x'))?.value).toBe('b');
    await b.delete(['x']);
    expect(await b.head('x')).toBeUndefined();
  });

  it('lists every entry of its namespace with SCAN', async () => {
    const redis = tier();
    for (let i = 0; i < 50; i++) await redis.set(record(`key:${i}*?`, i));
    const keys = (await redis.list()).map((meta) => meta.key).sort();
    expect(keys).toHaveLength(50);
    expect(keys).toContain('key:7*?');
  });

  it('maps a TTL to Redis expiry: the key is gone from the server when it runs out', async () => {
    const redis = tier({ namespace: 'ttl' });
    // Connected first, and with room to spare, so a busy machine cannot expire the key before it is looked at.
    const client = await createClient({ url: server.url }).connect();
    try {
      await redis.set(record('short', 'v', { expiresAt: Date.now() + 600 }));
      const pttl = await client.pTTL('phasekit:ttl:e:short');
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(600);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await client.exists('phasekit:ttl:e:short')).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('counts reads (touch) on the server', async () => {
    const redis = tier();
    await redis.set(record('k', 'v'));
    await redis.touch('k', Date.now() + 1000);
    await redis.touch('k', Date.now() + 2000);
    expect((await redis.head('k'))?.hits).toBe(2);
    await redis.touch('absent', Date.now());
    expect(await redis.head('absent')).toBeUndefined();
  });

  it('rejects a value whose bytes were damaged on the server, and the cache counts it as corrupt', async () => {
    const redis = tier({ namespace: 'damaged' });
    const cache = cacheOn<string>(redis);
    await cache.set('k', 'precious');
    const client = await createClient({ url: server.url }).connect();
    await client.hSet('phasekit:damaged:e:k', 'v', Buffer.from('\u0000"tampered"'));
    client.destroy();
    const fresh = cacheOn<string>(tier({ namespace: 'damaged' }));
    expect(await fresh.get('k')).toBeUndefined();
    expect(fresh.stats().corrupt).toBe(1);
  });

  it('reads the server\'s own statistics', async () => {
    const stats = await tier().serverStats();
    expect(stats.version).toMatch(/^\d+\.\d+/);
    expect(stats.nodes).toBe(1);
    expect(stats.usedMemory).toBeGreaterThan(0);
  });
});

describe('a cache with a Redis tier', () => {
  it('shares entries between two caches (two processes would see the same)', async () => {
    const namespace = `share-${namespaces++}`;
    await cacheOn<number[]>(tier({ namespace })).set('k', [1, 2, 3]);
    const other = cacheOn<number[]>(tier({ namespace }));
    expect(await other.get('k')).toEqual([1, 2, 3]);
    expect(other.stats().tiers.redis.hits).toBe(1);
  });

  it('invalidates by tag through the Redis set, reaching entries only Redis holds', async () => {
    const namespace = `tags-${namespaces++}`;
    const writer = cacheOn<string>(tier({ namespace }));
    await writer.set('a', '1', { tags: ['user:1'] });
    await writer.set('b', '2', { tags: ['user:1', 'other'] });
    await writer.set('c', '3', { tags: ['other'] });
    const reader = cacheOn<string>(tier({ namespace }));
    expect(await reader.invalidateTag('user:1')).toBe(2);
    expect(await reader.get('a')).toBeUndefined();
    expect(await reader.get('b')).toBeUndefined();
    expect(await reader.get('c')).toBe('3');
  });

  it('invalidates dependents transitively through the dependency sets', async () => {
    const namespace = `deps-${namespaces++}`;
    const writer = cacheOn<string>(tier({ namespace }));
    await writer.set('root', 'r');
    await writer.set('child', 'c', { dependsOn: ['root'] });
    await writer.set('grandchild', 'g', { dependsOn: ['child'] });
    const reader = cacheOn<string>(tier({ namespace }));
    expect(await reader.invalidate('root')).toBe(3);
    expect(await reader.has('grandchild')).toBe(false);
  });

  it('drops an expired entry everywhere: memory, and Redis by its own expiry', async () => {
    const cache = cacheOn<string>(tier());
    await cache.set('k', 'v', { ttl: 80 });
    expect(await cache.get('k')).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('when Redis goes away', () => {
  it('keeps working on the local tiers with one warning, loses nothing, and replays writes when Redis returns', async () => {
    const own = await startRedis();
    const warnings: string[] = [];
    const namespace = 'outage';
    const redis = redisTier({ url: own.url, namespace, retryAfterMs: 50, maxRetryAfterMs: 100, warn: (message) => warnings.push(message) });
    const cache = createCache<string>({ name: 'outage', tiers: ['memory', redis], sync: false });
    try {
      await cache.set('before', 'b');
      await own.stop('SIGKILL');
      // Reads and writes keep working on memory; no exception escapes.
      expect(await cache.get('before')).toBe('b');
      await cache.set('during', 'd');
      expect(await cache.get('during')).toBe('d');
      expect(await cache.get('never')).toBeUndefined();
      expect(await cache.getOrCompute('computed', () => 'c')).toBe('c');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/Redis .* unreachable/);
      expect(redis.stats().replay.pending).toBeGreaterThan(0);

      await own.start(); // a restarted server is empty (no persistence)
      expect(await redis.flush({ timeoutMs: 10_000 })).toBe(true);
      const elsewhere = cacheOn<string>(redisTier({ url: own.url, namespace }));
      expect(await elsewhere.get('during')).toBe('d');
      expect(await elsewhere.get('computed')).toBe('c');
      // New writes go straight through again.
      await cache.set('after', 'a');
      expect(await elsewhere.get('after')).toBe('a');
      expect(warnings).toHaveLength(1);
    } finally {
      await cache.close();
      await own.dispose();
    }
  });

  it('answers a get within the time limit when the server never existed, with no exception', async () => {
    const warnings: string[] = [];
    const redis = redisTier({ url: 'redis://127.0.0.1:1', warn: (message) => warnings.push(message), connectTimeoutMs: 500 });
    const cache = createCache<string>({ name: 'nowhere', tiers: ['memory', redis], sync: false });
    const started = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(warnings).toHaveLength(1);
    await cache.close();
  });

  it('refuses an options object without url or client, and a URL of another scheme', () => {
    expect(() => redisTier({})).toThrow(/needs a `url` or a `client`/);
    expect(() => redisTier({ url: 'http://127.0.0.1:6379' })).toThrow(/redis:\/\//);
    expect(() => redisTier({ url: server.url, namespace: 'a b' })).toThrow(/namespace/);
  });
});

describe('a node-redis client passed in', () => {
  it('is used as is and left open on close', async () => {
    const client = await createClient({ url: server.url }).connect();
    try {
      const redis = redisTier({ client, namespace: 'given' });
      await redis.set(record('k', 'v'));
      await redis.close();
      expect(client.isReady).toBe(true);
      expect(await client.exists('phasekit:given:e:k')).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('the cross-process lock', () => {
  it('waits out the lease of a holder that died, then computes', async () => {
    const namespace = `crashed-${namespaces++}`;
    const client = await createClient({ url: server.url }).connect();
    await client.set(`phasekit:${namespace}:l:k`, 'token-of-a-dead-process', { PX: 300 });
    client.destroy();
    const cache = cacheOn<string>(tier({ namespace }));
    const started = Date.now();
    expect(await cache.getOrCompute('k', () => 'computed after the lease')).toBe('computed after the lease');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('never releases a lock that another holder has taken over (fencing)', async () => {
    const namespace = `fenced-${namespaces++}`;
    const redis = tier({ namespace });
    const lock = await redis.lock('k');
    const client = await createClient({ url: server.url }).connect();
    try {
      await client.set(`phasekit:${namespace}:l:k`, 'successor');
      await lock!.release();
      expect(await client.get(`phasekit:${namespace}:l:k`)).toBe('successor');
    } finally {
      client.destroy();
    }
  });

  it('stops waiting for a lock when the signal aborts', async () => {
    const namespace = `aborted-${namespaces++}`;
    const client = await createClient({ url: server.url }).connect();
    await client.set(`phasekit:${namespace}:l:k`, 'busy', { PX: 10_000 });
    client.destroy();
    const cache = cacheOn<string>(tier({ namespace }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('gave up')), 100);
    const error = await cache.getOrCompute('k', () => 'never', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect((error as Error).cause).toEqual(new Error('gave up'));
  });

  it('keeps a long computation\'s lock alive past its lease by renewing it', async () => {
    const namespace = `renewed-${namespaces++}`;
    // Three leases long; renewals come every third of one, so only a stall of over two
    // thirds of a lease (600 ms, seen on a loaded 2-core host with 150 ms) could end it.
    const redis = tier({ namespace, lockLeaseMs: 900 });
    const lock = await redis.lock('k');
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    const client = await createClient({ url: server.url }).connect();
    try {
      expect(await client.exists(`phasekit:${namespace}:l:k`)).toBe(1);
      await lock!.release();
      expect(await client.exists(`phasekit:${namespace}:l:k`)).toBe(0);
    } finally {
      client.destroy();
    }
  });
});
