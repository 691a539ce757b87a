// Reward expectations without an elimination, on a graph whose edges all go to higher
// indices (the coalescent): one pass of visit probabilities gives the expected time in every
// vertex, so m reward vectors (an SFS's n − 1 classes) cost one pass and a sum over their
// nonzero entries, where an elimination solved once per vector; a gradient takes two passes
// more (wasm-src/eliminate.c, and trace-lanes.c for four θ at once).
import type { Structure } from '../graph/structure.js';
import { forwardPass, type Pointers } from './forward-moments.js';
import { f64View, LANES, putLanes, takeLane, type KernelExports } from './module.js';

/** Whether every edge of `structure` goes to a higher index: the forward passes apply (rates aside). */
export function goesForward(structure: Structure): boolean {
  const { rowPtr, col } = structure;
  for (let v = 0; v + 1 < rowPtr.length; v++)
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) if (col[j] <= v) return false;
  return true;
}

/** The nonzero entries of m reward vectors (`rewards`: m·n, one after another), by vertex. */
export function rewardsByVertex(rewards: Float64Array, n: number): { rowPtr: Int32Array; index: Int32Array; value: Float64Array } {
  const m = rewards.length / n, rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) for (let v = 0; v < n; v++) if (rewards[i * n + v] !== 0) rowPtr[v + 1]++;
  for (let v = 0; v < n; v++) rowPtr[v + 1] += rowPtr[v];
  const index = new Int32Array(rowPtr[n]), value = new Float64Array(rowPtr[n]), next = rowPtr.slice(0, n);
  for (let i = 0; i < m; i++) for (let v = 0; v < n; v++) {
    const x = rewards[i * n + v];
    if (x === 0) continue;
    index[next[v]] = i;
    value[next[v]++] = x;
  }
  return { rowPtr, index, value };
}

/** Reward vectors in kernel memory, as the forward expectation passes read them. */
export interface KernelRewards {
  /** m, the number of vectors. */
  count: number;
  /** The vectors one after another (m·n doubles): the gradient of each reads its own. */
  dense: number;
  /** Their nonzero entries by vertex (as {@link rewardsByVertex} gives): offsets, vectors, values. */
  rowPtr: number;
  index: number;
  value: number;
}

/**
 * Which gradients {@link forwardExpectationsAt} computes: 'each' reward's, or, given the
 * values, that of one combination Σ_i y_i E[R_i] (a log-likelihood's adjoints y).
 */
export type ExpectationGradients = 'each' | ((values: Float64Array) => Float64Array);

/**
 * E[R_1], …, E[R_m] at θ (checked by the caller), for a structure whose edges all go forward:
 * one pass of visit probabilities whatever m, against m solves after an elimination; then
 * each gradient asked for takes one backward pass and one over the edges, without rates.
 * Equal to the eliminated answers to rounding, not bitwise. Null where
 * {@link forwardMomentsAt} would be.
 */
export function forwardExpectationsAt(structure: Structure, theta: Float64Array, rewards: KernelRewards, gradients?: ExpectationGradients): { values: Float64Array; gradients: Float64Array[] } | null {
  const n = structure.vertexCount, p = structure.paramLength, m = rewards.count;
  // Expected times (n), the m expectations, a combined reward (n), work (n), adjoints (m), a gradient (p).
  const values = 8 * n, combined = values + 8 * m, work = combined + 8 * n, adjoints = work + 8 * n, grad = adjoints + 8 * m;
  let at: Pointers;
  return forwardPass(structure, theta, null, 3 * n + 2 * m + p,
    (kx, pointers, block) => {
      at = pointers;
      return kx.pk_forward_expect_at(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, at.theta, m, rewards.rowPtr, rewards.index, rewards.value, block, block + values);
    },
    (kx, block) => {
      const out = { values: f64View(kx, block + values, m).slice(), gradients: [] as Float64Array[] };
      const gradientOf = (reward: number): Float64Array => {
        kx.pk_forward_expect_gradient(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, at.theta, block, reward, block + work, block + grad);
        return f64View(kx, block + grad, p).slice();
      };
      if (gradients === 'each') for (let i = 0; i < m; i++) out.gradients.push(gradientOf(rewards.dense + 8 * i * n));
      else if (gradients) {
        f64View(kx, block + adjoints, m).set(gradients(out.values));
        kx.pk_combine_rewards(n, rewards.rowPtr, rewards.index, rewards.value, block + adjoints, block + combined);
        out.gradients.push(gradientOf(block + combined));
      }
      return out;
    });
}

/** Per θ row of {@link forwardExpectationsInLanes}: its expectations, and its gradient(s) when asked for. */
export interface LaneExpectations {
  values: Float64Array;
  /** The gradient of the adjoints' combination (p), or of 'each' expectation in turn (m·p); null without. */
  gradient: Float64Array | null;
}

