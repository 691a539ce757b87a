// Where each rate of a CSR goes in the stepping matrix: the transient vertices, their
// incoming edges by target, and their edges out of the transient part. It depends on the
// structure only, so it is made once per CSR structure and kept while that structure
// lives: a pdf at a new θ then only gathers the rates (rabbits N = 200, 80k edges: the
// transposition's scattered writes took 3 ms of a 12 ms pdf; the gather takes a fraction).
//
// It is made in the kernel (a long first-call loop in JS runs unoptimised) and its arrays
// stay there between calls, with the tables every layout of its rows shares (reach and low:
// a pk_steps made without rates, pk_steps_share's base): the steppers lay each θ's rates
// out over them. Copying them out to JS and back in, and remaking the tables, at every call
// was 13 ms of a 90 ms pdf at a new θ (coalescent n = 50, three million edges). The kernel
// block is counted with the other residents (kernel/residency.ts), as a cheap one (its
// admission never pushes out an elimination): pinned while some stepping uses it, else
// released under pressure and made again from the structure on next use, and freed when the
// pattern is collected. JavaScript holds copies of the per-vertex arrays, and of the two
// per-edge ones (src, edgeOf) once something reads them.
import type { Csr } from '../graph/rates.js';
import { KernelError } from '../errors/index.js';
import { allocate, copyIn, kernel } from '../kernel/module.js';
import { KernelRates } from '../kernel/rates-at.js';
import { admit, forget, touch, type Resident } from '../kernel/residency.js';

/** The stepping matrix's sparsity, read off a CSR's structure. */
export interface StepPattern {
  /** Transient vertices (isTransient in graph/rates.ts), renumbered 0..count−1 in vertex order. */
  readonly count: number;
  /** index[v] = the transient index of vertex v, −1 for the start and absorbing vertices. */
  readonly index: Int32Array;
  readonly vertexOf: Int32Array;
  /** Incoming transient edges by target: inPtr[count+1], src (transient index), and the CSR edge each came from. */
  readonly inPtr: Int32Array;
  readonly src: Int32Array;
  readonly edgeOf: Int32Array;
  /** Each transient vertex's edges out of the transient part (CSR edges, ascending): exitPtr[count+1], exitEdge. */
  readonly exitPtr: Int32Array;
  readonly exitEdge: Int32Array;
}

/** One use of a pattern's arrays in kernel memory: pointers valid until `release`. */
export interface StepRowsUse {
  inPtr: number;
  src: number;
  edgeOf: number;
  /** The rows' shared tables, for pk_steps_share (never stepped itself). */
  base: number;
  /** Ends this use (once; later calls do nothing). */
  release(): void;
}

// Keyed by the CSR's col array: a CSR at θ without zero rates shares its structure's arrays
// (see ratesAt), so every θ of one graph finds the same entry; one with zero rates has
// arrays of its own, which die with it.
const patterns = new WeakMap<Int32Array, { rowPtr: Int32Array; pattern: Pattern }>();

/** The step pattern of `csr`, made on first use per structure. */
export function stepPattern(csr: Csr): StepPattern {
  const known = patterns.get(csr.col);
  if (known && known.rowPtr === csr.rowPtr && known.pattern.index.length === csr.vertexCount) return known.pattern;
  const pattern = new Pattern(csr);
  patterns.set(csr.col, { rowPtr: csr.rowPtr, pattern });
  return pattern;
}

/** The pattern's arrays in kernel memory (made again if they were released); release the use when done. */
export function useStepRows(pattern: StepPattern): StepRowsUse {
  if (!(pattern instanceof Pattern)) throw new TypeError('phasekit: not a step pattern made by stepPattern()');
  return pattern.use();
}

// The kernel block of one pattern: vertexOf, inPtr, src, edgeOf, exitPtr, exitEdge (one
// element at least each), and the shared tables. Refers to no pattern (a
// FinalizationRegistry keeps its held values alive); `users` counts uses not yet released,
// each of which holds its pattern.
interface RowsMemory extends Resident { block: number; base: number; users: number }
const registry = new FinalizationRegistry<RowsMemory>((memory) => freeRows(memory));

function freeRows(memory: RowsMemory): void {
  if (memory.block === 0) return;
  forget(memory);
  const k = kernel();
  k.pk_steps_free(memory.base);
  k.pk_free(memory.block);
  memory.block = memory.base = 0;
}

/** Offsets (in ints) of the arrays in a pattern's block, from its sizes. */
function layoutOf(count: number, incoming: number, exits: number) {
  const vertexOf = 0, inPtr = Math.max(1, count), src = inPtr + count + 1, edgeOf = src + Math.max(1, incoming);
  const exitPtr = edgeOf + Math.max(1, incoming), exitEdge = exitPtr + count + 1, ints = exitEdge + Math.max(1, exits);
  return { vertexOf, inPtr, src, edgeOf, exitPtr, exitEdge, ints };
}

