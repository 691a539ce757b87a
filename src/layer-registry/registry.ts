// Where cache layers defined above the management API register themselves. It
// sits low in the tree so that a layer's own folder (src/webgpu for layer 3) can
// register without importing src/cache-layers, which imports the layers below
// it (traces, evaluators, and through them the WebGPU backend).
import type { LayerHandle } from './layer.js';

const later: LayerHandle[] = [];

/** Adds a layer (layer 3 registers itself when the WebGPU backend starts); replaces one of the same name. */
export function registerLayer(handle: LayerHandle): void {
  const i = later.findIndex((l) => l.name === handle.name);
  if (i >= 0) later[i] = handle;
  else later.push(handle);
  later.sort((a, b) => a.layer - b.layer);
}

/** The layers registered so far, in layer order. */
export function laterLayers(): readonly LayerHandle[] {
  return later;
}
