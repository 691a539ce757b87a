// backend 'auto': small batches stay in WASM without starting a device; a CPU
// adapter (SwiftShader) is passed over with its name in the reason; a real GPU
// takes large batches. And the evaluator's key: backend and precision are in it.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, decodeSpec, encodeSpec, evaluatorSpec, models, ready } from '../../src/index.js';
import { setGpuProvider, type GpuProvider } from '../../src/webgpu/index.js';
import { platformGpu } from '../../src/webgpu/device/gpu-access.js';
import { onDeviceOrFallback, relativeToLargest, spread } from './support.js';

beforeAll(() => ready());
afterEach(() => setGpuProvider(null));

const g = models.coalescent(6);
const target = { kind: 'loglik' as const, data: { times: [0.3, 0.8, 1.1, 2] } };

/** The platform's WebGPU, with its adapter dressed up as a discrete GPU (to exercise auto's choice on this machine). */
const pretendGpu: GpuProvider = async () => {
  const real = await platformGpu();
  if ('reason' in real) return real;
  const gpu = real.gpu;
  return {
    gpu: {
      requestAdapter: async (o?: GPURequestAdapterOptions) => {
        const adapter = await gpu.requestAdapter(o);
        if (!adapter) return null;
        const info = { vendor: 'test', architecture: 'pretend-discrete', device: '', description: 'a pretend discrete GPU', isFallbackAdapter: false };
        return new Proxy(adapter, { get: (t, k) => (k === 'info' ? info : k === 'isFallbackAdapter' ? false : typeof Reflect.get(t, k) === 'function' ? Reflect.get(t, k).bind(t) : Reflect.get(t, k)) });
      },
    } as unknown as GPU,
  };
};

describe("backend 'auto'", () => {
  it('computes a small batch in WASM without starting a device', async () => {
    let asked = 0;
    setGpuProvider(async () => { asked++; return { reason: 'never asked' }; });
    const auto = await createEvaluator(g, target, { cache: null });
    await auto.evaluate({ thetas: spread([1], 3), gradient: true });
    expect(asked).toBe(0);
    expect(auto.backend).toBe('wasm');
    expect(auto.backendReason).toBe('wasm: a batch of 3 θ rows is below the 256 that pay for a GPU');
  });

  it('keeps a large batch of a chain that takes adaptive uniformisation in WASM, without starting a device', async () => {
    let asked = 0;
    setGpuProvider(async () => { asked++; return { reason: 'never asked' }; });
    const coalescent = models.coalescent(15), times = { kind: 'loglik' as const, data: { times: [0.5, 1, 2, 4, 6] } };
    const auto = await createEvaluator(coalescent, times, { cache: null, gpuMinRows: 4 });
    const r = await auto.evaluate({ thetas: spread([1], 4), gradient: true });
    expect(asked).toBe(0);
    expect(auto.backend).toBe('wasm');
    expect(auto.backendReason).toBe('wasm: this chain takes adaptive uniformisation, a step per level, where a GPU would step plain uniformisation');
    const wasm = await (await createEvaluator(coalescent, times, { backend: 'wasm', cache: null })).evaluate({ thetas: spread([1], 4), gradient: true });
    expect(r.values).toEqual(wasm.values);
  });

  it('passes over a CPU adapter (SwiftShader) and names it', async () => onDeviceOrFallback(async () => {
    const auto = await createEvaluator(g, target, { cache: null, gpuMinRows: 2 });
    await auto.evaluate({ thetas: spread([1], 4) });
    expect(auto.backend).toBe('wasm');
    expect(auto.backendReason).toMatch(/^wasm: WebGPU on .* \(a CPU implementation\), where WASM is faster$/);
  }));

  it('gives a large batch to a real GPU, with WASM’s numbers to f32 precision', async () => onDeviceOrFallback(async () => {
    setGpuProvider(pretendGpu);
    const auto = await createEvaluator(g, target, { cache: null, gpuMinRows: 4 });
    const thetas = spread([1], 4);
    const r = await auto.evaluate({ thetas, gradient: true });
    expect(auto.backend).toBe('webgpu');
    expect(auto.backendReason).toBe('webgpu (f32) on a pretend discrete GPU');
    const wasm = await (await createEvaluator(g, target, { backend: 'wasm', cache: null })).evaluate({ thetas, gradient: true });
    expect(relativeToLargest(r.values, wasm.values)).toBeLessThan(1e-5);
  }));
});

describe('the evaluator key', () => {
  it('names the backend and, for WebGPU, the precision; WASM specifications are unchanged', async () => {
    const [wasm, f32, df64] = await Promise.all([evaluatorSpec(g, target, 'wasm'), evaluatorSpec(g, target, 'webgpu'), evaluatorSpec(g, target, 'webgpu', 'df64')]);
    expect(new Set([wasm.key, f32.key, df64.key]).size).toBe(3);
    expect(decodeSpec(df64.bytes)).toMatchObject({ backend: 'webgpu', precision: 'df64' });
    expect(decodeSpec(f32.bytes)).toMatchObject({ backend: 'webgpu', precision: 'f32' });
    expect(decodeSpec(wasm.bytes).precision).toBeUndefined();
    expect(encodeSpec({ ...wasm.spec, precision: 'df64' })).toEqual(wasm.bytes); // precision only exists for webgpu
    expect((await evaluatorSpec(g, target)).key).toBe(wasm.key); // 'auto' plans the WASM evaluator
  });

  it('refuses an unknown precision', async () => {
    await expect(createEvaluator(g, target, { precision: 'f16' as 'f32', cache: null })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
