// Numbers as people read them: a few significant digits (1.8, not
// 1.7999999999999998), scientific notation only far from 1, and words for the
// values that are not numbers.

const plain = new Map<number, Intl.NumberFormat>();

/** `x` to `digits` significant digits (default 4): 1.8, 0.0001235, 1.235e-7, 12 350 (thin-space groups, so lists can use commas). */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'not a number';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e9) {
    let format = plain.get(digits);
    if (!format) plain.set(digits, (format = new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits })));
    return format.format(x).replace('-', '−').replace(/,/g, '\u202f');
  }
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  return `${mantissa.replace(/\.?0+$/, '').replace('-', '−')}e${exponent.replace('+', '')}`;
}

/** Milliseconds for timings: 0.42 ms, 12 ms, 1.23 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${formatNumber(ms / 1000, 3)} s`;
  return `${formatNumber(ms, ms < 10 ? 2 : 3)} ms`;
}

/** Bytes as KB / MB / GB (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${formatNumber(value, 3)} ${units[unit]}`;
}

/** A fraction as a percentage with one decimal: 84.7 %; '—' before any lookup. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '—';
}
