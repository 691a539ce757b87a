// The inference panel's contract with whatever fits: model, data, priors,
// particles, iterations, seed, progress and abort in; particles, mean, sd and
// quantiles out. fit.ts maps it onto phasekit's svgd().
import type { Graph, Observations } from '../../src/index.js';
import type { Prior } from '../../src/inference/index.js';
import type { Pool } from '../../src/pool/index.js';

/** A fit's inputs. */
export interface FitRequest {
  /** Runs the log-likelihood evaluations. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pool: Pool<any>;
  graph: Graph;
  data: Observations;
  /** One prior per parameter (null for fixed ones). */
  prior: (Prior | null)[];
  /** Per parameter: a value held fixed, or null to fit it. */
  fixed: (number | null)[];
  particles: number;
  iterations: number;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (progress: FitProgress) => void;
}

/** One iteration's news. */
export interface FitProgress {
  iteration: number;
  iterations: number;
  /** particles × paramLength θ values (fixed parameters included), row-major. */
  particles: Float64Array;
  /** Mean log posterior density over the particles. */
  logPosteriorMean: number;
  /** The RBF kernel's bandwidth h (median heuristic). */
  bandwidth: number;
  /** How far particles moved this iteration (unconstrained space). */
  stepNorm: number;
}

/** A fit's answer. */
export interface FitResult {
  /** particles × paramLength θ values, row-major. */
  particles: Float64Array;
  paramLength: number;
  mean: number[];
  sd: number[];
  quantiles: { '0.025': number[]; '0.5': number[]; '0.975': number[] };
  iterations: number;
  /** Why it stopped: the iteration budget, or particles that stopped moving. */
  stopped: string;
  ms: number;
  /** Where it ran, in words. */
  backend: string;
}
