// The registry of phasekit's cache layers, in layer order. Each entry reaches
// its layer's process-wide cache on demand (nothing is opened until used):
//   1 traces      (src/trace-cache)
//   2 evaluators  compiled evaluators (src/evaluator-cache)
//   3 pipelines   WebGPU pipelines (src/webgpu; registered by the WebGPU backend)
import type { TierRecord } from '../cache/tiers/tier.js';
import { traceCache } from '../trace-cache/default-trace-cache.js';
import { evaluatorCache } from '../evaluator-cache/default-evaluator-cache.js';
import type { CacheLayer, LayerHandle } from './layer.js';

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

const layers: LayerHandle[] = [traces, evaluators];

/** Adds a layer (layer 3 registers itself when the WebGPU backend starts); replaces one of the same name. */
export function registerLayer(handle: LayerHandle): void {
  const i = layers.findIndex((l) => l.name === handle.name);
  if (i >= 0) layers[i] = handle;
  else layers.push(handle);
  layers.sort((a, b) => a.layer - b.layer);
}

/** The registered layers, in layer order. */
export function registeredLayers(): readonly LayerHandle[] {
  return layers;
}

/** The layer called `name`, if registered. */
export function layerNamed(name: CacheLayer): LayerHandle | undefined {
  return layers.find((l) => l.name === name);
}
