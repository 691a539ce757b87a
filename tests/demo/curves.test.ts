// Quantiles read off a cdf on a grid: the axis range of the demo's plots.
import { describe, expect, it } from 'vitest';
import { quantileOnGrid } from '../../demo/compute/curves.js';

describe('quantileOnGrid', () => {
  const x = [0, 1, 2, 3, 4];
  const cdf = [0, 0.2, 0.6, 0.9, 1];
  it('interpolates between grid points for a continuous distribution', () => expect(quantileOnGrid(x, cdf, 0.4, false)).toBeCloseTo(1.5, 12));
  it('takes the first step reaching p for a discrete one', () => expect(quantileOnGrid(x, cdf, 0.4, true)).toBe(2));
  it('answers the grid end when the grid does not reach p', () => expect(quantileOnGrid([0, 1], [0, 0.5], 0.99, false)).toBe(1));
  it('answers the first point when the mass starts there (an atom at zero)', () => expect(quantileOnGrid(x, [0.3, 0.5, 0.7, 0.9, 1], 0.1, false)).toBe(0));
});
