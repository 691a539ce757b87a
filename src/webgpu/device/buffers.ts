// Buffers in and out of the device: storage made from host arrays, and reads
// through a mappable copy. Sizes are rounded up to 4 bytes (WebGPU's rule), and
// a zero-length array still gets a buffer (bindings cannot be empty).
import { BufferUsage, MAP_MODE_READ } from './constants.js';

const aligned = (bytes: number) => Math.max(16, Math.ceil(bytes / 16) * 16);

/** A storage buffer holding `data` (read by kernels; COPY_SRC so it can be read back). */
export function storageFrom(device: GPUDevice, data: Float32Array | Uint32Array, label: string): GPUBuffer {
  const buffer = device.createBuffer({ label, size: aligned(data.byteLength), usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC, mappedAtCreation: true });
  const view = data instanceof Float32Array ? new Float32Array(buffer.getMappedRange()) : new Uint32Array(buffer.getMappedRange());
  view.set(data);
  buffer.unmap();
  return buffer;
}

/** A zeroed storage buffer of `bytes`. */
export function storageOf(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: aligned(bytes), usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC });
}

/** A uniform buffer of `bytes`, written before each dispatch. */
export function uniformOf(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: aligned(bytes), usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
}

/** Copies the first `bytes` of `buffer` to the host (after all work submitted so far). */
export async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const size = aligned(bytes);
  const staging = device.createBuffer({ label: 'readback', size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_MODE_READ);
    return staging.getMappedRange(0, size).slice(0, bytes);
  } finally {
    staging.destroy();
  }
}
