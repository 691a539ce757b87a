// Summaries of the particles and the thinned history.
import { describe, expect, it } from 'vitest';
import { columnMeans, columnQuantiles, columnSds, HistoryRecorder } from '../../src/inference/summary.js';

const x = Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40, 10, 100); // 5 rows × 2 columns

describe('summaries', () => {
  it('mean and sample sd per column', () => {
    expect(Array.from(columnMeans(x, 5, 2))).toEqual([4, 40]);
    const sd = columnSds(x, 5, 2);
    expect(sd[0]).toBeCloseTo(Math.sqrt((9 + 4 + 1 + 0 + 36) / 4), 12);
    expect(sd[1]).toBeCloseTo(10 * sd[0], 12);
    expect(Array.from(columnSds(Float64Array.of(3), 1, 1))).toEqual([0]);
  });

  it('quantiles interpolate linearly between order statistics', () => {
    const [q0, q25, q50, q90, q1] = columnQuantiles(x, 5, 2, [0, 0.25, 0.5, 0.9, 1]);
    expect(Array.from(q0)).toEqual([1, 10]);
    expect(Array.from(q25)).toEqual([2, 20]);
    expect(Array.from(q50)).toEqual([3, 30]);
    expect(q90[0]).toBeCloseTo(4 + 0.6 * 6, 12);
    expect(Array.from(q1)).toEqual([10, 100]);
  });
});

describe('history', () => {
  it('records every stride-th iteration once, as typed arrays', () => {
    const h = new HistoryRecorder(3, false);
    for (let it = 1; it <= 10; it++) {
      const state = { iteration: it, logPosteriorMean: -it, bandwidth: 1, stepNorm: 0.1 };
      if (h.wants(it) || it === 10) h.record(state, Float64Array.of(it, 2 * it), 1, 2);
    }
    h.record({ iteration: 10, logPosteriorMean: 0, bandwidth: 1, stepNorm: 0 }, Float64Array.of(0, 0), 1, 2); // once only
    const r = h.result(2);
    expect(Array.from(r.iteration)).toEqual([3, 6, 9, 10]);
    expect(Array.from(r.logPosteriorMean)).toEqual([-3, -6, -9, -10]);
    expect(Array.from(r.mean)).toEqual([3, 6, 6, 12, 9, 18, 10, 20]);
    expect(r.particles).toBeUndefined();
  });
});
