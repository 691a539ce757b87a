// The WebGPU backend, loaded on demand (createEvaluator imports it dynamically,
// so neither the main bundle nor Node users without WebGPU pay for it). Loading
// it registers cache layer 3, the pipelines.
import { registerPipelineLayer } from './pipelines/pipeline-layer.js';

registerPipelineLayer();

export { createGpuEvaluator, GpuEvaluator, MAX_GPU_PARAMS, type GpuEvaluatorOptions, type GpuRunReport } from './gpu-evaluator.js';
export { gpuStatus, chooseBackend, AUTO_MIN_ROWS, type GpuStatus, type AutoChoiceOptions } from './status.js';
export { GpuError, type GpuErrorCode } from './errors.js';
export { acquireGpu, renewGpu, setGpuProvider, GpuContext, type AdapterSummary } from './device/gpu-context.js';
export type { GpuProvider, GpuAccess } from './device/gpu-access.js';
export type { SelfTestResult } from './device/self-test.js';
export { pipelineCache, configurePipelineCache, closePipelineCache } from './pipelines/default-pipeline-cache.js';
export { PipelineCache, type PipelineCacheOptions, type PipelineLayerInfo, type PipelineTarget } from './pipelines/pipeline-cache.js';
export { registerPipelineLayer } from './pipelines/pipeline-layer.js';
