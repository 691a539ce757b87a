// phasekit/cache benchmark: `npx tsx bench/cache/run.ts` (add --no-browser to skip IndexedDB).
// Every ratio compares against a baseline measured in the same run.
import { measureHitRates } from './hit-rates.js';
import { measureIndexedDB } from './indexeddb.js';
import { measureThroughput } from './memory-throughput.js';

const ratio = (ours: number, baseline: number) => `${(ours / baseline).toFixed(2)}×`;
const mops = (ops: number) => `${(ops / 1e6).toFixed(2)} M/s`;
const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

const throughput = measureThroughput();
const baseline = throughput[0];
table(
  `Memory tier, 10k entries, ${baseline.name} = 1.00× (best of 7 rounds, CPU time)`,
  ['cache', 'get-hit', 'vs baseline', 'set (with eviction)', 'vs baseline'],
  throughput.map((t) => [t.name, mops(t.getHitOps), ratio(t.getHitOps, baseline.getHitOps), mops(t.setOps), ratio(t.setOps, baseline.setOps)]),
);

const hitRates = measureHitRates();
const names = Object.keys(hitRates[0].rates);
table(
  'Hit rate, capacity 1 000 entries (all accesses; in brackets: Zipf-key accesses only)',
  ['workload', ...names, 'frecency − LRU'],
  hitRates.map((row) => [
    row.workload,
    ...names.map((name) => `${pct(row.rates[name])} (${pct(row.zipfRates[name])})`),
    `${((row.rates['phasekit frecency'] - row.rates['lru-cache (npm)']) * 100).toFixed(1)} pts (${((row.zipfRates['phasekit frecency'] - row.zipfRates['lru-cache (npm)']) * 100).toFixed(1)} pts)`,
  ]),
);

if (!process.argv.includes('--no-browser')) {
  const rows = await measureIndexedDB();
  const perOp = (ms: number, count: number) => `${((ms * 1000) / count).toFixed(0)} µs`;
  table(
    'IndexedDB in Chromium: phasekit IndexedDBTier vs idb-keyval (time per operation, best round; ratio = idb-keyval time / ours)',
    ['case', 'put ours', 'put idb-keyval', 'put speed', 'get ours', 'get idb-keyval', 'get speed'],
    rows.map((r) => [
      r.label,
      perOp(r.phasekit.putMs, r.count), perOp(r.idbKeyval.putMs, r.count), ratio(r.idbKeyval.putMs, r.phasekit.putMs),
      perOp(r.phasekit.getMs, r.count), perOp(r.idbKeyval.getMs, r.count), ratio(r.idbKeyval.getMs, r.phasekit.getMs),
    ]),
  );
}
