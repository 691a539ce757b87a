// Observations typed or uploaded into the fit panel.
import { describe, expect, it } from 'vitest';
import { parseObservations } from '../../demo/inference/observations.js';

describe('parseObservations', () => {
  it('reads numbers separated by commas, spaces and new lines', () => expect(Array.from(parseObservations('0.5, 1\n2 3;4'))).toEqual([0.5, 1, 2, 3, 4]));
  it('reads a JSON array', () => expect(Array.from(parseObservations('[1.5, 2]'))).toEqual([1.5, 2]));
  it('refuses an empty text', () => expect(() => parseObservations('  ')).toThrow(/no observations/));
  it('refuses broken JSON with a message saying so', () => expect(() => parseObservations('[1, 2')).toThrow(/not a valid JSON array/));
  it('names the observation that is not a finite number ≥ 0', () => {
    expect(() => parseObservations('1, two, 3')).toThrow(/observation 2 \(two\)/);
    expect(() => parseObservations('1, -3')).toThrow(/observation 2/);
    expect(() => parseObservations('[1, null]')).toThrow(/observation 2 is not a number/);
    expect(() => parseObservations('1e400')).toThrow(/finite/);
  });
});
