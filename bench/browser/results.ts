// The shape of bench-results/<date>.json (written by run.ts, plotted by the demo's
// Benchmarks page) and its markdown table of ratios.

/** One ratio: contender ÷ baseline, both measured in the same run. */
export interface Ratio {
  benchmark: string;
  case: string;
  baseline: string;
  contender: string;
  ratio: number;
  /** Whether a lower or a higher ratio favours the contender. */
  better: 'lower' | 'higher';
}

/** A whole run. */
export interface BenchResults {
  date: string;
  chromium: string;
  node: string;
  cores: number;
  /** One-minute load average before and after: other work on the machine shows up as noise. */
  loadavg: [number, number];
  seconds: number;
  /** Each benchmark's raw numbers (what it measured is in its `what`). */
  sections: Record<string, unknown>;
  ratios: Ratio[];
  failures: string[];
}

/** "0.42×" with two significant digits (three below 1). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** The markdown table of a run's ratios, with a header naming the machine and its load. */
export function ratioTable(results: BenchResults): string {
  const lines = [
    `## phasekit browser benchmark, ${results.date}`,
    '',
    `Chromium ${results.chromium}, Node ${results.node}, ${results.cores} cores, load average ${results.loadavg[0].toFixed(2)} → ${results.loadavg[1].toFixed(2)}, ${results.seconds.toFixed(0)} s. Ratio = contender ÷ baseline, both measured in this run.`,
    '',
    '| benchmark | case | baseline | contender | ratio |',
    '|---|---|---|---|--:|',
    ...results.ratios.map((r) => `| ${r.benchmark} | ${r.case} | ${r.baseline} | ${r.contender} | ${formatRatio(r.ratio)} (${r.better} is better) |`),
  ];
  for (const [name, section] of Object.entries(results.sections))
    if (section && typeof section === 'object' && 'skipped' in section) lines.push('', `${name}: skipped (${(section as { skipped: string }).skipped}).`);
  if (results.failures.length) lines.push('', `Failed: ${results.failures.join('; ')}`);
  return lines.join('\n') + '\n';
}
