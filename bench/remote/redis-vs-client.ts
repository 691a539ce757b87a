// The Redis tier's get/set against the bare node-redis client doing the same round trip
// (same server, same connection settings), in the same run.
import { createClient } from '@redis/client';
import { redisTier, type TierRecord } from '../../src/cache/index.js';

/** Operations per second of both contenders for one value size. */
export interface RedisRow { label: string; tierGet: number; clientGet: number; tierSet: number; clientSet: number }

const record = (key: string, value: Uint8Array): TierRecord => ({ key, value, storedAt: Date.now(), accessedAt: Date.now(), expiresAt: 0, size: value.byteLength, hits: 0 });

/** Best ops/s over `rounds` alternating rounds of `count` sequential operations. */
export async function measureRedis(url: string, size: number, count: number, rounds = 5): Promise<RedisRow> {
  const value = new Uint8Array(size).map((_, i) => i * 31);
  const tier = redisTier({ url, namespace: 'bench' });
  const client = await createClient({ url, disableOfflineQueue: true }).connect();
  const buffer = Buffer.from(value);
  const bytes = { typeMapping: { 36: Buffer } };
  const best = { tierGet: 0, clientGet: 0, tierSet: 0, clientSet: 0 };
  const rate = (start: number) => count / ((performance.now() - start) / 1000);
  try {
    for (let round = 0; round < rounds; round++) {
      let start = performance.now();
      for (let i = 0; i < count; i++) await tier.set(record(`k${i}`, value));
      best.tierSet = Math.max(best.tierSet, rate(start));
      start = performance.now();
      for (let i = 0; i < count; i++) if (!(await tier.get(`k${i}`))) throw new Error('tier miss');
      best.tierGet = Math.max(best.tierGet, rate(start));
      start = performance.now();
      for (let i = 0; i < count; i++) await client.sendCommand(['SET', `bare:k${i}`, buffer]);
      best.clientSet = Math.max(best.clientSet, rate(start));
      start = performance.now();
      for (let i = 0; i < count; i++) if (!(await client.sendCommand(['GET', `bare:k${i}`], bytes))) throw new Error('client miss');
      best.clientGet = Math.max(best.clientGet, rate(start));
    }
  } finally {
    await tier.clear();
    await client.sendCommand(['FLUSHALL']);
    client.destroy();
    await tier.close();
  }
  return { label: size >= 1 << 20 ? `${size >> 20} MB` : `${size >> 10} KB`, ...best };
}
