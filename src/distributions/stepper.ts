// The chain stepped in the kernel, chunk by chunk: v_{k+1} = v_k (diag(stay) + P)
// over the transient vertices, recording a_k = v_k·exit and b_k = Σ v_k. One
// fixed-size chunk of a and b at a time, so memory does not grow with the number
// of steps; once the surviving mass is below `stopMass` the stepper stops, and
// every later a_k, b_k counts as 0.
import { allocate, copyIn, f64View, kernel, type KernelExports } from '../kernel/module.js';
import type { Csr } from '../graph/rates.js';
import { KernelRates } from '../kernel/rates-at.js';
import { stepPattern, useStepRows, type StepRowsUse } from './step-pattern.js';
import { KernelError } from '../errors/index.js';

/** Steps per kernel call. */
export const CHUNK = 8192;

/** The transient part of a graph as the stepper reads it. */
export interface StepMatrix {
  /** Transient vertices, renumbered 0..count−1 in vertex order. */
  count: number;
  /** vertexOf[i] = the vertex of transient index i. */
  vertexOf: Int32Array;
  /** Incoming transient edges by target: inPtr[count+1], src, p = weight/scale. vertexOf, inPtr and src are the structure's step pattern's, shared: read only. */
  inPtr: Int32Array;
  readonly src: Int32Array;
  /** How many incoming transient edges (src's length, known without reading src). */
  edges: number;
  readonly p: Float64Array;
  stay: Float64Array;
  /** Rate (probability) of absorption from each transient vertex. */
  exit: Float64Array;
  /** Total exit rate of each transient vertex (unscaled). */
  rate: Float64Array;
  /** Initial mass on each transient vertex. */
  alpha: Float64Array;
  /** The largest of `rate` and of `exit` (0 without transient vertices). */
  largestRate: number;
  largestExit: number;
  /** The scale p and stay were made with. */
  scale: number;
  /**
   * @internal p in kernel memory, gathered there on first call and owned by the matrix until
   * {@link StepMatrix.dispose}: the steppers read it in place. Absent on a matrix made by hand.
   */
  kernelP?(): number;
  /** @internal Frees the kernel copy of p (once); p stays readable. */
  dispose?(): void;
  /** @internal A use of the structure's rows in kernel memory (see step-pattern.ts); absent on a matrix made by hand. */
  useRows?(): StepRowsUse;
}

/** Kernel memory of a matrix's p, freed by dispose or, failing that, when the matrix is collected. */
interface PMemory { ptr: number }
const unfreed = new FinalizationRegistry<PMemory>((memory) => freeP(memory));
function freeP(memory: PMemory): void {
  if (memory.ptr !== 0) kernel().pk_free(memory.ptr);
  memory.ptr = 0;
}

/**
 * The stepping matrix of `csr` with uniformisation rate `scale` (1 for discrete graphs;
 * default the largest exit rate, or 1 where there is none): the rates at θ gathered into
 * the structure's step pattern, in the order of its edges (so every sum is the same bits
 * as summed edge by edge). The gather of p, one rate per edge, waits until p is read: in
 * the kernel for the steppers (coalescent n = 50, three million edges: 42 ms in JS, 7 ms
 * there, and no copy in), in JavaScript for the dense fallback.
 */
export function stepMatrix(csr: Csr, scale?: number): StepMatrix {
  const pattern = stepPattern(csr);
  // (The pattern's per-edge arrays, src and edgeOf, are read only by the JS paths: the kernel
  // steps and gathers over its own copy of them.)
  const { count, index, vertexOf, inPtr, exitPtr, exitEdge } = pattern, nnz = inPtr[count];
  // Rates held in kernel memory are read where they lie (nothing below allocates kernel
  // memory, so the view stays valid): a copy out cost 19 ms a call at coalescent n = 50.
  const exitRate = csr.exitRate, held = csr instanceof KernelRates ? csr.inKernel() : null;
  const weight = held ? f64View(kernel(), held.w, csr.col.length) : csr.weight;
  const stay = new Float64Array(count), exit = new Float64Array(count), alpha = new Float64Array(count), rate = new Float64Array(count);
  let largestRate = 0, largestExit = 0;
  for (let i = 0; i < count; i++) {
    let out = 0;
    for (let e = exitPtr[i]; e < exitPtr[i + 1]; e++) out += weight[exitEdge[e]];
    exit[i] = out;
    const r = exitRate[vertexOf[i]];
    rate[i] = r;
    if (out > largestExit) largestExit = out;
    if (r > largestRate) largestRate = r;
  }
  const by = scale ?? (largestRate || 1);
  for (let i = 0; i < count; i++) stay[i] = 1 - rate[i] / by;
  for (let j = csr.rowPtr[0]; j < csr.rowPtr[1]; j++) if (index[csr.col[j]] >= 0) alpha[index[csr.col[j]]] += weight[j];
  let jsP: Float64Array | null = null;
  const memory: PMemory = { ptr: 0 };
  const matrix: StepMatrix = {
    count, vertexOf, inPtr, edges: nnz, stay, exit, rate, alpha, largestRate, largestExit, scale: by,
    get src() {
      return pattern.src;
    },
    get p() {
      if (jsP) return jsP;
      if (memory.ptr !== 0) return (jsP = f64View(kernel(), memory.ptr, nnz).slice());
      const w = csr.weight, edgeOf = pattern.edgeOf;
      jsP = new Float64Array(nnz);
      for (let r = 0; r < jsP.length; r++) jsP[r] = w[edgeOf[r]] / by;
      return jsP;
    },
    kernelP() {
      if (memory.ptr !== 0) return memory.ptr;
      const k = kernel();
      const p = allocate(k, 8 * Math.max(1, nnz));
      let rows: StepRowsUse | null = null, copy = 0;
      try {
        // The rows first: making them may release other residents, the rates among them.
        rows = useStepRows(pattern);
        const rates = csr instanceof KernelRates ? csr.inKernel() : null;
        const w = rates?.w ?? (copy = copyIn(k, csr.weight));
        k.pk_step_gather(nnz, rows.edgeOf, w, by, p);
      } catch (e) {
        k.pk_free(p);
        throw e;
      } finally {
        rows?.release();
        if (copy !== 0) k.pk_free(copy);
      }
      memory.ptr = p;
      unfreed.register(matrix, memory, memory);
      return p;
    },
    useRows: () => useStepRows(pattern),
    dispose() {
      unfreed.unregister(memory);
      freeP(memory);
    },
  };
  return matrix;
}

