// The registry of phasekit's cache layers, in layer order. Each entry reaches
// its layer's process-wide cache on demand (nothing is opened until used):
//   1 traces      (src/trace-cache)
//   2 evaluators  compiled evaluators (src/evaluator-cache)
//   3 pipelines   WebGPU pipelines (src/webgpu; registered by the WebGPU backend
//                 through src/layer-registry)
import type { TierRecord } from '../cache/tiers/tier.js';
import { traceCache } from '../trace-cache/default-trace-cache.js';
import { evaluatorCache } from '../evaluator-cache/default-evaluator-cache.js';
import type { CacheLayer, LayerHandle } from '../layer-registry/layer.js';
import { laterLayers } from '../layer-registry/registry.js';

/** Layer 1: the trace cache. */
const traces: LayerHandle = {
  layer: 1,
  name: 'traces',
  info: () => traceCache().info(),
  clear: () => traceCache().clear(),
  exportRecords: () => traceCache().exportRecords(),
  importRecords: (records: TierRecord<Uint8Array>[]) => traceCache().importRecords(records),
  vacuum: (options) => traceCache().vacuum(options),
};

/** Layer 2: compiled evaluators. */
const evaluators: LayerHandle = {
  layer: 2,
  name: 'evaluators',
  info: () => evaluatorCache().info(),
  clear: () => evaluatorCache().clear(),
  exportRecords: () => evaluatorCache().exportRecords(),
  importRecords: (records: TierRecord<Uint8Array>[]) => evaluatorCache().importRecords(records),
  vacuum: (options) => evaluatorCache().vacuum(options),
};

/** The layers, in layer order: 1 and 2 always, then those registered later (src/layer-registry). */
export function registeredLayers(): readonly LayerHandle[] {
  return [traces, evaluators, ...laterLayers()];
}

/** The layer called `name`, if registered. */
export function layerNamed(name: CacheLayer): LayerHandle | undefined {
  return registeredLayers().find((l) => l.name === name);
}
