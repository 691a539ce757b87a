// The Benchmarks page: the latest bench-results/<date>.json (npm run bench:browser),
// one plot of ratios per benchmark and the table beside it.
import * as Plot from '@observablehq/plot';
import { formatRatio, type BenchResults, type Ratio } from '../../bench/browser/results.js';
import { color, plotOptions, show } from '../plots/figure.js';
import { registerServiceWorker } from '../status/service-worker.js';
import { element } from '../panels/element.js';

const meta = document.getElementById('bench-meta')!;
const sections = document.getElementById('bench-sections')!;

/** Horizontal bars of ratios on a log scale, with the line of parity at 1×. */
function ratioPlot(ratios: Ratio[], width: number): Element {
  const values = ratios.map((r) => r.ratio).filter((x) => x > 0 && Number.isFinite(x));
  const lo = Math.min(0.5, ...values) / 4, hi = Math.max(2, ...values) * 1.6; // room for the labels past the bars
  const ticks = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100].filter((t) => t >= lo && t <= hi);
  const longest = Math.max(...ratios.map((r) => r.case.length));
  const favours = (r: Ratio) => (r.better === 'lower') === (r.ratio < 1);
  return Plot.plot(plotOptions(width, {
    height: 46 + 30 * ratios.length,
    marginLeft: Math.min(Math.round(width * 0.5), 12 + 6.4 * longest),
    marginRight: 48,
    x: { type: 'log', domain: [lo, hi], ticks, tickFormat: (t: number) => `${t}×`, label: 'contender ÷ baseline (log scale)' },
    y: { label: null, domain: ratios.map((r) => r.case) },
    marks: [
      Plot.barX(ratios, { y: 'case', x1: 1, x2: 'ratio', fill: (r: Ratio) => (favours(r) ? color('accent') : color('cdf')) }),
      // The value sits past the bar's far end: left of it below 1×, right of it above.
      Plot.text(ratios.filter((r) => r.ratio < 1), { y: 'case', x: 'ratio', text: (r: Ratio) => formatRatio(r.ratio), dx: -4, textAnchor: 'end', fill: color('ink') }),
      Plot.text(ratios.filter((r) => !(r.ratio < 1)), { y: 'case', x: 'ratio', text: (r: Ratio) => formatRatio(r.ratio), dx: 4, textAnchor: 'start', fill: color('ink') }),
      Plot.ruleX([1], { stroke: color('muted') }),
    ],
  }));
}

async function main(): Promise<void> {
  let results: BenchResults;
  try {
    const response = await fetch('../bench-results/latest.json', { cache: 'no-cache' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    results = (await response.json()) as BenchResults;
  } catch (error) {
    meta.textContent = `No results to show (${error instanceof Error ? error.message : String(error)}): run npm run bench:browser, which writes bench-results/ and copies the latest into this site.`;
    document.body.dataset.state = 'empty';
    return;
  }
  meta.textContent = `Run of ${new Date(results.date).toLocaleString('en-GB')}: Chromium ${results.chromium}, Node ${results.node}, ${results.cores} cores, load average ${results.loadavg[0].toFixed(1)} → ${results.loadavg[1].toFixed(1)} (other work on the machine shows as noise), ${results.seconds.toFixed(0)} s.${results.failures.length ? ` Failed: ${results.failures.join('; ')}` : ''}`;
  const byBenchmark = new Map<string, Ratio[]>();
  for (const r of results.ratios) byBenchmark.set(r.benchmark, [...(byBenchmark.get(r.benchmark) ?? []), r]);
  for (const [name, ratios] of byBenchmark) {
    const plot = element('div', { className: 'plot' });
    const table = element('table', {},
      element('thead', {}, element('tr', {}, ...['case', 'baseline', 'contender', 'ratio'].map((h) => element('th', { scope: 'col' }, h)))),
      element('tbody', {}, ...ratios.map((r) => element('tr', {}, element('td', {}, r.case), element('td', {}, r.baseline), element('td', {}, r.contender), element('td', { className: 'num' }, `${formatRatio(r.ratio)} (${r.better} is better)`)))));
    sections.append(element('section', { className: 'bench' }, element('h3', {}, name), plot, element('div', { className: 'table-scroll' }, table)));
    show(plot, (width) => ratioPlot(ratios, width));
  }
  for (const [name, section] of Object.entries(results.sections))
    if (section && typeof section === 'object' && 'skipped' in section)
      sections.append(element('p', { className: 'muted' }, `${name}: skipped (${(section as { skipped: string }).skipped}).`));
  document.body.dataset.state = 'done';
}

void main();
// Offline, this page still opens (the site's service worker precaches it); results need the network.
registerServiceWorker();
