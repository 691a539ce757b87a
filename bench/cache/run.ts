// phasekit/cache benchmark: `npx tsx bench/cache/run.ts` (add --no-browser to skip IndexedDB).
// Every ratio compares against a baseline measured in the same run; miss ratios against
// libCacheSim run on the same traces when scripts/build-libcachesim.sh has built it.
import { measureMissRatios, CAPACITY, type MissRatioRow } from './hit-rates.js';
import { measureIndexedDB } from './indexeddb.js';
import { REFERENCE_POLICIES } from './libcachesim.js';
import { measureThroughput } from './memory-throughput.js';
import { digestKeys } from './workloads.js';

const ratio = (ours: number, baseline: number) => `${(ours / baseline).toFixed(2)}×`;
const mops = (ops: number) => `${(ops / 1e6).toFixed(2)} M/s`;
const pct = (rate: number | undefined) => (rate === undefined || Number.isNaN(rate) ? '–' : (rate * 100).toFixed(2));

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

for (const [keys, label] of [[undefined, 'short keys ("key:123")'], [digestKeys, '64-hex-digit keys (the shape of SHA-256 digests, as phasekit\'s own caches use)']] as const) {
  const throughput = measureThroughput(undefined, keys);
  const baseline = throughput[0];
  table(
    `Memory tier, 10k entries, ${label}, ${baseline.name} = 1.00× (best of 7 rounds, CPU time)`,
    ['cache', 'get-hit', 'vs baseline', 'set (with eviction)', 'vs baseline', 'Zipf get-or-set', 'vs baseline'],
    throughput.map((t) => [t.name, mops(t.getHitOps), ratio(t.getHitOps, baseline.getHitOps), mops(t.setOps), ratio(t.setOps, baseline.setOps),
      mops(t.getOrSetOps), ratio(t.getOrSetOps, baseline.getOrSetOps)]),
  );
}

const rows = await measureMissRatios();
const ours = 'phasekit frecency';
const measuredNames = Object.keys(rows[0].measured);
const referenceNames = REFERENCE_POLICIES.map(([, label]) => label);
const bestReference = (row: MissRatioRow): [string, number] | undefined =>
  Object.entries(row.references)
    .filter((entry): entry is [string, number] => entry[1] !== undefined && !Number.isNaN(entry[1]))
    .sort((a, b) => a[1] - b[1])[0];
table(
  `Miss ratio %, capacity ${CAPACITY.toLocaleString('en')} entries, lower is better. ` +
    (rows[0].referencesMeasured
      ? 'Reference policies: libCacheSim on the same traces, this run.'
      : 'Reference policies: RECORDED in issue #14 (libCacheSim on like streams), not measured here; build libCacheSim with scripts/build-libcachesim.sh to measure.') +
    ' Target (first three streams): within 0.3 points of the best reference; on every stream, no more misses than LRU.',
  ['stream', ...measuredNames, ...referenceNames.map((name) => `${name} (ref)`), 'OPT', 'ours − best ref', 'target', 'ours − LRU', 'never worse than LRU'],
  rows.map((row) => {
    const best = bestReference(row);
    const gap = best ? (row.measured[ours] - best[1]) * 100 : NaN;
    const verdict = !row.targeted || !best ? '–' : gap <= 0.3 ? 'met' : 'missed';
    const lru = row.measured['phasekit lru'];
    const overLru = (row.measured[ours] - lru) * 100;
    return [
      row.stream,
      ...measuredNames.map((name) => pct(row.measured[name])),
      ...referenceNames.map((name) => pct(row.references[name])),
      pct(row.optimal),
      best ? `${gap >= 0 ? '+' : ''}${gap.toFixed(2)} (vs ${best[0]})` : '–',
      verdict,
      lru === undefined ? '–' : `${overLru >= 0 ? '+' : ''}${overLru.toFixed(2)}`,
      lru === undefined ? '–' : overLru <= 0 ? 'met' : 'missed',
    ];
  }),
);

if (!process.argv.includes('--no-browser')) {
  const idb = await measureIndexedDB();
  const perOp = (ms: number, count: number) => `${((ms * 1000) / count).toFixed(0)} µs`;
  table(
    'IndexedDB in Chromium: phasekit IndexedDBTier vs idb-keyval (time per operation, best round; ratio = idb-keyval time / ours)',
    ['case', 'put ours', 'put idb-keyval', 'put speed', 'get ours', 'get idb-keyval', 'get speed'],
    idb.map((r) => [
      r.label,
      perOp(r.phasekit.putMs, r.count), perOp(r.idbKeyval.putMs, r.count), ratio(r.idbKeyval.putMs, r.phasekit.putMs),
      perOp(r.phasekit.getMs, r.count), perOp(r.idbKeyval.getMs, r.count), ratio(r.idbKeyval.getMs, r.phasekit.getMs),
    ]),
  );
}
