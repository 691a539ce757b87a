// A step pattern's rows kept in kernel memory between calls: the incoming rows (inPtr,
// src), the CSR edge each came from (edgeOf), and the tables every layout of them shares
// (reach, low: a pk_steps made without rates, pk_steps_share's base). They depend on the
// structure only; copying them in and making the tables at every call was 13 ms of a 90 ms
// pdf at a new θ (coalescent n = 50, three million edges). Counted with the kernel's other
// residents: pinned while some stepping uses them, else released under pressure and made
// again on next use, and freed when the pattern is collected.
import { KernelError } from '../errors/index.js';
import { allocate, kernel, type KernelExports } from '../kernel/module.js';
import { admit, forget, touch, type Resident } from '../kernel/residency.js';
import type { StepPattern } from './step-pattern.js';

/** One use of a pattern's rows in kernel memory: pointers valid until `release`. */
export interface StepRowsUse {
  inPtr: number;
  src: number;
  edgeOf: number;
  /** The rows' shared tables, for pk_steps_share (never stepped itself). */
  base: number;
  /** Held so that the rows are not freed with it while in use. */
  pattern: StepPattern;
  /** Ends this use (once; later calls do nothing). */
  release(): void;
}

// Refers to no pattern (a FinalizationRegistry keeps its held values alive): `users` counts
// the uses not yet released, each of which holds its pattern.
interface RowsMemory extends Resident { block: number; base: number; users: number }

const memories = new WeakMap<StepPattern, RowsMemory>();
const registry = new FinalizationRegistry<RowsMemory>((memory) => freeRows(memory));

function freeRows(memory: RowsMemory): void {
  if (memory.block === 0) return;
  forget(memory);
  const k = kernel();
  k.pk_steps_free(memory.base);
  k.pk_free(memory.block);
  memory.block = memory.base = 0;
}

/** The pattern's rows in kernel memory, made on first use (or after a release); release the use when done. */
export function useStepRows(pattern: StepPattern): StepRowsUse {
  let memory = memories.get(pattern);
  if (!memory) {
    const fresh: RowsMemory = { block: 0, base: 0, users: 0, bytes: 0, pinned: () => fresh.users > 0, release: () => freeRows(fresh) };
    memory = fresh;
    memories.set(pattern, memory);
    registry.register(pattern, memory);
  }
  const k = kernel();
  if (memory.block === 0) makeRows(k, pattern, memory);
  else touch(memory);
  const { count, src } = pattern, nnz = src.length;
  const inPtr = memory.block, srcAt = inPtr + 4 * (count + 1), edgeOf = srcAt + 4 * Math.max(1, nnz);
  memory.users++;
  let released = false;
  const held = memory;
  return {
    inPtr, src: srcAt, edgeOf, base: memory.base, pattern,
    release() {
      if (released) return;
      released = true;
      held.users--;
    },
  };
}

// One block: inPtr, then src, then edgeOf (one element at least each), then the tables.
function makeRows(k: KernelExports, pattern: StepPattern, memory: RowsMemory): void {
  const { count, inPtr, src, edgeOf } = pattern, nnz = src.length;
  const ints = count + 1 + 2 * Math.max(1, nnz);
  const block = allocate(k, 4 * ints);
  const view = new Int32Array(k.memory.buffer, block, ints);
  view.set(inPtr);
  view.set(src, count + 1);
  view.set(edgeOf, count + 1 + Math.max(1, nnz));
  const base = k.pk_steps_create(count, block, block + 4 * (count + 1), 0, 0);
  if (base === 0) {
    k.pk_free(block);
    throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not lay out ${count} rows for stepping (wasm32 memory is capped at 4 GiB)`);
  }
  memory.block = block;
  memory.base = base;
  // The block and the tables (reach and low: count + 1 ints each).
  admit(memory, 4 * ints + 8 * (count + 1));
}
