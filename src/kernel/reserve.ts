// Kernel memory made ready before it is needed. The first large call in a fresh kernel
// grows its memory, and the pages are first written during that call: on the 2-core VM
// this project is measured on, about 2 ms per MB, a third of coalescent n = 40's first
// build in a fresh worker. Written once here (in idle time, say), the block is freed at once and the
// allocator hands the same pages out again.
import { allocate, kernel } from './module.js';

/** Grows the kernel's memory by `bytes` (if not that much is free at its end already) and writes it once. */
export function reserveKernelMemory(bytes: number): void {
  if (bytes <= 0) return;
  const k = kernel();
  const p = allocate(k, bytes);
  try {
    new Uint8Array(k.memory.buffer, p, bytes).fill(0);
  } finally {
    k.pk_free(p);
  }
}
