// The fit the inference panel runs: the one place that chooses it. phasekit's
// svgd() (src/inference) with the loop in this page and each iteration's particles
// split across the page's worker pool, so that the panel can draw the particles
// while they move (a loop in a worker reports its numbers, not its particles).
import { svgd } from '../../src/inference/index.js';
import type { FitRequest, FitResult } from './fit-types.js';

export type { FitRequest, FitResult, FitProgress } from './fit-types.js';

const column = (values: Float64Array | undefined): number[] => Array.from(values ?? []);

/** Fits the graph's parameters to the data by SVGD. */
export async function fit(request: FitRequest): Promise<FitResult> {
  const { pool, graph, onProgress } = request;
  const result = await svgd({
    model: graph, data: request.data, prior: request.prior, fixed: request.fixed,
    particles: request.particles, iterations: request.iterations, seed: request.seed,
    execution: 'pool', pool, backend: 'auto', signal: request.signal,
    onProgress: onProgress && ((p) => onProgress({
      iteration: p.iteration, iterations: p.iterations, particles: p.particles?.() ?? new Float64Array(0),
      logPosteriorMean: p.logPosteriorMean, bandwidth: p.bandwidth, stepNorm: p.stepNorm,
    })),
  });
  const { diagnostics } = result;
  return {
    particles: result.particles, paramLength: graph.paramLength,
    mean: column(result.mean), sd: column(result.sd),
    quantiles: { '0.025': column(result.quantiles['0.025']), '0.5': column(result.quantiles['0.5']), '0.975': column(result.quantiles['0.975']) },
    iterations: diagnostics.iterations, stopped: diagnostics.stopped, ms: diagnostics.ms,
    backend: `phasekit svgd(): ${diagnostics.particles} particles, the loop in this page, log-likelihoods on ${pool.size} workers (${diagnostics.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'})${diagnostics.failedEvaluations ? `; ${diagnostics.failedEvaluations} particle evaluations failed` : ''}`,
  };
}
