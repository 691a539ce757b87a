// The eliminated graph: a handle to the kernel's command list, replayed once
// per reward vector. Kernel memory is freed by dispose() or, failing that, by
// the garbage collector through a FinalizationRegistry.
import { GraphError, KernelError } from '../errors/index.js';
import type { Csr } from '../graph/rates.js';
import { allocate, copyOutF64, f64View, kernel, type KernelExports } from './module.js';
import { KernelRates } from './rates-at.js';

const ERR_NO_ABSORPTION = 1;
const ERR_OUT_OF_MEMORY = 2;
const ERR_EDGE_TO_START = 3;
const ERR_WORK_LIMIT = 4;

interface Owned { ptr: number; scratch: number }
const MOMENT_SLOTS = 16;
const registry = new FinalizationRegistry<Owned>((owned) => release(owned));
function release(owned: Owned): void {
  const k = kernel();
  k.pk_elim_free(owned.ptr);
  k.pk_free(owned.scratch);
}

/** Counts describing one elimination (for benchmarks and diagnostics). */
export interface EliminationStats {
  /** Vertices, start and absorbing included. */
  vertices: number;
  /** Replay commands (`x[a] += m·x[b]` or `x[a] *= m`). */
  commands: number;
  /** Strongly connected components. */
  components: number;
  /** Size of the largest component. */
  largestComponent: number;
  /** Arcs created by elimination inside components (fill-in). */
  fill: number;
  /** Arcs merged inside components: the elimination's work, what `maxWork` bounds. */
  work: number;
}

/** A graph eliminated at one parameter value: solves for expected accumulated rewards. */
export class Elimination {
  readonly vertexCount: number;
  private owned: Owned | null;
  private readonly k: KernelExports;

  /** @internal Use {@link eliminate}. */
  constructor(k: KernelExports, ptr: number, n: number) {
    this.k = k;
    this.vertexCount = n;
    // Scratch: rewards (n), two work vectors (2n), moment outputs (MOMENT_SLOTS).
    this.owned = { ptr, scratch: allocate(k, 8 * (3 * n + MOMENT_SLOTS)) };
    registry.register(this, this.owned, this);
  }

  private handle(): Owned {
    if (!this.owned) throw new KernelError('NOT_READY', 'phasekit: this elimination was disposed');
    return this.owned;
  }

  /** x[v] = expected reward accumulated before absorption when starting in v (x[0]: from the initial distribution). */
  solve(rewards: Float64Array): Float64Array {
    const { ptr, scratch } = this.handle();
    const n = this.vertexCount;
    f64View(this.k, scratch, n).set(rewards);
    this.k.pk_solve(ptr, scratch, scratch + 8 * n);
    return copyOutF64(this.k, scratch + 8 * n, n);
  }

  /** Raw moments E[R], …, E[R^k] of a continuous graph, the whole recursion m_j = j·solve(r ⊙ m_{j−1}) in one kernel call. */
  moments(rewards: Float64Array, k: number): number[] {
    const { ptr, scratch } = this.handle();
    const n = this.vertexCount;
    const out = k <= MOMENT_SLOTS ? scratch + 8 * 3 * n : allocate(this.k, 8 * k);
    try {
      f64View(this.k, scratch, n).set(rewards);
      this.k.pk_moments(ptr, scratch, k, scratch + 8 * n, out);
      return Array.from(f64View(this.k, out, k));
    } finally {
      if (k > MOMENT_SLOTS) this.k.pk_free(out);
    }
  }

  /** The transpose of solve: for weights y over the outputs, ∂(y·x)/∂rewards. With y = e_start: expected time in each vertex. */
  solveAdjoint(weights: Float64Array): Float64Array {
    const { ptr, scratch } = this.handle();
    const n = this.vertexCount;
    f64View(this.k, scratch, n).set(weights);
    this.k.pk_solve_adjoint(ptr, scratch, scratch + 8 * n);
    return copyOutF64(this.k, scratch + 8 * n, n);
  }

