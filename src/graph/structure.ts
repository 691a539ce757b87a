// The canonical structure of a graph: what elimination (and so a trace) depends
// on. Edges sorted by (from, to), parallel edges merged, self-loops dropped; a
// rate that happens to be 0 at some θ is still an edge here. The direct path
// and the trace both eliminate this order, so they run the same arithmetic.
import type { EdgeList } from './rates.js';

/** Sorted, merged CSR skeleton plus where each stored edge went. */
export interface Structure {
  vertexCount: number;
  discrete: boolean;
  rowPtr: Int32Array;
  col: Int32Array;
  /** canonical[e] = the CSR slot of stored edge e, or -1 for a self-loop. */
  canonical: Int32Array;
  /** 1 where the vertex has any stored out-edge (self-loops included). */
  hasOutEdge: Uint8Array;
}

/** Builds the canonical structure in O(V + E) with two stable counting sorts. */
export function canonicalStructure(edges: EdgeList): Structure {
  const { vertexCount: n, edgeCount: m, from, to } = edges;
  const byTo = countingSort(m, n, (e) => to[e], null);
  const order = countingSort(m, n, (e) => from[e], byTo);
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(m);
  const canonical = new Int32Array(m).fill(-1);
  const hasOutEdge = new Uint8Array(n);
  let k = 0, lastFrom = -1, lastTo = -1;
  for (const e of order) {
    const f = from[e], t = to[e];
    hasOutEdge[f] = 1;
    if (f === t) continue;
    if (f !== lastFrom || t !== lastTo) { col[k] = t; rowPtr[f + 1] = ++k; lastFrom = f; lastTo = t; }
    canonical[e] = k - 1;
  }
  for (let v = 0; v < n; v++) if (rowPtr[v + 1] < rowPtr[v]) rowPtr[v + 1] = rowPtr[v];
  return { vertexCount: n, discrete: edges.discrete, rowPtr, col: col.slice(0, k), canonical, hasOutEdge };
}

function countingSort(m: number, keys: number, key: (e: number) => number, input: Int32Array | null): Int32Array {
  const count = new Int32Array(keys + 1);
  for (let i = 0; i < m; i++) count[key(input ? input[i] : i) + 1]++;
  for (let j = 0; j < keys; j++) count[j + 1] += count[j];
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) { const e = input ? input[i] : i; out[count[key(e)]++] = e; }
  return out;
}

/** Per-edge values (rates, or weights / coefficients) summed into canonical slots. */
export function mergeIntoSlots(structure: Structure, perEdge: Float64Array, stride = 1): Float64Array {
  const out = new Float64Array(structure.col.length * stride);
  const { canonical } = structure;
  for (let e = 0; e < canonical.length; e++) {
    const s = canonical[e];
    if (s < 0) continue;
    for (let i = 0; i < stride; i++) out[s * stride + i] += perEdge[e * stride + i];
  }
  return out;
}
