// phasekit: phase-type distributions as graphs, eliminated in WebAssembly.
export { ready } from './kernel/module.js';
export { Graph, Vertex, type GraphOptions, type AtTheta, type RewardOptions, type EdgeView, type GraphBuffers } from './graph/graph.js';
export type { GraphJSON } from './graph/json.js';
export type { GraphMatrices, FromMatricesOptions } from './graph/matrices.js';
export type { Transition, ExploreOptions } from './graph/explore.js';
export type { Csr } from './graph/rates.js';
export { Elimination, eliminate, type EliminationStats } from './kernel/elimination.js';
export { GraphError, KernelError, TraceError, type GraphErrorCode, type KernelErrorCode, type TraceErrorCode } from './errors.js';
export { seededRandom, type Random } from './sampling/rng.js';
export type { SampleOptions } from './sampling/sample.js';
export { UNIFORMIZATION_TAIL } from './distributions/distribution.js';
export * as models from './models/index.js';
export { Trace, type TraceStats, type TraceMomentOptions, type TraceGradientOptions, type TraceGradient } from './trace/trace.js';
export { TraceEvaluator, type ThetaGradient } from './trace/evaluator.js';
export { compile, setDefaultTraceStore, MemoryTraceStore, type TraceStore, type CompileOptions } from './trace/compile.js';
export { structuralHash, structuralEncoding, TRACE_FORMAT_VERSION } from './trace/structural-hash.js';
export { encodeTrace, decodeTrace, readTraceHeader, type TraceHeader } from './trace/format.js';
