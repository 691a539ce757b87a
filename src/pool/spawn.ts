// Main side: starting workers, and one shape (WorkerHandle) for web workers and
// worker_threads alike: a Comlink endpoint, an exit notice, terminate.
import type * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { nodeBuiltin } from './node-builtins.js';
import { PoolError } from './errors.js';

/** The parts of a worker_threads Worker the pool uses. */
export interface NodeWorkerLike {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

/** A worker running a module that calls serve(): a web Worker or a worker_threads Worker. */
export type KernelWorker = Worker | NodeWorkerLike;

/**
 * Starts phasekit's kernel worker: workers/browser.js as a module worker in browsers,
 * workers/node.js on worker_threads in Node. Both sit two folders up from this module,
 * in the sources (src/pool/ → workers/) as in the build (dist/src/pool/ → dist/workers/).
 */
export function spawnKernelWorker(): KernelWorker {
  // Written out literally so that Vite (and other bundlers) find and bundle the worker.
  if (typeof Worker === 'function') return new Worker(new URL('../../workers/browser.js', import.meta.url), { type: 'module', name: 'phasekit-kernel' });
  const here = import.meta.url;
  return spawnNodeWorker(new URL(here.endsWith('.ts') ? '../../workers/node.ts' : '../../workers/node.js', here));
}

/** Starts `script` (a module that calls serve()) as a worker_threads Worker. TypeScript sources run through tsx. */
export function spawnNodeWorker(script: URL): NodeWorkerLike {
  const threads = nodeBuiltin('node:worker_threads');
  if (!threads) throw new PoolError('WORKER_FAILED', 'phasekit: spawnNodeWorker needs Node (worker_threads)');
  // Workers would inherit the parent's execArgv, and refuse to start over process-wide
  // flags (--input-type from `node -e`, --max-old-space-size, …): they get none, and a
  // heap limit given to the parent becomes the worker's resource limit.
  const options = { execArgv: [] as string[], resourceLimits: heapLimit(process.execArgv) };
  if (!script.pathname.endsWith('.ts')) return new threads.Worker(script, options);
  // From the TypeScript sources (tests, `tsx` scripts): worker_threads do not inherit
  // tsx's loader and ignore `--import` in execArgv, so the worker registers it itself.
  const boot = `
    const { createRequire } = require('node:module');
    const { dirname, join } = require('node:path');
    const { pathToFileURL } = require('node:url');
    const manifest = createRequire(${JSON.stringify(script.href)}).resolve('tsx/package.json');
    const api = join(dirname(manifest), require(manifest).exports['./esm/api'].import.default);
    import(pathToFileURL(api).href)
      .then((tsx) => tsx.register())
      .then(() => import(${JSON.stringify(script.href)}));`;
  return new threads.Worker(boot, { eval: true, ...options });
}

/** --max-old-space-size=N among Node's flags, as worker resource limits. */
function heapLimit(execArgv: readonly string[]): { maxOldGenerationSizeMb?: number } {
  for (let i = 0; i < execArgv.length; i++) {
    const m = /^--max[-_]old[-_]space[-_]size(?:=(\d+))?$/.exec(execArgv[i]);
    if (!m) continue;
    const mb = Number(m[1] ?? execArgv[i + 1]);
    if (Number.isFinite(mb) && mb > 0) return { maxOldGenerationSizeMb: mb };
  }
  return {};
}

/** A started worker as the pool drives it. */
export interface WorkerHandle {
  /** Where Comlink talks to the worker. */
  readonly endpoint: Comlink.Endpoint;
  /** Terminates the worker on the pool's behalf; no exit notice follows. */
  terminate(): Promise<void>;
  /** Terminates the worker as a crash would: the exit notice follows. */
  kill(): void;
  /** Node: a busy worker keeps the process alive, an idle one does not. */
  setBusy(busy: boolean): void;
}

/** Wraps `worker`; `onExit` is called once if the worker dies without the pool terminating it. */
export function workerHandle(worker: KernelWorker, onExit: (why: string) => void): WorkerHandle {
  let live = true;
  const exit = (why: string): void => {
    if (live) { live = false; onExit(why); }
  };
  if ('addEventListener' in worker) {
    // A web worker whose script throws keeps running but is in an unknown state; the
    // pool replaces it. Browsers give no notice of a terminated worker: kill() makes one.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      exit(`uncaught error in the worker: ${event.message}`);
    });
    worker.addEventListener('messageerror', () => exit('a message from the worker could not be read'));
    return {
      endpoint: worker,
      terminate: async () => { live = false; worker.terminate(); },
      kill: () => { worker.terminate(); exit('killed'); },
      setBusy: () => {},
    };
  }
  worker.on('error', (error: Error) => exit(`uncaught error in the worker: ${error.message}`));
  worker.on('exit', (code: number) => exit(`the worker exited with code ${code}`));
  worker.unref();
  return {
    endpoint: nodeEndpoint(worker),
    terminate: async () => { live = false; await worker.terminate(); },
    kill: () => void worker.terminate(),
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
  };
}
