// The arguments every computation takes besides the graph, checked once here.
//
// θ, the one convention of the whole library:
// - a single θ is any ArrayLike<number> of paramLength finite numbers (omit it, or pass
//   [], when paramLength is 0);
// - a batch of θ is a row-major Float64Array of P rows × paramLength values; a graph
//   with no parameters has exactly one θ (the empty one), so its batch is an empty
//   array, or omitted, and has one row;
// - results for a batch are row-major typed arrays with one row per θ row.
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';

/** Largest stateLength and paramLength (storage is per vertex and per edge: larger ones are mistakes, not models). */
export const MAX_LENGTH = 65_536;

/** Checks one θ (length and finiteness); returns a copy. */
export function checkTheta(paramLength: number, theta: ArrayLike<number> | undefined): Float64Array {
  const t = theta ?? [];
  if (typeof t !== 'object' || t === null || typeof t.length !== 'number')
    throw new GraphError('BAD_THETA', `θ must be an array of ${paramLength} numbers, got ${typeof t}`);
  if (t.length !== paramLength)
    throw new GraphError('BAD_THETA', `θ has ${t.length} values but the graph has paramLength ${paramLength}`);
  const out = new Float64Array(paramLength);
  for (let i = 0; i < paramLength; i++) {
    const x = t[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new GraphError('NON_FINITE', `θ[${i}] is ${describeValue(x)}, not a finite number`);
    out[i] = x;
  }
  return out;
}

/** Most times (or steps) one call takes: 2^26 doubles are 512 MiB, and each point gets a result of its own. */
export const MAX_POINTS = 1 << 26;

/** Checks the times (continuous graphs) or steps (`integer`: discrete graphs) of a distribution: finite numbers ≥ 0, never coerced; returns a copy. */
export function checkPoints(points: ArrayLike<number>, integer: boolean): Float64Array {
  const what = integer ? 'steps' : 'times';
  if (typeof points !== 'object' || points === null || typeof points.length !== 'number')
    throw new GraphError('BAD_ARGUMENT', `${what} must be an array of numbers, got ${describeValue(points)}`);
  const n = points.length;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_POINTS)
    throw new GraphError('BAD_ARGUMENT', `${what} has length ${describeValue(n)}; at most ${MAX_POINTS} points a call`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = points[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || (integer && !Number.isSafeInteger(x)))
      throw new GraphError('BAD_ARGUMENT', `${integer ? 'step' : 'time'} ${i} is ${describeValue(x)}; expected a finite ${integer ? 'integer ' : 'number '}≥ 0`);
    out[i] = x;
  }
  return out;
}

/** A checked batch of θ: `rows` rows of `paramLength` values, row-major. */
export interface ThetaRows {
  rows: number;
  paramLength: number;
  data: Float64Array;
}

/** Checks a batch of θ (see the convention above); `thetas` may be omitted only when paramLength is 0. */
export function checkThetaRows(paramLength: number, thetas: Float64Array | undefined): ThetaRows {
  if (thetas !== undefined && !(thetas instanceof Float64Array))
    throw new GraphError('BAD_THETA', 'a batch of θ must be a Float64Array of rows × paramLength values (row-major)');
  if (paramLength === 0) {
    if (thetas && thetas.length !== 0) throw new GraphError('BAD_THETA', `the graph has no parameters, so its batch of θ is empty (one row); got ${thetas.length} values`);
    return { rows: 1, paramLength, data: new Float64Array(0) };
  }
  if (!thetas) throw new GraphError('BAD_THETA', `a batch of θ is needed: rows of paramLength = ${paramLength} values`);
  if (thetas.length % paramLength !== 0)
    throw new GraphError('BAD_THETA', `a batch of θ needs a multiple of paramLength = ${paramLength} values, got ${thetas.length}`);
  for (let i = 0; i < thetas.length; i++)
    if (!Number.isFinite(thetas[i]))
      throw new GraphError('NON_FINITE', `θ[${i % paramLength}] of row ${Math.floor(i / paramLength)} is ${thetas[i]}, not a finite number`);
  return { rows: thetas.length / paramLength, paramLength, data: thetas };
}

/** Row `r` of a checked batch (a view). */
export function thetaRow(batch: ThetaRows, r: number): Float64Array {
  return batch.data.subarray(r * batch.paramLength, (r + 1) * batch.paramLength);
}

/** Checks a reward vector: one finite number per vertex; default all 1 (the absorption time). */
export function checkRewards(vertexCount: number, rewards: ArrayLike<number> | undefined, what = 'rewards'): Float64Array {
  if (rewards === undefined) return new Float64Array(vertexCount).fill(1);
  if (typeof rewards !== 'object' || rewards === null || typeof rewards.length !== 'number')
    throw new GraphError('BAD_REWARDS', `${what} must be an array of ${vertexCount} numbers`);
  if (rewards.length !== vertexCount)
    throw new GraphError('BAD_REWARDS', `${what} have ${rewards.length} entries but the graph has ${vertexCount} vertices`);
  if (rewards instanceof Float64Array) {
    for (let v = 0; v < vertexCount; v++)
      if (!Number.isFinite(rewards[v])) throw new GraphError('BAD_REWARDS', `${what}: reward of vertex ${v} is ${rewards[v]}, not a finite number`, { vertex: v });
    return rewards.slice();
  }
  const r = new Float64Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    const x = rewards[v];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new GraphError('BAD_REWARDS', `${what}: reward of vertex ${v} is ${describeValue(x)}, not a finite number`, { vertex: v });
    r[v] = x;
  }
  return r;
}

/** Checks the moment count k (an integer ≥ 1). */
export function checkMomentCount(k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new GraphError('BAD_ARGUMENT', `k (the number of moments) must be an integer ≥ 1, got ${String(k)}`);
  return k;
}
