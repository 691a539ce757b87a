// The fit the inference panel runs: the one place that chooses it. Today SVGD in
// the page over the pool's log-likelihood evaluator; when phasekit's own svgd()
// (src/inference, issue 11) is on main, this file adapts it to FitRequest instead.
export { svgdOnPool as fit } from './svgd-on-pool.js';
export type { FitRequest, FitResult, FitProgress } from './fit-types.js';
