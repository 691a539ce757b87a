// The distribution's curves over a range read from its own quantiles: a coarse
// cdf finds where 0.05 % and 99.95 % of the mass lie, then the density (pmf) and
// cdf are computed on a fine grid there. Both run in the pool.
import type { Graph } from '../../src/index.js';
import type { CallOptions } from '../../src/pool/index.js';
import type { Session } from './session.js';

/** Curves of one distribution, ready to plot. */
export interface Curves {
  discrete: boolean;
  /** Grid: times, or steps for a discrete graph. */
  x: Float64Array;
  /** pdf, or pmf for a discrete graph. */
  density: Float64Array;
  cdf: Float64Array;
  /** Quantiles at 2.5 %, 50 %, 97.5 %. */
  quantiles: { p025: number; p50: number; p975: number };
  /** P(T = 0): the mass of starting absorbed (start weights below 1). */
  atomAtZero: number;
}

const TAIL = 5e-4;
const FINE_POINTS = 241;
const MAX_BARS = 400;
/** Widening the coarse grid stops here: a distribution this heavy-tailed is shown as far as this reaches. */
const MAX_WIDENINGS = 6;

/** The smallest grid point where cdf ≥ p, interpolated linearly between grid points (continuous). */
export function quantileOnGrid(x: ArrayLike<number>, cdf: ArrayLike<number>, p: number, discrete: boolean): number {
  for (let i = 0; i < cdf.length; i++) {
    if (cdf[i] < p) continue;
    if (discrete || i === 0) return x[i];
    const span = cdf[i] - cdf[i - 1];
    return span > 0 ? x[i - 1] + ((p - cdf[i - 1]) / span) * (x[i] - x[i - 1]) : x[i];
  }
  return x[x.length - 1];
}

function grid(from: number, to: number, points: number): Float64Array {
  return Float64Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
}

/** Curves of `graph` at θ; `mean` and `sd` (from its moments) set the first guess of the range. */
export async function computeCurves(session: Session, graph: Graph, theta: Float64Array, mean: number, sd: number, call: CallOptions): Promise<Curves> {
  const { pool } = session;
  const discrete = graph.discrete;
  const step = (options: CallOptions) => ({ ...options, theta });
  // Coarse cdf out to mean + 10 sd, widened until it holds all but TAIL of the mass.
  let upper = Math.max(mean + 10 * (Number.isFinite(sd) ? sd : mean), discrete ? 10 : 1e-9);
  let coarseX: Float64Array, coarse: Float64Array;
  for (let widenings = 0; ; widenings++) {
    coarseX = discrete ? Float64Array.from({ length: Math.min(Math.ceil(upper), 200_000) + 1 }, (_, k) => k) : grid(0, upper, 201);
    coarse = await pool.cdf(graph, coarseX, step(call));
    if (coarse[coarse.length - 1] >= 1 - TAIL || widenings === MAX_WIDENINGS || (discrete && upper >= 200_000)) break;
    upper *= 4;
  }
  const atomAtZero = discrete ? 0 : coarse[0];
  const low = quantileOnGrid(coarseX, coarse, TAIL, discrete);
  const high = quantileOnGrid(coarseX, coarse, 1 - TAIL, discrete);
  const quantiles = {
    p025: quantileOnGrid(coarseX, coarse, 0.025, discrete),
    p50: quantileOnGrid(coarseX, coarse, 0.5, discrete),
    p975: quantileOnGrid(coarseX, coarse, 0.975, discrete),
  };
  // Start at 0 unless the mass sits far from it (an Erlang with many phases).
  const from = low < 0.2 * high ? 0 : low;
  let x: Float64Array;
  if (discrete) {
    const first = Math.floor(from), last = Math.max(first + 1, Math.ceil(high));
    const stride = Math.max(1, Math.ceil((last - first + 1) / MAX_BARS));
    x = Float64Array.from({ length: Math.floor((last - first) / stride) + 1 }, (_, i) => first + i * stride);
  } else x = grid(from, high > from ? high : from + 1, FINE_POINTS);
  // One computation gives both (two calls would run it twice, and send the graph to a second worker).
  const { density, cdf } = await pool.distribution(graph, x, step(call));
  return { discrete, x, density, cdf, quantiles, atomAtZero };
}
