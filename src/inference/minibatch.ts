// Mini-batches of observations as weights on the evaluator's merged points: B
// observations are drawn (with replacement, each with probability ∝ its weight)
// and each point gets weight (W/B)·(times drawn), W the total weight. The
// weights are unbiased (E = the data's own), so the log-likelihood and its
// gradient are too; points not drawn have weight 0 and cost nothing.
import type { CheckedPoints } from '../likelihood/observations.js';
import type { Random } from '../sampling/rng.js';

/** Draws the weights of one mini-batch after another. */
export class MiniBatches {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  private readonly weights: Float64Array;

  /** Batches of `size` observations of `data`, drawn with `random`. */
  constructor(data: CheckedPoints, readonly size: number, private readonly random: Random) {
    const all = new Float64Array(data.weights.length + data.censoredWeights.length);
    all.set(data.weights);
    all.set(data.censoredWeights, data.weights.length);
    this.cumulative = new Float64Array(all.length);
    let sum = 0;
    for (let i = 0; i < all.length; i++) this.cumulative[i] = sum += all[i];
    this.total = sum;
    this.weights = new Float64Array(all.length);
  }

  /** The next batch's weights: points, then censored points (a fresh array). */
  next(): Float64Array {
    const w = this.weights, c = this.cumulative, scale = this.total / this.size;
    w.fill(0);
    for (let b = 0; b < this.size; b++) {
      const u = this.random() * this.total;
      // The first point whose cumulative weight exceeds u.
      let lo = 0, hi = c.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (c[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      w[lo] += scale;
    }
    return w.slice();
  }
}
