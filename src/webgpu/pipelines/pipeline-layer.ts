// Layer 3 in the cache management API: registered when the WebGPU backend
// loads (or when the CLI's cache commands ask for it), never by the main entry.
import { registerLayer } from '../../layer-registry/registry.js';
import { acquireGpu } from '../device/gpu-context.js';
import { closePipelineCache, configurePipelineCache, pipelineCache } from './default-pipeline-cache.js';

let registered = false;

/** Adds layer 3 ('pipelines') to cacheInfo / clearCache / export / import / vacuum / prewarm (idempotent). */
export function registerPipelineLayer(): void {
  if (registered) return;
  registered = true;
  registerLayer({
    layer: 3,
    name: 'pipelines',
    info: () => pipelineCache().info(),
    clear: () => pipelineCache().clear(),
    exportRecords: () => pipelineCache().exportRecords(),
    importRecords: (records) => pipelineCache().importRecords(records),
    vacuum: (options) => pipelineCache().vacuum(options),
    configure: (options) => { configurePipelineCache(options); },
    close: () => closePipelineCache(),
    directory: () => pipelineCache().directory(),
    // Compiles the stored pipelines on this page's device; without a device there is nothing to warm.
    prewarm: async () => {
      const ctx = await acquireGpu().catch(() => null);
      if (!ctx) return { warmed: 0, skipped: 0, failed: 0, ms: 0 };
      // An unreadable store warms nothing; it must not fail the traces' prewarm beside it.
      return pipelineCache().prewarm(ctx).catch(() => ({ warmed: 0, skipped: 0, failed: 1, ms: 0 }));
    },
  });
}
