// Where the WebGPU API comes from: `navigator.gpu` in browsers and workers; in
// Node the optional `webgpu` package (Dawn), loaded on first use. Dawn's GPU
// object is kept in a module variable for the life of the process: if it is
// garbage-collected while devices live, dawn.node crashes. In Node it is used
// from the main thread only: a worker_threads worker terminated with a pipeline
// compile pending takes dawn.node down with it (measured: the pool's close()).

/** A WebGPU entry point, or why there is none. */
export type GpuAccess = { gpu: GPU } | { reason: string };

/** Supplies the WebGPU entry point (tests replace it to simulate machines without one). */
export type GpuProvider = () => Promise<GpuAccess>;

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let nodeGpu: GPU | null = null;

async function nodeWebgpu(): Promise<GpuAccess> {
  if (nodeGpu) return { gpu: nodeGpu };
  // process.getBuiltinModule, not an import: browser bundlers must see nothing to resolve.
  const threads = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:worker_threads') as { isMainThread: boolean } | undefined;
  if (threads && !threads.isMainThread) return { reason: 'in Node, WebGPU (dawn.node) is used from the main thread only, not from worker threads' };
  let module: { create(options: string[]): GPU };
  try {
    // A variable specifier: bundlers leave it alone, and Node users without the package pay nothing.
    const name = 'webgpu';
    module = (await import(/* @vite-ignore */ name)) as typeof module;
  } catch (e) {
    return { reason: `the optional 'webgpu' package (Dawn for Node) is not installed or does not load here: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    nodeGpu = module.create([]);
  } catch (e) {
    return { reason: `Dawn (the 'webgpu' package) failed to start: ${(e as Error).message.split('\n')[0]}` };
  }
  return { gpu: nodeGpu };
}

/** The platform's WebGPU: `navigator.gpu`, else (Node) the `webgpu` package. */
export const platformGpu: GpuProvider = async () => {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) return { reason: 'this browser exposes no navigator.gpu (WebGPU is off or unsupported; Chromium on Linux needs --enable-unsafe-webgpu)' };
  return nodeWebgpu();
};

/** The hint added to "no adapter" in Node: Dawn needs a Vulkan driver. */
export function noAdapterHint(): string {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) return '';
  const icd = process.env?.VK_ICD_FILENAMES;
  return icd
    ? ` (VK_ICD_FILENAMES=${icd}; Dawn needs libvulkan1 and a working Vulkan driver)`
    : ` (Dawn needs libvulkan1 and a Vulkan driver; without a GPU set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}, Chromium's SwiftShader)`;
}
