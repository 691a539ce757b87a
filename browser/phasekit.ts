// phasekit/browser: the library and its worker pool as one ES module for pages
// without a bundler or an import map (plain <script type="module">, Observable,
// JupyterLite). Dependencies are bundled in; the worker (phasekit-worker.js) and
// the kernel (phasekit.wasm) sit beside it. Built by scripts/build-browser.mjs.
export * from '../src/index.js';
export { Pool, type PoolOptions, type CallOptions, type AtThetaCallOptions, type MomentsOptions, type BatchOptions, type PoolStats } from '../src/pool/index.js';
export type { Progress, ProgressCallback } from '../src/pool/index.js';
export { createPool, spawnKernelWorker } from './kernel-worker.js';
