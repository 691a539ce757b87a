// The inference panel's contract with whatever fits: the shape of issue 11's
// svgd() (model, data, prior, particles, iterations, seed, progress, abort in;
// particles, mean, sd, quantiles out), so the implementation behind fit.ts can
// change without the panel noticing.
import type { Graph, Observations } from '../../src/index.js';
import type { Pool } from '../../src/pool/index.js';
import type { Prior } from './priors.js';

/** A fit's inputs. */
export interface FitRequest {
  /** Runs the log-likelihood evaluations. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pool: Pool<any>;
  graph: Graph;
  data: Observations;
  /** One prior per parameter (ignored for fixed ones). */
  prior: Prior[];
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
  /** Mean log posterior density over the particles (unconstrained space). */
  logPosteriorMean: number;
  /** The RBF kernel's bandwidth h (median heuristic). */
  bandwidth: number;
  /** Mean distance a particle moved this iteration (unconstrained space). */
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
  ms: number;
  /** Where the likelihoods were computed, in words. */
  backend: string;
}
