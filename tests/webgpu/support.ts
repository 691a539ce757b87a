// Whether this machine has WebGPU for the tests, decided once and said out loud.
// On a machine set up by scripts/setup.sh (libvulkan1 + Debian's Chromium with its
// SwiftShader Vulkan driver) an adapter is EXPECTED: if none comes, the GPU tests
// fail instead of skipping. Elsewhere (no Vulkan loader, no driver) they assert
// the WASM fallback and print why. PHASEKIT_EXPECT_WEBGPU=1|0 overrides the guess.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { configurePipelineCache, gpuStatus, type GpuStatus } from '../../src/webgpu/index.js';

/** Chromium's SwiftShader Vulkan driver (Debian's chromium package). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_LOADER = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

// Dawn reads the driver list when it first creates its Vulkan instance: set it before any test asks.
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

// Pipelines compiled by the tests are not stored in the user's cache directory.
configurePipelineCache({ persistence: 'none' });

/** Whether an adapter must exist here. */
export const EXPECT_GPU = process.env.PHASEKIT_EXPECT_WEBGPU !== undefined
  ? process.env.PHASEKIT_EXPECT_WEBGPU === '1'
  : existsSync(SWIFTSHADER_ICD) && VULKAN_LOADER.some(existsSync);

let status: Promise<GpuStatus> | null = null;

/** The device status; throws when an adapter is expected but missing (a defect here, not a skip). */
export async function gpuForTests(): Promise<GpuStatus> {
  status ??= gpuStatus().then((s) => {
    if (!s.available && EXPECT_GPU) throw new Error(`WebGPU is expected on this machine (SwiftShader ICD and libvulkan present) but unavailable: ${s.reason}`);
    if (!s.available) console.warn(`[webgpu tests] no WebGPU adapter here, so these tests assert the WASM fallback: ${s.reason}`);
    return s;
  });
  return status;
}

/** θ rows spread around `theta` (factors 0.6 … 1.4), row-major. */
export function spread(theta: number[], rows: number): Float64Array {
  const out = new Float64Array(rows * theta.length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < theta.length; i++) out[r * theta.length + i] = theta[i] * (0.6 + (0.8 * (r + 0.5)) / rows) * (1 + 0.05 * i);
  return out;
}

/** Largest |a − b| / scale over entries, with scale = the largest |b| (one scale for the whole array). */
export function relativeToLargest(a: Float64Array, b: Float64Array): number {
  const scale = Math.max(...Array.from(b, Math.abs), 1e-300);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

/** Largest |a − b| / |b| over entries. */
export function relativeEach(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return worst;
}

/**
 * Runs `body` on the device; without one (and none expected), asserts the fallback
 * instead: backend 'webgpu' refuses with GpuError and 'auto' computes in WASM.
 */
export async function onDeviceOrFallback(body: () => Promise<void>): Promise<void> {
  const status = await gpuForTests();
  if (status.available) return body();
  const { createEvaluator, models } = await import('../../src/index.js');
  const { GpuError } = await import('../../src/webgpu/index.js');
  const g = models.coalescent(4);
  await expect(createEvaluator(g, { kind: 'moments', k: 1 }, { backend: 'webgpu', cache: null })).rejects.toBeInstanceOf(GpuError);
  const auto = await createEvaluator(g, { kind: 'moments', k: 1 }, { cache: null, gpuMinRows: 1 });
  await auto.evaluate({ thetas: Float64Array.of(1) });
  expect(auto.backend).toBe('wasm');
}