  /** Sizes of this elimination. */
  stats(): EliminationStats {
    const { ptr } = this.handle();
    return {
      vertices: this.vertexCount,
      commands: this.k.pk_elim_ncmd(ptr),
      components: this.k.pk_elim_nscc(ptr),
      largestComponent: this.k.pk_elim_max_scc(ptr),
      fill: this.k.pk_elim_fill(ptr),
      work: this.k.pk_elim_work(ptr),
    };
  }

  /** About the bytes of kernel memory it holds (its commands, scalings and scratch); 0 once disposed. */
  kernelBytes(): number {
    if (!this.owned) return 0;
    return 16 * this.k.pk_elim_ncmd(this.owned.ptr) + 8 * (4 * this.vertexCount + MOMENT_SLOTS);
  }

  /** Frees kernel memory now rather than at garbage collection. */
  dispose(): void {
    if (!this.owned) return;
    registry.unregister(this);
    release(this.owned);
    this.owned = null;
  }
}

/**
 * Runs graph elimination on a graph whose rates are fixed (see {@link Csr}). With
 * `maxWork`, it stops with GraphError WORK_LIMIT once it has merged that many arcs inside
 * components (about 12 ns each: a random cyclic graph of 4,000 states merges 2·10⁹ in 26 s).
 */
export function eliminate(csr: Pick<Csr, 'vertexCount' | 'rowPtr' | 'col' | 'weight'>, maxWork = 0): Elimination {
  const k = kernel();
  k.pk_set_elim_budget(maxWork);
  try {
    return new Elimination(k, eliminateRaw(csr, false), csr.vertexCount);
  } finally {
    k.pk_set_elim_budget(0);
  }
}

/** @internal pk_eliminate with errors mapped; returns the kernel pointer. */
export function eliminateRaw(csr: Pick<Csr, 'vertexCount' | 'rowPtr' | 'col' | 'weight'>, record: boolean): number {
  const k = kernel();
  const n = csr.vertexCount, m = csr.col.length;
  // Rates already in kernel memory (the direct path's) are eliminated in place.
  const resident = csr instanceof KernelRates ? csr.inKernel() : null;
  if (resident) {
    const err = allocate(k, 8);
    try {
      return checked(k, k.pk_eliminate(n, resident.rowPtr, resident.col, resident.w, record ? 1 : 0, err), err, n);
    } finally {
      k.pk_free(err);
    }
  }
  // The inputs in one block: on a small graph each allocation costs about what
  // eliminating a vertex does. Weights first (8-byte aligned), then err, rowPtr, col.
  const block = allocate(k, 8 * m + 8 + 4 * (n + 1) + 4 * m);
  try {
    const w = block, err = w + 8 * m, rowPtr = err + 8, col = rowPtr + 4 * (n + 1);
    const memory = k.memory.buffer;
    new Float64Array(memory, w, m).set(csr.weight);
    new Int32Array(memory, rowPtr, n + 1).set(csr.rowPtr);
    new Int32Array(memory, col, m).set(csr.col);
    return checked(k, k.pk_eliminate(n, rowPtr, col, w, record ? 1 : 0, err), err, n);
  } finally {
    k.pk_free(block);
  }
}

/** The elimination pointer, or the error pk_eliminate wrote at `err`, thrown. */
function checked(k: KernelExports, elim: number, err: number, n: number): number {
  if (elim !== 0) return elim;
  const [code, vertex] = new Int32Array(k.memory.buffer, err, 2);
  if (code === ERR_NO_ABSORPTION)
    throw new GraphError('NO_ABSORPTION', `vertex ${vertex} cannot reach an absorbing vertex (its expected absorption time is infinite)`, { vertex });
  if (code === ERR_EDGE_TO_START)
    throw new GraphError('EDGE_TO_START', `vertex ${vertex} has an edge into the start vertex 0; the start vertex only gives the initial distribution`, { vertex });
  if (code === ERR_WORK_LIMIT)
    throw new GraphError('WORK_LIMIT', `elimination of ${n} vertices passed its work limit (its components fill in toward dense matrices)`);
  if (code === ERR_OUT_OF_MEMORY)
    throw new KernelError('OUT_OF_MEMORY', `phasekit: elimination of ${n} vertices ran out of wasm32 memory (4 GiB)`);
  throw new KernelError('OUT_OF_MEMORY', `phasekit: elimination failed with kernel code ${code}`);
}
