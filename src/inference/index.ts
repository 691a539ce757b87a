// Bayesian inference on the evaluators: SVGD, its priors and transforms.
export { svgd, type SvgdOptions, type SvgdProgress } from './svgd.js';
export type { FitRequest } from './fit.js';
export type { SvgdSettings } from './plan.js';
export type { SvgdResult, SvgdDiagnostics, Execution } from './result.js';
export type { History, IterationState } from './summary.js';
export { DEFAULT_PRIOR, type Prior, type CustomPrior, type Support } from './priors.js';
export type { PositiveTransform } from './transforms.js';
export type { OptimizerName, StepSchedule } from './optimizers.js';
