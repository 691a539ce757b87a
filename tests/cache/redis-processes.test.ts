// Separate Node processes sharing one real redis-server: what one records the next reuses,
// and N processes asking for one missing key at once compute it once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';

const SRC = fileURLToPath(new URL('../../src/index.js', import.meta.url));
const CACHE = fileURLToPath(new URL('../../src/cache/index.js', import.meta.url));

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.dispose();
});

/** Runs an ES module body in a fresh Node process (TypeScript sources through tsx); resolves to the JSON it printed after '@@'. */
function runProcess(body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('@@'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(2)));
      else reject(new Error(`child exited ${code}:\n${output}`));
    });
  });
}

describe('processes sharing a Redis tier', () => {
  it('a second process reuses the trace the first recorded, recording nothing', async () => {
    const script = `
      import { ready, createTraceCache, models } from ${JSON.stringify(SRC)};
      import { redisTier } from ${JSON.stringify(CACHE)};
      await ready();
      const cache = createTraceCache({ persistence: 'none', sync: false, remote: (serializer) => redisTier({ url: ${JSON.stringify(server.url)}, namespace: 'traces-shared', serializer }) });
      const trace = await cache.traceOf(models.coalescent(12));
      const info = await cache.info();
      await cache.close();
      console.log('@@' + JSON.stringify({ recorded: info.computed, redisHits: info.stats.tiers.redis?.hits ?? 0, hash: trace.hash, stats: trace.stats() }));
    `;
    const first = (await runProcess(script)) as { recorded: number; redisHits: number; hash: string; stats: unknown };
    const second = (await runProcess(script)) as typeof first;
    expect(first.recorded).toBe(1);
    expect(second.recorded).toBe(0);
    expect(second.redisHits).toBe(1);
    expect(second.hash).toBe(first.hash);
    expect(second.stats).toEqual(first.stats);
  }, 60_000);

  it('N processes calling getOrCompute on one missing key compute it once', async () => {
    const N = 4;
    const barrier = await createClient({ url: server.url }).connect();
    try {
      const script = `
        import { createClient } from '@redis/client';
        import { createCache, redisTier } from ${JSON.stringify(CACHE)};
        const url = ${JSON.stringify(server.url)};
        const cache = createCache({ name: 'single-flight', tiers: ['memory', redisTier({ url, namespace: 'single-flight' })], sync: false });
        const control = await createClient({ url }).connect();
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        // Start together: every process is connected before any asks.
        await control.incr('barrier:ready');
        while (!(await control.exists('barrier:go'))) await sleep(5);
        let computed = false;
        const value = await cache.getOrCompute('expensive', async () => {
          computed = true;
          await control.incr('barrier:computations');
          await sleep(300);
          return 'computed by ' + process.pid;
        });
        control.destroy();
        await cache.close();
        console.log('@@' + JSON.stringify({ computed, value }));
      `;
      const runs = Array.from({ length: N }, () => runProcess(script));
      while (Number(await barrier.get('barrier:ready')) < N) await new Promise((resolve) => setTimeout(resolve, 20));
      await barrier.set('barrier:go', '1');
      const results = (await Promise.all(runs)) as { computed: boolean; value: string }[];
      expect(results.filter((r) => r.computed)).toHaveLength(1);
      expect(new Set(results.map((r) => r.value)).size).toBe(1);
      expect(await barrier.get('barrier:computations')).toBe('1');
      expect(await barrier.exists('phasekit:single-flight:l:expensive')).toBe(0); // released
    } finally {
      barrier.destroy();
    }
  }, 60_000);
});
