// Kernel memory that only speeds things up (a structure's parameterisation, a graph's
// rates and elimination at its last θ), kept under one byte budget, least recently used
// released first. Each was freed only when the garbage collector finalised its owner, and
// the collector knows nothing of WebAssembly memory: a synchronous loop building graphs
// grew the kernel by megabytes per graph without bound (coalescent n = 30: 2.4 MB each).
// A released resident is made again on its next use.
import { isOutOfMemory } from '../errors/index.js';

/** Kernel memory that can be given back and made again. */
export interface Resident {
  /** Bytes it holds in kernel memory now. */
  bytes: number;
  /** Whether something relies on it staying (then it is not released). */
  pinned(): boolean;
  /** Frees its kernel memory; its owner makes it again when next used. */
  release(): void;
  /**
   * Made again in one pass over its structure (a step pattern): its admission releases only
   * other cheap residents, never one dearer to make again (an elimination); it stays over the
   * budget instead, until the next admission of a dear one releases it in its turn.
   */
  cheap?: boolean;
}

/** Budget used unless {@link setResidentBudget} says otherwise. */
export const DEFAULT_RESIDENT_BUDGET = 128 * 1048576;

let budget = DEFAULT_RESIDENT_BUDGET;
let total = 0;
// Insertion order is recency order: a use moves the resident to the end.
const residents = new Set<Resident>();

/** Counts `r` in (or again, with its current bytes) as the most recently used, then releases others over the budget. */
export function admit(r: Resident, bytes: number): void {
  if (residents.delete(r)) total -= r.bytes;
  r.bytes = bytes;
  residents.add(r);
  total += bytes;
  trim(r);
}

/** Marks `r` as just used. */
export function touch(r: Resident): void {
  if (residents.delete(r)) residents.add(r);
}

/** Stops counting `r` (it was freed by its owner). */
export function forget(r: Resident): void {
  if (residents.delete(r)) total -= r.bytes;
}

/** @internal Sets the byte budget (tests use small ones); releases residents over it now. */
export function setResidentBudget(bytes: number): void {
  budget = bytes;
  trim(null);
}

/**
 * Releases every resident not pinned, whatever the budget: for a caller whose work ran out of
 * kernel memory and has unwound (nothing of it holds a resident's pointers any more), before
 * it tries once more. Returns the bytes released.
 */
export function releaseAll(): number {
  const before = total;
  const saved = budget;
  budget = 0;
  try {
    trim(null);
  } finally {
    budget = saved;
  }
  return before - total;
}

/**
 * `compute`, run once more when it ran out of kernel memory (KernelError OUT_OF_MEMORY) after
 * every resident not pinned is released; `beforeRetry` lets the caller give back its own kept
 * memory first. Only for a computation that, once it has unwound, holds no resident's pointers
 * and has changed nothing it would not redo. Throws the error as it was when nothing could be
 * released (the same call would fail again).
 */
export function withMemoryRetry<T>(compute: () => T, beforeRetry?: () => void): T {
  try {
    return compute();
  } catch (e) {
    if (!isOutOfMemory(e)) throw e;
    const held = total;
    beforeRetry?.();
    releaseAll();
    if (total === held) throw e;
    return compute();
  }
}

/**
 * {@link withMemoryRetry} for memory that only speeds work up (kernel lanes): null where
 * even the retry finds no room, and the caller goes the slower way.
 */
export function withMemoryOrNone<T>(compute: () => T | null): T | null {
  try {
    return withMemoryRetry(compute);
  } catch (e) {
    if (isOutOfMemory(e)) return null;
    throw e;
  }
}

/** Bytes and count of kernel residents now counted. */
export function residentUsage(): { bytes: number; count: number; budget: number } {
  return { bytes: total, count: residents.size, budget };
}

// Least recently used first; never `keep` (the one being admitted, whose owner is using it).
// A cheap resident's admission releases cheap ones only (see Resident.cheap).
// Releasing one resident may unpin another (rates hold their parameterisation): then again.
function trim(keep: Resident | null): void {
  const cheapOnly = keep?.cheap === true;
  for (let released = true; released && total > budget;) {
    released = false;
    for (const r of residents) {
      if (total <= budget) return;
      if (r === keep || r.pinned() || (cheapOnly && !r.cheap)) continue;
      residents.delete(r);
      total -= r.bytes;
      r.release();
      released = true;
    }
  }
}