class Pattern implements StepPattern {
  readonly count: number;
  readonly index: Int32Array;
  readonly vertexOf: Int32Array;
  readonly inPtr: Int32Array;
  readonly exitPtr: Int32Array;
  readonly exitEdge: Int32Array;
  private readonly incoming: number;
  private readonly memory: RowsMemory;
  private srcCopy: Int32Array | null = null;
  private edgeCopy: Int32Array | null = null;
  // The structure's rows, to make the kernel block again after a release.
  private readonly rowPtr: Int32Array;
  private readonly col: Int32Array;

  constructor(csr: Csr) {
    this.rowPtr = csr.rowPtr;
    this.col = csr.col;
    const memory: RowsMemory = { block: 0, base: 0, users: 0, bytes: 0, cheap: true, pinned: () => memory.users > 0, release: () => freeRows(memory) };
    this.memory = memory;
    registry.register(this, memory);
    const made = this.make(csr, true);
    this.count = made.count;
    this.incoming = made.incoming;
    this.index = made.index;
    const k = kernel(), at = layoutOf(made.count, made.incoming, made.exits);
    // The per-vertex arrays (and the exit edges, one a vertex at most in the models) are copied out now.
    const out = (offset: number, length: number) => new Int32Array(k.memory.buffer, memory.block + 4 * offset, length).slice();
    this.vertexOf = out(at.vertexOf, made.count);
    this.inPtr = out(at.inPtr, made.count + 1);
    this.exitPtr = out(at.exitPtr, made.count + 1);
    this.exitEdge = out(at.exitEdge, made.exits);
  }

  get src(): Int32Array {
    return (this.srcCopy ??= this.copyOut('src'));
  }

  get edgeOf(): Int32Array {
    return (this.edgeCopy ??= this.copyOut('edgeOf'));
  }

  use(): StepRowsUse {
    const memory = this.memory;
    if (memory.block === 0) this.make(null, false);
    else touch(memory);
    const at = layoutOf(this.count, this.incoming, this.exitEdge.length);
    memory.users++;
    let released = false;
    // The use holds the pattern: its block is not finalised while the use lasts.
    const pattern = this;
    return {
      inPtr: memory.block + 4 * at.inPtr, src: memory.block + 4 * at.src, edgeOf: memory.block + 4 * at.edgeOf, base: memory.base,
      release() {
        if (released) return;
        released = true;
        pattern.memory.users--;
      },
    };
  }

  private copyOut(which: 'src' | 'edgeOf'): Int32Array {
    const use = this.use();
    try {
      return new Int32Array(kernel().memory.buffer, use[which], this.incoming).slice();
    } finally {
      use.release();
    }
  }

  // Makes the block from the structure's rows (where `csr` holds them in kernel memory, read
  // there; else copied in for the call); the index is copied out when `withIndex`.
  private make(csr: Csr | null, withIndex: boolean): { count: number; incoming: number; exits: number; index: Int32Array } {
    const k = kernel(), n = this.rowPtr.length - 1, memory = this.memory;
    const temporary: number[] = [];
    const keep = (ptr: number) => (temporary.push(ptr), ptr);
    try {
      const held = csr instanceof KernelRates ? csr.inKernel() : null;
      const rp = held?.rowPtr ?? keep(copyIn(k, this.rowPtr)), col = held?.col ?? keep(copyIn(k, this.col));
      const index = keep(allocate(k, 4 * Math.max(1, n))), sizes = keep(allocate(k, 12));
      k.pk_step_pattern_count(n, rp, col, index, sizes);
      const [count, incoming, exits] = new Int32Array(k.memory.buffer, sizes, 3);
      const at = layoutOf(count, incoming, exits);
      const fill = keep(allocate(k, 4 * Math.max(1, count)));
      const block = allocate(k, 4 * at.ints);
      const ptr = (offset: number) => block + 4 * offset;
      k.pk_step_pattern_fill(n, rp, col, index, count, ptr(at.vertexOf), ptr(at.inPtr), ptr(at.src), ptr(at.edgeOf), ptr(at.exitPtr), ptr(at.exitEdge), fill);
      const base = k.pk_steps_create(count, ptr(at.inPtr), ptr(at.src), 0, 0);
      if (base === 0) {
        k.pk_free(block);
        throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not lay out ${count} rows for stepping (wasm32 memory is capped at 4 GiB)`);
      }
      // Views after every allocation (growing memory detaches earlier ones).
      const indexCopy = withIndex ? new Int32Array(k.memory.buffer, index, n).slice() : new Int32Array(0);
      memory.block = block;
      memory.base = base;
      // The block and the tables (reach and low: count + 1 ints each).
      admit(memory, 4 * at.ints + 8 * (count + 1));
      return { count, incoming, exits, index: indexCopy };
    } finally {
      for (const p of temporary) k.pk_free(p);
    }
  }
}
