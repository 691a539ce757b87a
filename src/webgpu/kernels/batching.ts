// How many particles go into one batch: every buffer within the device's
// binding and buffer limits, all of them within a memory budget. A batch that
// the device still refuses (out of memory) is halved by the caller; a single
// particle that cannot fit is refused here, by name.
import { GpuError } from '../errors.js';
import type { GpuContext } from '../device/gpu-context.js';

/** Bounds and hooks of a GPU evaluation. */
export interface BatchLimits {
  /** Bytes of device memory one batch may use. */
  memoryBytes: number;
  /** Work (particle × edge or op updates) per dispatch: keeps each dispatch short for the browser's watchdog and lets aborts land. */
  dispatchWork: number;
  /** At most this many particles per batch (halved after an out-of-memory; tests use it to force splitting). */
  maxRows?: number;
  /** Test hook: reports an out-of-memory for the next allocation when it returns true. */
  injectOutOfMemory?: () => boolean;
  /** Called after each dispatch of the stepping (abort checks; tests destroy the device here). */
  onDispatch?: () => Promise<void> | void;
}

/** Per θ row: values (rows × outputs), gradients (rows × outputs × paramLength) and the rows left for WASM. */
export interface GpuRowResults {
  values: Float64Array;
  gradients: Float64Array | null;
  /** 1 where the GPU gave no usable answer and WASM computes the row. */
  fallback: Uint8Array;
}

/** Particles per batch for buffers of these per-particle byte sizes. */
export function batchRows(ctx: GpuContext, perRow: Record<string, number>, remaining: number, limits: BatchLimits): { count: number } {
  const cap = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  let count = Math.min(remaining, limits.maxRows ?? Infinity);
  let total = 0;
  for (const [name, bytes] of Object.entries(perRow)) {
    total += bytes;
    if (bytes > cap) throw new GpuError('UNSUPPORTED', `one particle needs ${bytes} bytes of ${name}, more than this device's largest buffer (${cap} bytes)`);
    if (bytes > 0) count = Math.min(count, Math.floor(cap / bytes));
  }
  if (total > 0) count = Math.min(count, Math.max(1, Math.floor(limits.memoryBytes / total)));
  return { count: Math.max(1, count) };
}
