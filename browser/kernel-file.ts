// The kernel for bundles that ship phasekit.wasm as a file beside them (the
// browser build swaps src/kernel/wasm-source.ts for this module): fetched once,
// compiled while it streams, cached by the browser and by service workers.
import { KernelError } from '../src/errors/index.js';

// Not a literal inside new URL(): bundlers that rewrite `new URL('lit', import.meta.url)`
// would look for the file at build time, beside this source.
const WASM_FILE = './phasekit.wasm';

/** Fetches and compiles the kernel from `url`; a failed fetch is KernelError LOAD_FAILED naming the URL. */
export async function compileKernelAt(url: string | URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new KernelError('LOAD_FAILED', `phasekit: ${String(url)} answered ${response.status} ${response.statusText}`.trim());
  // compileStreaming insists on Content-Type application/wasm, which not every static server sends.
  if (response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm') return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Compiles phasekit.wasm from beside this module's bundle. */
export function compileKernel(): Promise<WebAssembly.Module> {
  return compileKernelAt(new URL(WASM_FILE, import.meta.url));
}
