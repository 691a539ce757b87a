// Fixture for e2e/webgpu.spec.ts and bench/gpu/browser.ts: the WebGPU backend in
// Chromium (--enable-unsafe-webgpu, SwiftShader when there is no GPU), its
// pipeline cache in IndexedDB, and a module worker.
import { cacheInfo, createEvaluator, evaluatorSpec, models, ready } from '../../../src/index.js';
import { compare, erlang, particles } from './run.js';

async function webgpu() {
  return import('../../../src/webgpu/index.js');
}

/** gpuStatus(), after loading the backend (which registers layer 3). */
async function gpuInfo() {
  return (await webgpu()).gpuStatus();
}

/** Layer 3's numbers (computed, prewarmed, hits, misses, stored records). */
async function pipelines() {
  await webgpu();
  const info = (await cacheInfo()).pipelines!;
  return { computed: info.computed, prewarmed: (info as unknown as { prewarmed: number }).prewarmed, hits: info.hits, misses: info.misses, stored: info.tiers.indexeddb?.entries ?? 0 };
}

/** Starts the device and waits for its background prewarm of the stored pipelines: what it did, and layer 3's numbers after. */
async function prewarmed() {
  const w = await webgpu();
  await w.acquireGpu();
  const result = await w.pipelineCache().lastPrewarm;
  return { result, ...(await pipelines()) };
}

/** The comparison in a module worker. */
function inWorker(n: number, rows: number, observations: number, precision: 'f32' | 'df64') {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message)); };
    worker.postMessage({ n, rows, observations, precision });
  });
}

/** A batch during which the device is destroyed (after `after` dispatches): the evaluator's report and the numbers vs WASM. */
async function deviceLoss(after: number) {
  await ready();
  const w = await webgpu();
  const g = models.coalescent(6);
  const target = { kind: 'loglik' as const, data: { times: [0.3, 0.7, 1.2, 2.5] } };
  const { spec, key } = await evaluatorSpec(g, target, 'webgpu');
  let n = 0;
  const ev = await w.createGpuEvaluator(spec, key, null, { limits: { dispatchWork: 200, onDispatch: async () => { if (++n === after) (await w.acquireGpu()).device.destroy(); } } });
  const thetas = particles(6);
  const r = await ev.evaluate({ thetas, gradient: true });
  const wasm = await (await createEvaluator(g, target, { backend: 'wasm', cache: null })).evaluate({ thetas, gradient: true });
  const error = Math.max(...Array.from(r.values, (v, i) => Math.abs(v - wasm.values[i]) / Math.abs(wasm.values[i])));
  return { lastRun: ev.lastRun, error };
}

/** Time to make every pipeline of a likelihood evaluator (the first evaluation of a small batch, minus nothing: it includes the compile). */
async function firstEvaluationMs(n: number) {
  await ready();
  const g = models.coalescent(n);
  const ev = await createEvaluator(g, { kind: 'loglik', data: { times: [0.5, 1, 2] } }, { backend: 'webgpu', cache: null });
  const t0 = performance.now();
  await ev.evaluate({ thetas: particles(4), gradient: true });
  return performance.now() - t0;
}

Object.assign(window, { gpuInfo, pipelines, prewarmed, compare, erlang, inWorker, deviceLoss, firstEvaluationMs, fixtureReady: true });
