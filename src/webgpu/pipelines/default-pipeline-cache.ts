// The process-wide pipeline cache (layer 3), created on first use with the
// persistence every layer uses (IndexedDB in browsers, files in Node).
import { PipelineCache, type PipelineCacheOptions } from './pipeline-cache.js';

let current: PipelineCache | null = null;
let options: PipelineCacheOptions = {};

/** The process-wide pipeline cache. */
export function pipelineCache(): PipelineCache {
  current ??= new PipelineCache(options);
  return current;
}

/** Replaces the process-wide pipeline cache; returns it. */
export function configurePipelineCache(next: PipelineCacheOptions): PipelineCache {
  void current?.close();
  options = next;
  current = new PipelineCache(next);
  return current;
}

/** Closes the process-wide pipeline cache; the next use opens a fresh one. */
export async function closePipelineCache(): Promise<void> {
  const closing = current;
  current = null;
  await closing?.close();
}
