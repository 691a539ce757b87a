// Where each rate of a CSR goes in the stepping matrix: the transient vertices, their
// incoming edges by target, and their edges out of the transient part. It depends on the
// structure only, so it is made once per CSR structure and kept while that structure
// lives: a pdf at a new θ then only gathers the rates (rabbits N = 200, 80k edges: the
// transposition's scattered writes took 3 ms of a 12 ms pdf; the gather takes a fraction).
import { isTransient, type Csr } from '../graph/rates.js';

/** The stepping matrix's sparsity, read off a CSR's structure. */
export interface StepPattern {
  /** Transient vertices (isTransient), renumbered 0..count−1 in vertex order. */
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

function makePattern(csr: Csr): StepPattern {
  const n = csr.vertexCount, rowPtr = csr.rowPtr, col = csr.col;
  const index = new Int32Array(n).fill(-1);
  let count = 0;
  for (let v = 1; v < n; v++) if (isTransient(csr, v)) index[v] = count++;
  const vertexOf = new Int32Array(count), inPtr = new Int32Array(count + 1), exitPtr = new Int32Array(count + 1);
  for (let v = 1, i = 0; v < n; v++) {
    if (index[v] < 0) continue;
    vertexOf[i] = v;
    let out = 0;
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const t = index[col[j]];
      if (t >= 0) inPtr[t + 1]++;
      else out++;
    }
    exitPtr[i + 1] = exitPtr[i] + out;
    i++;
  }
  for (let i = 0; i < count; i++) inPtr[i + 1] += inPtr[i];
  const fill = inPtr.slice(0, count);
  const src = new Int32Array(inPtr[count]), edgeOf = new Int32Array(inPtr[count]), exitEdge = new Int32Array(exitPtr[count]);
  for (let i = 0, e = 0; i < count; i++) {
    const v = vertexOf[i];
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const t = index[col[j]];
      if (t >= 0) { const r = fill[t]++; src[r] = i; edgeOf[r] = j; }
      else exitEdge[e++] = j;
    }
  }
  return { count, index, vertexOf, inPtr, src, edgeOf, exitPtr, exitEdge };
}
