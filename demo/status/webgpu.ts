// WebGPU for the status line: phasekit's own gpuStatus() (src/webgpu: the device
// and its f32 / df64 self-test) when this build has the WebGPU backend, else a
// probe of navigator.gpu for an adapter. Loading the backend also registers cache
// layer 3 (pipelines) on this page, so the cache panel shows it.

/** What the status line says about WebGPU. */
export interface WebGpuStatus {
  available: boolean;
  /** The adapter and self-test, or the reason there is none. */
  detail: string;
}

/** The part of src/webgpu's gpuStatus() answer the status line reads. */
interface BackendStatus {
  available: boolean;
  reason: string;
  selfTest?: { f32: boolean; df64: boolean; detail: string };
}

// Empty until the WebGPU backend is in the tree: a glob, so that this page builds either way.
const backend = import.meta.glob<{ gpuStatus(): Promise<BackendStatus> }>('../../src/webgpu/index.ts');

/** The backend's answer, or the adapter probe's. */
export async function webGpuStatus(): Promise<WebGpuStatus> {
  const load = Object.values(backend)[0];
  if (load) {
    const status = await (await load()).gpuStatus();
    const test = status.selfTest;
    const selfTest = test ? `; self-test f32 ${test.f32 ? 'passed' : 'failed'}, df64 ${test.df64 ? 'passed' : `failed${test.detail ? ` (${test.detail})` : ''}`}` : '';
    return { available: status.available, detail: `${status.reason}${selfTest}` };
  }
  return probeAdapter();
}

async function probeAdapter(): Promise<WebGpuStatus> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false, detail: 'this browser has no navigator.gpu' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { available: false, detail: `requestAdapter failed: ${String(error)}` };
  }
  if (!adapter) return { available: false, detail: 'no adapter (no usable GPU or driver)' };
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'an unnamed adapter';
  return { available: true, detail: `adapter ${name}${adapter.features.has('shader-f16') ? ' (shader-f16)' : ''}; this build has no WebGPU backend, so it computes in WebAssembly` };
}
