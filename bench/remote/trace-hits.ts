// A trace hit through Redis and through HTTP (a fresh process's view: empty memory, no
// local persistence) against cold recording, for one model.
import { httpTier, redisTier } from '../../src/cache/index.js';
import { compile, createTraceCache, type Graph, type TraceCacheOptions } from '../../src/index.js';
import { median } from '../foundation/timing.js';

/** Milliseconds (medians): hash + record + first evaluation, and hash + remote hit + first evaluation. */
export interface TraceHitRow { coldMs: number; redisHitMs: number; httpHitMs: number; traceBytes: number }

async function timeCompile(graph: Graph, theta: number[], remote: TraceCacheOptions['remote']): Promise<{ ms: number; recorded: number }> {
  const cache = createTraceCache({ persistence: 'none', sync: false, remote });
  const t0 = performance.now();
  (await compile(graph, { store: cache })).expectation({ theta });
  const ms = performance.now() - t0;
  const { computed: recorded } = await cache.info();
  await cache.close();
  return { ms, recorded };
}

export async function traceHits(build: () => Graph, theta: number[], redisUrl: string, httpUrl: string, reps: number): Promise<TraceHitRow> {
  const cold: number[] = [], redisHits: number[] = [], httpHits: number[] = [];
  let traceBytes = 0;
  for (let i = 0; i < reps; i++) {
    const namespace = `trace-${Date.now().toString(36)}-${i}`;
    const writer = createTraceCache({ persistence: 'none', sync: false });
    const t0 = performance.now();
    (await compile(build(), { store: writer })).expectation({ theta });
    cold.push(performance.now() - t0);
    // Publish the recorded trace to both stores (outside the timings).
    const [hash] = await writer.cache.keys();
    const trace = (await writer.cache.get(hash))!;
    traceBytes = trace.stats().bytes;
    const publish = async (remote: NonNullable<TraceCacheOptions['remote']>) => {
      const cache = createTraceCache({ persistence: 'none', sync: false, remote });
      await cache.cache.set(hash, trace);
      await cache.close();
    };
    await publish((serializer) => redisTier({ url: redisUrl, namespace, serializer }));
    await publish((serializer) => httpTier({ baseUrl: httpUrl, namespace, serializer, writeBack: true }));
    await writer.close();
    const viaRedis = await timeCompile(build(), theta, (serializer) => redisTier({ url: redisUrl, namespace, serializer }));
    const viaHttp = await timeCompile(build(), theta, (serializer) => httpTier({ baseUrl: httpUrl, namespace, serializer }));
    if (viaRedis.recorded !== 0 || viaHttp.recorded !== 0) throw new Error('a remote hit recorded the trace again');
    redisHits.push(viaRedis.ms);
    httpHits.push(viaHttp.ms);
  }
  return { coldMs: median(cold), redisHitMs: median(redisHits), httpHitMs: median(httpHits), traceBytes };
}
