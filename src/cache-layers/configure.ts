// Configures every layer's process-wide cache at once: the CLI points all of
// them at one directory, tests at a temporary one.
import { closeTraceCache, configureTraceCache, traceCache } from '../trace-cache/default-trace-cache.js';
import { closeEvaluatorCache, configureEvaluatorCache, evaluatorCache } from '../evaluator-cache/default-evaluator-cache.js';
import type { LayerPersistence } from '../trace-cache/persistence.js';
import { registeredLayers } from './registry.js';

// Layers 1 and 2 are configured by name; a layer registered later (3, WebGPU pipelines) through its hooks.
const laterLayers = () => registeredLayers().filter((l) => l.layer > 2);

/** Options shared by every cache layer. */
export interface CacheLayersOptions {
  /** Persistent tier of every layer. Default: IndexedDB in browsers, files in Node. */
  persistence?: LayerPersistence;
  /** Root directory of the file stores (Node): layer `name` lives in `<root>/<name>`. Default `$PHASEKIT_CACHE_DIR`, else `<XDG cache dir>/phasekit`. */
  root?: string;
  /** Keep other tabs coherent and compute each entry once across tabs. Default true. */
  sync?: boolean;
}

/** Replaces the process-wide cache of every layer. */
export function configureCacheLayers(options: CacheLayersOptions): void {
  configureTraceCache(options);
  configureEvaluatorCache(options);
  for (const l of laterLayers()) l.configure?.(options);
}

/** Stops every layer's timers and closes its persistent tier; the next use of a layer opens it afresh (default options). */
export async function closeCacheLayers(): Promise<void> {
  await Promise.all([closeTraceCache(), closeEvaluatorCache(), ...laterLayers().map((l) => l.close?.())]);
}

/** The file store directories of the layers (Node, file persistence), by layer name. */
export async function layerDirectories(): Promise<Record<string, string | undefined>> {
  const dirs: Record<string, string | undefined> = { traces: await traceCache().directory(), evaluators: await evaluatorCache().directory() };
  for (const l of laterLayers()) dirs[l.name] = await l.directory?.();
  return dirs;
}
