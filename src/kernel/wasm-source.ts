// Where the kernel's bytes come from. By default they are embedded as base64 (see
// wasm-src/build.sh), so Node, pages and workers load them the same way, with no
// file to fetch or path to resolve. Bundles for pages swap this module for one
// that fetches phasekit.wasm (browser/kernel-file.ts): a third smaller, compiled
// while it streams, and cached by the browser and by service workers as a file.
import { wasmBase64 } from './wasm-binary.generated.js';

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Compiles the kernel from the bytes embedded in this module. */
export function compileKernel(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(decodeBase64(wasmBase64) as BufferSource);
}