/**
 * Which gradients the lanes compute: 'each' expectation's, or that of Σ_i y_i E[R_i] with a
 * row's y given by a function of its values (null leaves the row out).
 */
export type LaneGradients = 'each' | ((values: Float64Array, row: number) => Float64Array | null);

/**
 * The gradients asked for of the rows the lanes answered (`rows`, null where left out), one
 * gradient pass in lanes at a time: `pass(reward4)` takes a reward per lane (LANES·n, at
 * `reward4`) and leaves LANES·p gradients at `grad4`. 'each' splats each R_j in turn.
 */
export function gradientsInLanes(kx: KernelExports, rows: (LaneExpectations | null)[], gradients: LaneGradients, rewards: KernelRewards,
  n: number, p: number, at: { ys: number; reward4: number; grad4: number }, pass: () => void): void {
  const m = rewards.count;
  const take = (): Float64Array => f64View(kx, at.grad4, LANES * p);
  if (gradients === 'each') {
    const out = rows.map((row) => row && new Float64Array(m * p));
    for (let j = 0; j < m; j++) {
      kx.pk_splat_lanes(n, rewards.dense + 8 * j * n, at.reward4);
      pass();
      const g = take();
      out.forEach((o, l) => o?.set(takeLane(g, p, l), j * p));
    }
    rows.forEach((row, l) => { if (row) row.gradient = out[l]; });
    return;
  }
  const y = laneAdjoints(rows, gradients, m);
  if (!y) return;
  putLanes(kx, at.ys, y, m);
  kx.pk_combine_rewards_lanes(n, rewards.rowPtr, rewards.index, rewards.value, at.ys, at.reward4);
  pass();
  const g = take();
  rows.forEach((row, l) => { if (row) row.gradient = takeLane(g, p, l); });
}

/**
 * Each lane's adjoints y for the gradient of Σ_i y_i E[R_i] (`adjoints` of a row's values;
 * null leaves the row out, and it is set to null in `rows`). A row left out gets y = 0 (as does
 * a lane past the batch, which repeats the first row): its gradient is not read. Null where
 * no row is left to take a gradient.
 */
export function laneAdjoints(rows: (LaneExpectations | null)[], adjoints: (values: Float64Array, row: number) => Float64Array | null, m: number): Float64Array[] | null {
  const y = rows.map((row, l) => {
    const a = row && adjoints(row.values, l);
    if (!a) rows[l] = null;
    return a ?? new Float64Array(m);
  });
  return rows.every((row) => row === null) ? null : y;
}

/**
 * {@link forwardExpectationsAt} at up to LANES θ rows at once (kernel lanes): per row its
 * expectations, bitwise what forwardExpectationsAt answers, and the `gradients` asked for
 * (see LaneGradients), bitwise too. Null for a row that fails a check or is left out
 * (evaluated alone, it takes the checked path); null for all where the pass does not apply. Throws KernelError OUT_OF_MEMORY where kernel
 * memory runs out.
 */
export function forwardExpectationsInLanes(structure: Structure, thetas: Float64Array[], rewards: KernelRewards,
  gradients?: LaneGradients): (LaneExpectations | null)[] | null {
  const n = structure.vertexCount, p = structure.paramLength, m = rewards.count;
  // θ by lane (LANES·p), expected times (LANES·n), expectations (LANES·m), adjoints (LANES·m),
  // a combined reward (LANES·n), work (LANES·n), gradients (LANES·p): all lane-interleaved.
  const L = 8 * LANES, tau = L * p, values = tau + L * n, ys = values + L * m, combined = ys + L * m, work = combined + L * n, grad = work + L * n;
  let at: Pointers;
  return forwardPass(structure, thetas[0], null, LANES * (2 * p + 3 * n + 2 * m),
    (kx, pointers, block) => {
      at = pointers;
      putLanes(kx, block, thetas, p);
      return kx.pk_forward_expect_lanes(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, block, m, rewards.rowPtr, rewards.index, rewards.value, block + tau, block + values);
    },
    (kx, block, failed) => {
      const all = f64View(kx, block + values, LANES * m);
      const rows: (LaneExpectations | null)[] = thetas.map((_, l) => ((failed & (1 << l)) === 0 ? { values: takeLane(all, m, l), gradient: null } : null));
      if (gradients) gradientsInLanes(kx, rows, gradients, rewards, n, p, { ys: block + ys, reward4: block + combined, grad4: block + grad },
        () => kx.pk_forward_expect_gradient_lanes(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, block, block + tau, block + combined, block + work, block + grad));
      return rows;
    },
    // Out of memory is the batch's to handle (give the caches back and run once more).
    'throw');
}
