// The HTTP tier's get (download, verify, decode) against a bare fetch of the same object.
import { httpTier, type TierRecord } from '../../src/cache/index.js';

/** Gets per second of both contenders for one value size. */
export interface HttpRow { label: string; tierGet: number; fetchGet: number }

/** Best gets/s over `rounds` alternating rounds of `count` sequential gets. */
export async function measureHttp(baseUrl: string, size: number, count: number, rounds = 5): Promise<HttpRow> {
  const namespace = `bench-${size}`;
  const tier = httpTier({ baseUrl, namespace });
  const value = new Uint8Array(size).map((_, i) => i * 31);
  const record: TierRecord = { key: 'object', value, storedAt: Date.now(), accessedAt: Date.now(), expiresAt: 0, size, hits: 0 };
  await tier.put(record);
  const url = await tier.objectUrl('object');
  const best = { tierGet: 0, fetchGet: 0 };
  const rate = (start: number) => count / ((performance.now() - start) / 1000);
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    for (let i = 0; i < count; i++) if (!(await tier.get('object'))) throw new Error('tier miss');
    best.tierGet = Math.max(best.tierGet, rate(start));
    start = performance.now();
    for (let i = 0; i < count; i++) await (await fetch(url)).arrayBuffer();
    best.fetchGet = Math.max(best.fetchGet, rate(start));
  }
  return { label: size >= 1 << 20 ? `${size >> 20} MB` : `${size >> 10} KB`, ...best };
}