/**
 * A kernel layout of the matrix's rows at `width` (−1: the kernel's choice) and its p:
 * shared with the structure's resident rows where the matrix has them (pk_steps_share),
 * else over copies passed to `keep`. `free` frees the layout and ends the use of the rows
 * (once); the copies go with the caller's.
 */
export function layOut(k: KernelExports, m: StepMatrix, width: number, keep: (ptr: number) => number, what: string): { layout: number; p: number; free(): void } {
  let rows: StepRowsUse | null = null, layout = 0;
  const free = () => {
    if (layout !== 0) k.pk_steps_free(layout);
    layout = 0;
    rows?.release();
  };
  try {
    let p: number;
    if (m.useRows && m.kernelP) {
      rows = m.useRows();
      p = m.kernelP();
      layout = k.pk_steps_share(rows.base, p, width);
    } else {
      p = keep(copyIn(k, m.p));
      layout = k.pk_steps_create(m.count, keep(copyIn(k, m.inPtr)), keep(copyIn(k, m.src)), p, width);
    }
    if (layout === 0) throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not lay out ${m.count} rows for ${what} (wasm32 memory is capped at 4 GiB)`);
    return { layout, p, free };
  } catch (e) {
    free();
    throw e;
  }
}

/** The chain's a_k and b_k, one chunk at a time. */
export class Stepper {
  /** Steps recorded so far. */
  position = 0;
  /** Whether the surviving mass ran out (every later a_k, b_k is 0). */
  stopped = false;
  private readonly k: KernelExports = kernel();
  private readonly ptrs: number[] = [];
  /** The kernel's pk_steps (0 once freed), and what frees it (and ends its use of the rows). */
  private layout = 0;
  private freeLayout: (() => void) | null = null;
  private readonly args: { layout: number; stay: number; exit: number; v: number; tmp: number; a: number; b: number };
  /** The kernel's layout of the rows: 0 plain, else the padded width (every layout steps the same bits). */
  readonly width: number;

  /** `width`: −1 lets the kernel choose the layout (tests force one). */
  constructor(private readonly m: StepMatrix, private readonly stopMass: number, width = -1) {
    const k = this.k;
    const keep = (ptr: number) => { this.ptrs.push(ptr); return ptr; };
    try {
      // The rows stay allocated while the layout lives: a plain layout steps them in place.
      const { layout, free } = layOut(k, m, width, keep, 'stepping');
      this.layout = layout;
      this.freeLayout = free;
      this.width = k.pk_steps_width(layout);
      this.args = {
        layout, stay: keep(copyIn(k, m.stay)), exit: keep(copyIn(k, m.exit)), v: keep(copyIn(k, m.alpha)),
        tmp: keep(allocate(k, 8 * Math.max(1, m.count))), a: keep(allocate(k, 8 * CHUNK)), b: keep(allocate(k, 8 * CHUNK)),
      };
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** The next chunk of at most `most` steps: a and b for steps position … position + count − 1 (views valid until the next call). */
  next(most = CHUNK): { a: Float64Array; b: Float64Array; count: number } {
    const { k, args } = this;
    if (this.stopped) return { a: new Float64Array(0), b: new Float64Array(0), count: 0 };
    const want = Math.max(1, Math.min(CHUNK, most));
    const count = k.pk_step_distribution(args.layout, args.stay, args.exit, args.v, args.tmp, want, args.a, args.b, this.stopMass);
    if (count < want) this.stopped = true;
    this.position += count;
    return { a: f64View(k, args.a, count), b: f64View(k, args.b, count), count };
  }

  /**
   * How many steps from α fit `budget` units of work (a full step costs its states and
   * edges), each counted at the states the mass can have reached (the kernel's reach, see
   * wasm-src/distribution.c) and their incoming edges: an upper bound on what a step reads.
   * On a graph numbered breadth first (the built-in models) the first steps cost far less
   * than a full one; 'auto' uses this to see how far cheap stepping goes before paying for
   * an elimination.
   */
  stepsWithin(budget: number): number {
    const { count, inPtr, alpha } = this.m, full = count + inPtr[count];
    let h = count;
    while (h > 0 && alpha[h - 1] === 0) h--;
    let steps = 0, spent = 0;
    while (h < count) {
      const rows = this.k.pk_steps_reach(this.layout, h), cost = rows + inPtr[rows];
      if (spent + cost > budget) return steps;
      spent += cost;
      steps++;
      h = rows;
    }
    return steps + Math.floor((budget - spent) / Math.max(1, full));
  }

  /** Frees kernel memory. */
  free(): void {
    this.freeLayout?.();
    this.freeLayout = null;
    this.layout = 0;
    for (const p of this.ptrs) this.k.pk_free(p);
    this.ptrs.length = 0;
  }
}
