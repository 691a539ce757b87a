// Starting the kernel worker of the browser build: phasekit-worker.js, beside the
// bundle. Module workers must come from the page's origin, so a bundle imported
// from elsewhere (a CDN, in Observable or JupyterLite) starts a same-origin blob
// module that imports the worker; its own imports then resolve against its real URL.
import { Pool, type PoolOptions } from '../src/pool/index.js';

const WORKER_FILE = './phasekit-worker.js';

/** Starts one kernel worker from the browser build. */
export function spawnKernelWorker(): Worker {
  const url = new URL(WORKER_FILE, import.meta.url);
  const options: WorkerOptions = { type: 'module', name: 'phasekit-kernel' };
  if (typeof location === 'undefined' || url.origin === location.origin) return new Worker(url, options);
  const trampoline = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  // The worker has fetched the blob once it runs; revoking it later keeps the page from leaking it.
  setTimeout(() => URL.revokeObjectURL(trampoline), 60_000);
  return new Worker(trampoline, options);
}

/** A pool of kernel workers started from the browser build (options as phasekit/pool's createPool). */
export function createPool(options: PoolOptions = {}): Pool {
  return new Pool({ worker: spawnKernelWorker, ...options });
}
