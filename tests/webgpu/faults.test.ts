// Faults of the WebGPU backend: no WebGPU or no adapter (a typed error for
// backend 'webgpu', WASM with the reason for 'auto'), the device lost mid-batch
// (recreated and the whole batch recomputed once, then WASM; never a result
// from two devices), out of device memory (smaller batches), batches and
// dispatches split, rows the GPU cannot answer, bad θ rows, limits and aborts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, createEvaluator, evaluatorSpec, GraphError, models, ready, type Graph, type Target } from '../../src/index.js';
import { acquireGpu, createGpuEvaluator, GpuError, setGpuProvider, type GpuEvaluatorOptions } from '../../src/webgpu/index.js';
import { traceOf } from '../../src/evaluate/compile.js';
import { needsElimination } from '../../src/evaluate/target.js';
import { onDeviceOrFallback, spread } from './support.js';

beforeAll(() => ready());
afterEach(() => setGpuProvider(null));

const times = Array.from({ length: 60 }, (_, i) => 0.05 + 0.07 * i);
const likelihood: Target = { kind: 'loglik', data: { times, censored: [1, 2] } };

async function gpuEvaluator(graph: Graph, target: Target, options: GpuEvaluatorOptions = {}) {
  const { spec, key } = await evaluatorSpec(graph, target, 'webgpu');
  const trace = needsElimination(spec.target) ? await traceOf(spec.structure, { store: null }) : null;
  return createGpuEvaluator(spec, key, trace, options);
}

const wasmOf = async (graph: Graph, target: Target, thetas: Float64Array) =>
  (await createEvaluator(graph, target, { backend: 'wasm', cache: null })).evaluate({ thetas, gradient: true });

