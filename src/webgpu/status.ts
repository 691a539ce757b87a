// Whether WebGPU works here, and which backend 'auto' picks for a batch. The
// GPU pays only where it is a GPU and the batch is large: on a CPU
// implementation (SwiftShader) WASM is faster at every batch size we measured
// (docs/webgpu.md), and a small batch does not fill a real GPU.
import type { GpuPrecision } from '../evaluate/evaluator.js';
import { acquireGpu, type AdapterSummary } from './device/gpu-context.js';
import type { SelfTestResult } from './device/self-test.js';
import { GpuError, type GpuErrorCode } from './errors.js';
import { describe, MAX_GPU_PARAMS } from './gpu-evaluator.js';

/** Smallest batch that 'auto' sends to a GPU (rows). */
export const AUTO_MIN_ROWS = 256;

/** What {@link gpuStatus} reports. */
export interface GpuStatus {
  /** A device started and passed its f32 self-test. */
  available: boolean;
  /** Why not (or which device it is). */
  reason: string;
  /** The GpuError code when unavailable. */
  code?: GpuErrorCode;
  adapter?: AdapterSummary;
  selfTest?: SelfTestResult;
  limits?: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number };
}

/** Starts (once) and describes this process's WebGPU device, or says why there is none. */
export async function gpuStatus(): Promise<GpuStatus> {
  try {
    const ctx = await acquireGpu();
    return { available: true, reason: `WebGPU on ${describe(ctx)}${ctx.adapterSummary.cpu ? ' (a CPU implementation)' : ''}`, adapter: ctx.adapterSummary, selfTest: ctx.selfTest, limits: ctx.limits };
  } catch (e) {
    if (e instanceof GpuError) return { available: false, reason: e.message, code: e.code };
    return { available: false, reason: `WebGPU failed to start: ${(e as Error).message}` };
  }
}

/** Options of {@link chooseBackend}. */
export interface AutoChoiceOptions {
  rows: number;
  paramLength: number;
  precision: GpuPrecision;
  /** Smallest batch for the GPU. Default AUTO_MIN_ROWS. */
  minRows?: number;
}

/** 'webgpu' or 'wasm' for a batch, with the reason in words. Starts the device only for batches large enough to use it. */
export async function chooseBackend(o: AutoChoiceOptions): Promise<{ backend: 'webgpu' | 'wasm'; reason: string }> {
  const minRows = o.minRows ?? AUTO_MIN_ROWS;
  if (o.rows < minRows) return { backend: 'wasm', reason: `wasm: a batch of ${o.rows} θ rows is below the ${minRows} that pay for a GPU` };
  if (o.paramLength > MAX_GPU_PARAMS) return { backend: 'wasm', reason: `wasm: ${o.paramLength} parameters exceed the WebGPU backend's ${MAX_GPU_PARAMS}` };
  const status = await gpuStatus();
  if (!status.available) return { backend: 'wasm', reason: `wasm: ${status.reason}` };
  if (status.adapter!.cpu) return { backend: 'wasm', reason: `wasm: ${status.reason}, where WASM is faster` };
  if (o.precision === 'df64' && !status.selfTest!.df64) return { backend: 'wasm', reason: `wasm: df64 failed the device's self-test (${status.selfTest!.detail})` };
  return { backend: 'webgpu', reason: `webgpu (${o.precision}): ${status.reason}, a batch of ${o.rows} θ rows` };
}
