// Why the WebGPU backend cannot run here, or stopped. With backend 'auto' these
// become the reason WASM computes instead; with backend 'webgpu' they are thrown.
// A device lost during a batch, or out of memory for even one particle, is not an
// error: the GPU evaluator computes that batch in WASM and says so (backendReason).
import { PhasekitError } from '../errors/index.js';

/** Why WebGPU is unavailable or failed. */
export type GpuErrorCode =
  /** No WebGPU API here: no `navigator.gpu`, or in Node the optional `webgpu` package is missing. */
  | 'NO_WEBGPU'
  /** The API exists but offers no adapter (no driver, or one Dawn cannot use). */
  | 'NO_ADAPTER'
  /** The adapter refused to make a device. */
  | 'NO_DEVICE'
  /** The device's self-test failed (f32 arithmetic, or df64's error-free transforms for precision 'df64'). */
  | 'SELF_TEST_FAILED'
  /** This evaluator or data does not fit the WebGPU backend (the message says what). */
  | 'UNSUPPORTED'
  /** A kernel failed on the device (a WebGPU validation or internal error: a phasekit bug, or a driver's). */
  | 'KERNEL_FAILED';

/** WebGPU is unavailable, or the GPU failed in a way WASM cannot hide (backend 'webgpu'). */
export class GpuError extends PhasekitError<GpuErrorCode> {
  override readonly name = 'GpuError';
}
