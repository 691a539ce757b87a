// The Redis tier on a real three-master Redis Cluster (redis-server --cluster-enabled, on loopback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, redisTier, type RedisTier } from '../../src/cache/index.js';
import { startRedisCluster } from './support/redis-server.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let redis: RedisTier;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = redisTier({ url: cluster.url, cluster: true, namespace: 'clustered' });
}, 30_000);
afterAll(async () => {
  await redis?.close();
  await cluster?.dispose();
});

describe('the Redis tier on a Redis Cluster', () => {
  it('spreads a namespace over the masters and still lists, tags and invalidates it', async () => {
    const cache = createCache<number>({ name: 'clustered', tiers: ['memory', redis], sync: false });
    for (let i = 0; i < 60; i++) await cache.set(`k${i}`, i, { tags: i % 2 ? ['odd'] : ['even'] });
    const fresh = createCache<number>({ name: 'clustered-reader', tiers: ['memory', redis], sync: false });
    expect(await fresh.get('k41')).toBe(41);
    expect((await redis.list()).length).toBe(60);
    expect(await fresh.invalidateTag('odd')).toBe(30);
    expect(await fresh.get('k41')).toBeUndefined();
    expect(await fresh.get('k40')).toBe(40);
    const stats = await redis.serverStats();
    expect(stats.nodes).toBe(3);
    // Every master holds part of the namespace: keys hash to slots on all three.
    const perNode = await Promise.all(cluster.nodes.map(async (node) => {
      const { createClient } = await import('@redis/client');
      const client = await createClient({ url: node.url }).connect();
      const count = (await client.keys('phasekit:clustered:e:*')).length;
      client.destroy();
      return count;
    }));
    expect(perNode.every((count) => count > 0)).toBe(true);
    await cache.close();
    await fresh.close();
  });

  it('computes once under the cluster-wide lock', async () => {
    const a = createCache<string>({ name: 'lock-a', tiers: ['memory', redis], sync: false });
    const b = createCache<string>({ name: 'lock-b', tiers: ['memory', redis], sync: false });
    let computations = 0;
    const slow = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return 'v';
    };
    expect(await Promise.all([a.getOrCompute('once', slow), b.getOrCompute('once', slow)])).toEqual(['v', 'v']);
    expect(computations).toBe(1);
    await a.close();
    await b.close();
  });
});
