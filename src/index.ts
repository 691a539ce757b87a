// phasekit: phase-type distributions as graphs, eliminated in WebAssembly.
// This module only re-exports; importing it opens nothing and starts nothing.
export { ready } from './kernel/module.js';

// The graph: data, formats, validation; and the user-facing Graph with its computations.
export { Graph, type AtTheta, type RewardOptions, type DistributionOptions } from './phase-type/graph.js';
export { StateGraph, Vertex, type GraphOptions, type GraphClass, type EdgeView, type GraphBuffers } from './graph/state-graph.js';
export type { GraphJSON, FromJSONOptions } from './graph/json.js';
export type { GraphMatrices, FromMatricesOptions } from './graph/matrices.js';
export type { Transition, ExploreOptions } from './graph/explore.js';
export type { Csr } from './graph/rates.js';
export { checkTheta, checkThetaRows, type ThetaRows } from './graph/arguments.js';
export * as models from './models/index.js';

// Computations.
export { Elimination, eliminate, type EliminationStats } from './kernel/elimination.js';
export { GraphAtTheta } from './evaluate/graph-at-theta.js';
export { seededRandom, type Random } from './sampling/rng.js';
export type { SampleOptions } from './sampling/sample.js';
export { UNIFORMIZATION_TAIL, type DistributionLimits } from './distributions/distribution.js';
export type { DistributionProgress, DistributionProgressCallback } from './distributions/progress.js';

// Traces and trace models.
export { Trace, type TraceStats, type TraceMomentOptions, type TraceGradientOptions, type TraceGradient } from './trace/trace.js';
export { TraceModel, type ThetaGradient, type ModelOptions, type ModelGradientOptions, type ModelBatchOptions } from './evaluate/trace-model.js';
export { compile, type CompileOptions } from './evaluate/compile.js';
export { structuralHash, structuralEncoding, TRACE_FORMAT_VERSION } from './trace/structural-hash.js';
export { encodeTrace, decodeTrace, readTraceHeader, type TraceHeader } from './trace/format.js';

// Evaluators: one interface for every backend, log-likelihoods with exact gradients.
export type { Evaluator, Evaluation, EvaluateOptions, EvaluationProgress, Backend, BackendChoice, GpuPrecision } from './evaluate/evaluator.js';
export { type Target, type CheckedTarget, DEFAULT_LIMITS } from './evaluate/target.js';
export { EVALUATOR_FORMAT_VERSION, encodeSpec, decodeSpec, type EvaluatorSpec } from './evaluate/spec.js';
export { WasmEvaluator } from './evaluate/wasm-evaluator.js';
export { createEvaluator, evaluatorSpec, buildEvaluator, type CreateEvaluatorOptions } from './evaluator-cache/create-evaluator.js';
export { logLikelihood, type LogLikelihoodOptions, type LogLikelihoodResult } from './evaluator-cache/log-likelihood.js';
export { gpuStatus, type GpuStatus } from './evaluator-cache/gpu-status.js';
export type { Observations, TimeObservations, StepObservations, CountObservations, CheckedObservations } from './likelihood/observations.js';
export type { LikelihoodLimits } from './likelihood/point-likelihood.js';

// Bayesian inference: SVGD on the evaluators.
export { svgd, DEFAULT_PRIOR, type SvgdOptions, type SvgdProgress, type FitRequest, type SvgdSettings, type SvgdResult, type SvgdDiagnostics,
  type Execution, type History, type IterationState, type Prior, type CustomPrior, type Support, type PositiveTransform, type OptimizerName,
  type StepSchedule } from './inference/index.js';

// Cache layers and their management.
export { TraceCache, createTraceCache, type TraceCacheOptions, type TracePersistence } from './trace-cache/trace-cache.js';
export { MemoryTraceStore, type TraceStore, type TraceStoreOptions } from './trace-cache/trace-store.js';
export { traceCache, configureTraceCache } from './trace-cache/default-trace-cache.js';
export { EvaluatorCache, type EvaluatorCacheOptions, type CompiledEntry } from './evaluator-cache/evaluator-cache.js';
export { evaluatorCache, configureEvaluatorCache } from './evaluator-cache/default-evaluator-cache.js';
export { cacheInfo, clearCache, exportCache, importCache, vacuum, prewarm } from './cache-layers/management.js';
export { configureCacheLayers, closeCacheLayers, type CacheLayersOptions } from './cache-layers/configure.js';
export { LAYER_NAMES, type CacheLayer, type LayerInfo } from './layer-registry/layer.js';

// Errors.
export { PhasekitError, AbortError, GraphError, KernelError, TraceError, type GraphErrorCode, type KernelErrorCode, type TraceErrorCode } from './errors/index.js';
export { CacheError, type CacheErrorCode } from './cache/errors.js';
export { PoolError, type PoolErrorCode } from './pool/errors.js';
export { GpuError, type GpuErrorCode } from './webgpu/errors.js';
