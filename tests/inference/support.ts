// Shared helpers of the inference tests: exact reference posteriors on grids
// (from the library's own log-likelihood, many θ rows in one call: an
// independent check where no closed form exists), and seeded Poisson counts.
import { createEvaluator, seededRandom, type Graph, type Observations } from '../../src/index.js';

/** Posterior mean, sd and central 95% interval of a 1-D density given by log-values on an even grid. */
export function gridSummary(grid: Float64Array, logDensity: ArrayLike<number>): { mean: number; sd: number; lower: number; upper: number; edgeMass: number } {
  let top = -Infinity;
  for (let i = 0; i < grid.length; i++) top = Math.max(top, logDensity[i]);
  const w = Float64Array.from(grid, (_, i) => Math.exp(logDensity[i] - top));
  const total = w.reduce((s, x) => s + x, 0);
  let mean = 0;
  for (let i = 0; i < grid.length; i++) mean += (w[i] * grid[i]) / total;
  let variance = 0;
  for (let i = 0; i < grid.length; i++) variance += (w[i] * (grid[i] - mean) ** 2) / total;
  const quantile = (q: number) => {
    let acc = 0;
    for (let i = 0; i < grid.length; i++) if ((acc += w[i] / total) >= q) return grid[i];
    return grid[grid.length - 1];
  };
  return { mean, sd: Math.sqrt(variance), lower: quantile(0.025), upper: quantile(0.975), edgeMass: (w[0] + w[w.length - 1]) / total };
}

/** The exact posterior of a one-parameter graph on an even grid over [low, high], under a prior log-density. */
export async function gridPosterior(graph: Graph, data: Observations, low: number, high: number, logPrior: (x: number) => number, points = 2000) {
  const grid = Float64Array.from({ length: points }, (_, i) => low + ((high - low) * (i + 0.5)) / points);
  const ev = await createEvaluator(graph, { kind: 'loglik', data }, { cache: null, traceStore: null });
  const { values } = await ev.evaluate({ thetas: grid });
  ev.dispose();
  return gridSummary(grid, Array.from(values, (v, i) => v + logPrior(grid[i])));
}

/** Seeded Poisson draws (by inversion: means up to a few hundred). */
export function poissonCounts(means: readonly number[], seed: number): number[] {
  const random = seededRandom(seed);
  return means.map((mu) => {
    let k = 0, p = Math.exp(-mu), cdf = p;
    const u = random();
    while (u > cdf && k < 10_000) { k++; p *= mu / k; cdf += p; }
    return k;
  });
}

/** The log-normal(mu, sigma) log-density (the default prior is log-normal(0, 2)). */
export const logNormalDensity = (mu: number, sigma: number) => (x: number) =>
  -Math.log(x * sigma * Math.sqrt(2 * Math.PI)) - (Math.log(x) - mu) ** 2 / (2 * sigma * sigma);
