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
  /**
   * canonical[e] = the CSR slot of stored edge e, or -1 for a self-loop; null when stored
   * edge e is slot e (a graph adopted in canonical form), which saves an identity array
   * the size of the edges.
   */
  canonical: Int32Array | null;
  /** 1 where the vertex has any stored out-edge (self-loops included). */
  hasOutEdge: Uint8Array;
  /** Length of θ. */
  paramLength: number;
  /** Canonical rate = base[j] + Σ_i coef[j·p + i]·θ_i (parallel edges summed). */
  base: Float64Array;
  coef: Float64Array;
  /** Self-loop rate per vertex, the same way (they count in a discrete vertex's sum). */
  loopBase: Float64Array;
  loopCoef: Float64Array;
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
  const p = edges.paramLength;
  const base = new Float64Array(k), coef = new Float64Array(k * p);
  const loopBase = new Float64Array(n), loopCoef = new Float64Array(n * p);
  for (let e = 0; e < m; e++) {
    const slot = canonical[e];
    const [b, c, at] = slot >= 0 ? [base, coef, slot] : [loopBase, loopCoef, from[e]];
    b[at] += edges.weight[e];
    for (let i = 0; i < p; i++) c[at * p + i] += edges.coefficients[e * p + i];
  }
  return { vertexCount: n, discrete: edges.discrete, rowPtr, col: col.slice(0, k), canonical, hasOutEdge, paramLength: p, base, coef, loopBase, loopCoef };
}

/** Canonical rates at θ: base + coef·θ. */
export function structureRates(s: Structure, theta: Float64Array): { w: Float64Array; loops: Float64Array } {
  const p = s.paramLength;
  const { base, coef, loopCoef } = s;
  const m = base.length, loops = s.loopBase.slice();
  let w: Float64Array | null = null;
  // One pass per parameter keeps the inner loop a plain strided axpy; the first one also
  // copies the base (base + coef·t, the sum the copy and an axpy would make).
  for (let i = 0; i < p; i++) {
    const t = theta[i];
    if (t === 0) continue;
    if (w === null) {
      w = new Float64Array(m);
      for (let j = 0, c = i; j < m; j++, c += p) w[j] = base[j] + coef[c] * t;
    } else for (let j = 0, c = i; j < m; j++, c += p) w[j] += coef[c] * t;
    if (s.discrete) for (let v = 0, c = i; v < loops.length; v++, c += p) loops[v] += loopCoef[c] * t;
  }
  return { w: w ?? base.slice(), loops };
}

function countingSort(m: number, keys: number, key: (e: number) => number, input: Int32Array | null): Int32Array {
  const count = new Int32Array(keys + 1);
  for (let i = 0; i < m; i++) count[key(input ? input[i] : i) + 1]++;
  for (let j = 0; j < keys; j++) count[j + 1] += count[j];
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) { const e = input ? input[i] : i; out[count[key(e)]++] = e; }
  return out;
}
