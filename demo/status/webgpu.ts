// Whether this browser can run WebGPU, and on what: the adapter's name, or why not.
// (When the library's WebGPU backend is on main, this becomes its gpuStatus().)

/** What the status line says about WebGPU. */
export interface WebGpuStatus {
  available: boolean;
  /** The adapter ("google swiftshader"), or the reason there is none. */
  detail: string;
  /** Whether the adapter offers shader-f16. */
  f16: boolean;
}

/** Asks navigator.gpu for an adapter and describes it. */
export async function webGpuStatus(): Promise<WebGpuStatus> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false, detail: 'this browser has no navigator.gpu', f16: false };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { available: false, detail: `requestAdapter failed: ${String(error)}`, f16: false };
  }
  if (!adapter) return { available: false, detail: 'no adapter (no usable GPU or driver)', f16: false };
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unnamed adapter';
  return { available: true, detail: name, f16: adapter.features.has('shader-f16') };
}
