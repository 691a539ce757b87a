// Remote tiers benchmark: `npm run bench:remote` (add --quick for fewer rounds).
// Starts its own redis-server and HTTP store on free loopback ports; every ratio compares
// against a baseline measured in the same run.
import { models, ready } from '../../src/index.js';
import { startHttpStore } from '../../tests/cache/support/http-store.js';
import { startRedis } from '../../tests/cache/support/redis-server.js';
import { measureHttp } from './http-vs-fetch.js';
import { measureRedis } from './redis-vs-client.js';
import { traceHits } from './trace-hits.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 2 : 5;
const ratio = (ours: number, baseline: number) => `${(ours / baseline).toFixed(2)}×`;
const perSecond = (ops: number) => (ops >= 1000 ? `${(ops / 1000).toFixed(1)} k/s` : `${ops.toFixed(0)} /s`);
const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

await ready();
const [redis, http] = await Promise.all([startRedis(), startHttpStore()]);
try {
  const redisRows = [await measureRedis(redis.url, 1024, quick ? 500 : 2000, rounds), await measureRedis(redis.url, 1 << 20, quick ? 20 : 60, rounds)];
  table(
    'Redis tier vs bare node-redis client, sequential ops on loopback (best round; ratio = tier / client, target ≥ 0.90×)',
    ['value', 'get tier', 'get client', 'get ratio', 'set tier', 'set client', 'set ratio'],
    redisRows.map((r) => [r.label, perSecond(r.tierGet), perSecond(r.clientGet), ratio(r.tierGet, r.clientGet), perSecond(r.tierSet), perSecond(r.clientSet), ratio(r.tierSet, r.clientSet)]),
  );

  const httpRows = [await measureHttp(http.url, 1024, quick ? 300 : 1000, rounds), await measureHttp(http.url, 1 << 20, quick ? 20 : 60, rounds)];
  table(
    'HTTP tier get (download + verify + decode) vs bare fetch of the same object, loopback (ratio = tier / fetch)',
    ['value', 'get tier', 'get fetch', 'ratio'],
    httpRows.map((r) => [r.label, perSecond(r.tierGet), perSecond(r.fetchGet), ratio(r.tierGet, r.fetchGet)]),
  );

  const cases = [
    { name: 'coalescent n=30', build: () => models.coalescent(30), theta: [1.3] },
    { name: 'rabbits N=200', build: () => models.rabbits(200), theta: [1.3, 2, 4] },
  ];
  const rows: string[][] = [];
  for (const c of cases) {
    const r = await traceHits(c.build, c.theta, redis.url, http.url, quick ? 2 : 5);
    rows.push([c.name, `${(r.traceBytes / 1048576).toFixed(2)} MiB`, ms(r.coldMs), ms(r.redisHitMs), ratio(r.coldMs, r.redisHitMs), ms(r.httpHitMs), ratio(r.coldMs, r.httpHitMs)]);
  }
  table(
    'Trace hit from a fresh process (empty memory, no local store) vs cold recording; each includes hashing and the first evaluation (medians; ratio = cold / hit)',
    ['model', 'trace', 'cold', 'Redis hit', 'speed-up', 'HTTP hit', 'speed-up'],
    rows,
  );
} finally {
  await Promise.all([redis.dispose(), http.dispose()]);
}
