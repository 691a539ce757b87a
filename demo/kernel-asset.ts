// The kernel for the demo's pages and workers: phasekit.wasm as a hashed asset of
// the Vite build (vite.config.ts puts this module in place of src/kernel/wasm-source.ts),
// so the service worker precaches it and the scripts carry no base64 copy.
import wasmUrl from '../build/phasekit.wasm?url';
import { compileKernelAt } from '../browser/kernel-file.js';

/** Compiles the kernel from the build's asset. */
export function compileKernel(): Promise<WebAssembly.Module> {
  return compileKernelAt(wasmUrl);
}