describe('no WebGPU here', () => {
  it("backend 'webgpu' refuses with GpuError NO_WEBGPU naming the reason; 'auto' computes in WASM and says why", async () => {
    setGpuProvider(async () => ({ reason: 'this test machine has no navigator.gpu' }));
    const g = models.coalescent(5);
    const error = await createEvaluator(g, likelihood, { backend: 'webgpu', cache: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect(error).toMatchObject({ code: 'NO_WEBGPU', message: expect.stringContaining('this test machine has no navigator.gpu') });
    const auto = await createEvaluator(g, likelihood, { cache: null, gpuMinRows: 1 });
    const thetas = spread([1], 4);
    const r = await auto.evaluate({ thetas, gradient: true });
    expect(auto.backend).toBe('wasm');
    expect(auto.backendReason).toContain('this test machine has no navigator.gpu');
    expect(Array.from(r.values)).toEqual(Array.from((await wasmOf(g, likelihood, thetas)).values));
  });

  it("an API without adapters gives GpuError NO_ADAPTER, and 'auto' falls back", async () => {
    setGpuProvider(async () => ({ gpu: { requestAdapter: async () => null } as unknown as GPU }));
    const g = models.coalescent(5);
    await expect(createEvaluator(g, likelihood, { backend: 'webgpu', cache: null })).rejects.toMatchObject({ name: 'GpuError', code: 'NO_ADAPTER' });
    const auto = await createEvaluator(g, likelihood, { cache: null, gpuMinRows: 1 });
    await auto.evaluate({ thetas: spread([1], 2) });
    expect(auto.backendReason).toMatch(/^wasm: .*no WebGPU adapter/);
  });
});

describe('in Node worker threads', () => {
  it('a pool worker refuses WebGPU with NO_WEBGPU: dawn.node lives on the main thread', async () => {
    const { createPool } = await import('../../src/pool/index.js');
    const pool = createPool({ size: 1 });
    try {
      await expect(pool.logLikelihood(models.coalescent(4), likelihood.data as { times: number[] }, { thetas: Float64Array.of(1), backend: 'webgpu' }))
        .rejects.toMatchObject({ name: 'GpuError', code: 'NO_WEBGPU', message: expect.stringContaining('main thread only') });
    } finally {
      await pool.close();
    }
  });
});

describe('on a device', () => {
  const g = models.coalescent(8);
  const thetas = spread([1], 10);

  it('a device destroyed mid-batch is recreated and the whole batch recomputed: the result equals an undisturbed run', async () => onDeviceOrFallback(async () => {
    const clean = await (await gpuEvaluator(g, likelihood)).evaluate({ thetas, gradient: true });
    let dispatches = 0;
    const ev = await gpuEvaluator(g, likelihood, { limits: { dispatchWork: 2000, onDispatch: async () => { if (++dispatches === 2) (await acquireGpu()).device.destroy(); } } });
    const r = await ev.evaluate({ thetas, gradient: true });
    expect(ev.lastRun).toEqual({ gpuRows: 10, wasmRows: 0, deviceRenewals: 1 });
    expect(Array.from(r.values)).toEqual(Array.from(clean.values));
    expect(Array.from(r.gradients!)).toEqual(Array.from(clean.gradients!));
  }));

  it('a device lost again while recomputing leaves the whole batch to WASM, and says so', async () => onDeviceOrFallback(async () => {
    const ev = await gpuEvaluator(g, likelihood, { limits: { dispatchWork: 2000, onDispatch: async () => { (await acquireGpu()).device.destroy(); } } });
    const r = await ev.evaluate({ thetas, gradient: true });
    const wasm = await wasmOf(g, likelihood, thetas);
    expect(ev.lastRun).toMatchObject({ gpuRows: 0, wasmRows: 10, deviceRenewals: 1 });
    expect(ev.backendReason).toMatch(/^wasm: the WebGPU device was lost twice/);
    expect(Array.from(r.values)).toEqual(Array.from(wasm.values));
    expect(Array.from(r.gradients!)).toEqual(Array.from(wasm.gradients!));
  }));

  it('out of device memory: the batch is halved until it fits, with the same result', async () => onDeviceOrFallback(async () => {
    const clean = await (await gpuEvaluator(g, likelihood)).evaluate({ thetas, gradient: true });
    let refusals = 2;
    const ev = await gpuEvaluator(g, likelihood, { limits: { injectOutOfMemory: () => refusals-- > 0 } });
    const r = await ev.evaluate({ thetas, gradient: true });
    expect(refusals).toBeLessThan(0);
    expect(ev.lastRun.gpuRows).toBe(10);
    expect(Array.from(r.values)).toEqual(Array.from(clean.values));
  }));

  it('batches and dispatches split to fit limits (3 rows per batch, tiny dispatches, 2-D workgroup grids) give the same numbers', async () => onDeviceOrFallback(async () => {
    const rows = spread([1], 200);
    const sfs: Target = { kind: 'expectations', rewards: models.coalescentSfsRewards(g) };
    // 200 rows: 4 workgroups of 64 threads, laid out 3 × 2; the SFS's 7 replays per row: 22, laid out 5 × 5.
    for (const [target, perDimension] of [[likelihood, 3], [sfs, 5]] as const) {
      const clean = await (await gpuEvaluator(g, target)).evaluate({ thetas: rows, gradient: true });
      const ctx = await acquireGpu();
      const limit = ctx.limits.maxComputeWorkgroupsPerDimension;
      ctx.limits.maxComputeWorkgroupsPerDimension = perDimension;
      try {
        const split = await (await gpuEvaluator(g, target, { limits: { maxRows: 3 } })).evaluate({ thetas: rows, gradient: true });
        const grid = await (await gpuEvaluator(g, target, { limits: { dispatchWork: 500 } })).evaluate({ thetas: rows, gradient: true });
        expect(Array.from(split.values)).toEqual(Array.from(clean.values));
        expect(Array.from(grid.values)).toEqual(Array.from(clean.values));
        expect(Array.from(grid.gradients!)).toEqual(Array.from(clean.gradients!));
      } finally {
        ctx.limits.maxComputeWorkgroupsPerDimension = limit;
      }
    }
  }));

  it('rows the GPU cannot answer (an observation of probability 0) are computed in WASM: log L = −∞ as there', async () => onDeviceOrFallback(async () => {
    const impossible: Target = { kind: 'loglik', data: { times: [0, 1, 2] } }; // f(0) = 0: the coalescent takes time
    const ev = await gpuEvaluator(g, impossible);
    const r = await ev.evaluate({ thetas: spread([1], 3), gradient: true });
    expect(Array.from(r.values)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(ev.lastRun).toMatchObject({ gpuRows: 0, wasmRows: 3 });
  }));

  it('a θ row with a negative rate is refused as WASM refuses it (code and message)', async () => onDeviceOrFallback(async () => {
    const bad = Float64Array.of(1, 0.5, -2, 1);
    const wasmError = await (await createEvaluator(g, likelihood, { backend: 'wasm', cache: null })).evaluate({ thetas: bad }).catch((e: unknown) => e);
    const gpuError = await (await gpuEvaluator(g, likelihood)).evaluate({ thetas: bad }).catch((e: unknown) => e);
    expect(gpuError).toBeInstanceOf(GraphError);
    expect(gpuError).toMatchObject({ code: (wasmError as GraphError).code, message: (wasmError as GraphError).message });
  }));

  it('rows past limits.maxSteps go to WASM: dense matrices for a small chain, WORK_LIMIT for a large one, as in WASM', async () => onDeviceOrFallback(async () => {
    const target: Target = { kind: 'loglik', data: { times: [1, 50] }, limits: { maxSteps: 100 } };
    const thetas = Float64Array.of(1, 2);
    const ev = await gpuEvaluator(g, target);
    const r = await ev.evaluate({ thetas, gradient: true });
    expect(ev.lastRun).toMatchObject({ gpuRows: 0, wasmRows: 2 });
    const wasm = await wasmOf(g, target, thetas);
    expect(Array.from(r.values)).toEqual(Array.from(wasm.values));
    expect(Array.from(r.gradients!)).toEqual(Array.from(wasm.gradients!));
    const big = models.coalescent(15); // 175 transient states: more than dense matrices take
    await expect((await gpuEvaluator(big, target)).evaluate({ thetas })).rejects.toMatchObject({ code: 'WORK_LIMIT', message: expect.stringContaining('θ row 0') });
  }));

  it('an abort between dispatches rejects with AbortError', async () => onDeviceOrFallback(async () => {
    const controller = new AbortController();
    let n = 0;
    const ev = await gpuEvaluator(g, likelihood, { limits: { dispatchWork: 1000, onDispatch: () => { if (++n === 3) controller.abort(); } } });
    await expect(ev.evaluate({ thetas, gradient: true, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  }));

  it('more parameters than the GPU carries, or df64 on a device that failed its self-test, are GpuErrors', async () => onDeviceOrFallback(async () => {
    const wide = models.coalescent(4);
    const { spec, key } = await evaluatorSpec(wide, likelihood, 'webgpu');
    const tooMany = { ...spec, structure: { ...spec.structure, paramLength: 17, coef: new Float64Array(spec.structure.col.length * 17), loopCoef: new Float64Array(spec.structure.vertexCount * 17) } };
    await expect(createGpuEvaluator(tooMany, key, null)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const ctx = await acquireGpu();
    const passed = ctx.selfTest.df64;
    Object.assign(ctx.selfTest, { df64: false, detail: 'pretend the compiler broke two-sum' });
    try {
      await expect(createGpuEvaluator({ ...spec, precision: 'df64' }, key, null)).rejects.toMatchObject({ code: 'SELF_TEST_FAILED', message: expect.stringContaining('pretend the compiler broke two-sum') });
    } finally {
      Object.assign(ctx.selfTest, { df64: passed, detail: '' });
    }
  }));
});
