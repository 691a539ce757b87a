// The demo's number formatting: a few significant digits, words for non-numbers.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../../demo/format/numbers.js';

describe('formatNumber', () => {
  it('shows 1.7999999999999998 as 1.8', () => expect(formatNumber(1.7999999999999998)).toBe('1.8'));
  it('keeps four significant digits by default', () => expect(formatNumber(0.503826530612245)).toBe('0.5038'));
  it('groups thousands with thin spaces so that lists can use commas', () => expect(formatNumber(2415000)).toBe('2\u202f415\u202f000'));
  it('switches to scientific notation far from 1', () => {
    expect(formatNumber(1.23456e-7)).toBe('1.235e-7');
    expect(formatNumber(-6.02e23)).toBe('−6.02e23');
  });
  it('names the values that are not finite numbers', () => {
    expect(formatNumber(Number.NaN)).toBe('not a number');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('−∞');
  });
});

describe('units', () => {
  it('shows milliseconds below a second and seconds above', () => {
    expect(formatMs(0.4213)).toBe('0.42 ms');
    expect(formatMs(1234.5)).toBe('1.23 s');
  });
  it('shows bytes in powers of 1024', () => expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB'));
  it('shows a hit rate before any lookup as a dash', () => expect(formatPercent(Number.NaN)).toBe('—'));
});
