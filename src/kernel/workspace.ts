// Kernel memory an evaluator reuses from call to call: one block, laid out into
// named regions per call and grown (never shrunk) when a call needs more, so a
// batch of θ rows costs no allocation after the first.
import { allocate, kernel, type KernelExports } from './module.js';

const registry = new FinalizationRegistry<{ ptr: number }>((block) => { if (block.ptr) kernel().pk_free(block.ptr); });

/** A reusable block of kernel memory, cut into regions by {@link KernelWorkspace.layout}. */
export class KernelWorkspace {
  private readonly block = { ptr: 0 };
  private capacity = 0;
  private readonly k: KernelExports = kernel();

  constructor() {
    registry.register(this, this.block, this);
  }

  /**
   * Pointers to regions of these byte sizes (each 8-byte aligned). Contents are not kept
   * across calls, and pointers from an earlier layout are invalid after this one.
   */
  layout<T extends Record<string, number>>(sizes: T): { [K in keyof T]: number } {
    let total = 0;
    const offsets: Record<string, number> = {};
    for (const [name, bytes] of Object.entries(sizes)) {
      offsets[name] = total;
      total += Math.ceil(Math.max(8, bytes) / 8) * 8;
    }
    if (total > this.capacity) {
      if (this.block.ptr) this.k.pk_free(this.block.ptr);
      this.block.ptr = 0;
      const grown = Math.max(total, Math.ceil(this.capacity * 1.5));
      this.block.ptr = allocate(this.k, grown);
      this.capacity = grown;
    }
    for (const name of Object.keys(offsets)) offsets[name] += this.block.ptr;
    return offsets as { [K in keyof T]: number };
  }

  /** Frees the block now. */
  dispose(): void {
    if (this.block.ptr) this.k.pk_free(this.block.ptr);
    this.block.ptr = 0;
    this.capacity = 0;
    registry.unregister(this);
  }
}
