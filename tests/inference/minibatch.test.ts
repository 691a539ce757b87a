// Mini-batches as weights: B draws ∝ weight, each worth W/B, unbiased, seeded.
import { describe, expect, it } from 'vitest';
import { MiniBatches } from '../../src/inference/minibatch.js';
import { checkObservations } from '../../src/likelihood/observations.js';
import { seededRandom } from '../../src/index.js';

const data = checkObservations({ times: [0.5, 1, 1, 2, 3], weights: [1, 2, 0, 0, 5], censored: [4], censoredWeights: [2] }, { discrete: false, vertexCount: 3 });
const points = data.kind === 'counts' ? 0 : data.points.length + data.censored.length;

describe('mini-batches', () => {
  it('keep the total weight and draw no weight-0 point', () => {
    const batches = new MiniBatches(data as never, 4, seededRandom(1));
    for (let k = 0; k < 50; k++) {
      const w = batches.next();
      expect(w).toHaveLength(points);
      expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(10, 12); // W = 1 + 2 + 0 + 5 + 2 (1 and 1 merged: weight 2)
      expect(w[2]).toBe(0); // time 2 has weight 0
    }
  });

  it('are unbiased: their average over many batches is the data\'s weights', () => {
    const batches = new MiniBatches(data as never, 3, seededRandom(2)), sum = new Float64Array(points), n = 20_000;
    for (let k = 0; k < n; k++) batches.next().forEach((x, i) => { sum[i] += x / n; });
    [1, 2, 0, 5, 2].forEach((w, i) => expect(Math.abs(sum[i] - w)).toBeLessThan(0.08));
  });

  it('are the same for the same seed', () => {
    const a = new MiniBatches(data as never, 3, seededRandom(9)), b = new MiniBatches(data as never, 3, seededRandom(9));
    for (let k = 0; k < 5; k++) expect(Array.from(a.next())).toEqual(Array.from(b.next()));
  });
});
