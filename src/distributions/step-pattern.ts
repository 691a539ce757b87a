// Where each rate of a CSR goes in the stepping matrix: the transient vertices, their
// incoming edges by target, and their edges out of the transient part. It depends on the
// structure only, so it is made once per CSR structure and kept while that structure
// lives: a pdf at a new θ then only gathers the rates (rabbits N = 200, 80k edges: the
// transposition's scattered writes took 3 ms of a 12 ms pdf; the gather takes a fraction).
import type { Csr } from '../graph/rates.js';
import { allocate, copyIn, kernel } from '../kernel/module.js';
import { KernelRates } from '../kernel/rates-at.js';

/** The stepping matrix's sparsity, read off a CSR's structure. */
export interface StepPattern {
  /** Transient vertices (isTransient in graph/rates.ts), renumbered 0..count−1 in vertex order. */
  count: number;
  /** index[v] = the transient index of vertex v, −1 for the start and absorbing vertices. */
  index: Int32Array;
  vertexOf: Int32Array;
  /** Incoming transient edges by target: inPtr[count+1], src (transient index), and the CSR edge each came from. */
  inPtr: Int32Array;
  src: Int32Array;
  edgeOf: Int32Array;
  /** Each transient vertex's edges out of the transient part (CSR edges, ascending): exitPtr[count+1], exitEdge. */
  exitPtr: Int32Array;
  exitEdge: Int32Array;
}

// Keyed by the CSR's col array: a CSR at θ without zero rates shares its structure's arrays
// (see ratesAt), so every θ of one graph finds the same entry; one with zero rates has
// arrays of its own, which die with it.
const patterns = new WeakMap<Int32Array, { rowPtr: Int32Array; pattern: StepPattern }>();

/** The step pattern of `csr`, made on first use per structure. */
export function stepPattern(csr: Csr): StepPattern {
  const known = patterns.get(csr.col);
  if (known && known.rowPtr === csr.rowPtr && known.pattern.index.length === csr.vertexCount) return known.pattern;
  const pattern = makePattern(csr);
  patterns.set(csr.col, { rowPtr: csr.rowPtr, pattern });
  return pattern;
}

// Made in the kernel (distribution.c: a long first-call loop in JS runs unoptimised), where a
// graph's rates at θ already hold the structure's rowPtr and col; the arrays come back as copies.
function makePattern(csr: Csr): StepPattern {
  const k = kernel(), n = csr.vertexCount;
  const ptrs: number[] = [];
  const keep = (bytes: number) => { const ptr = allocate(k, Math.max(4, bytes)); ptrs.push(ptr); return ptr; };
  try {
    const held = csr instanceof KernelRates ? csr.inKernel() : null;
    const rp = held?.rowPtr ?? copyIn(k, csr.rowPtr), col = held?.col ?? copyIn(k, csr.col.length ? csr.col : new Int32Array(1));
    if (!held) ptrs.push(rp, col);
    const index = keep(4 * n), sizes = keep(12);
    k.pk_step_pattern_count(n, rp, col, index, sizes);
    const [count, incoming, exits] = new Int32Array(k.memory.buffer, sizes, 3);
    const vertexOf = keep(4 * count), inPtr = keep(4 * (count + 1)), src = keep(4 * incoming), edgeOf = keep(4 * incoming);
    const exitPtr = keep(4 * (count + 1)), exitEdge = keep(4 * exits), fill = keep(4 * count);
    k.pk_step_pattern_fill(n, rp, col, index, count, vertexOf, inPtr, src, edgeOf, exitPtr, exitEdge, fill);
    // Views after every allocation (growing memory detaches earlier ones).
    const out = (ptr: number, length: number) => new Int32Array(k.memory.buffer, ptr, length).slice();
    return {
      count, index: out(index, n), vertexOf: out(vertexOf, count), inPtr: out(inPtr, count + 1), src: out(src, incoming),
      edgeOf: out(edgeOf, incoming), exitPtr: out(exitPtr, count + 1), exitEdge: out(exitEdge, exits),
    };
  } finally {
    for (const ptr of ptrs) k.pk_free(ptr);
  }
}
