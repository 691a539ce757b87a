// gpuStatus() from the main entry, without loading the WebGPU backend until it is
// called (the backend is a dynamic import: neither the main bundle nor Node users
// without WebGPU pay for it).
import type { GpuStatus } from '../webgpu/status.js';

export type { GpuStatus };

/** Starts (once) this process's WebGPU device and says what it is, or why there is none: the reason 'auto' gives. */
export async function gpuStatus(): Promise<GpuStatus> {
  return (await import('../webgpu/index.js')).gpuStatus();
}
