// The largest exit rate among the transient states that lie on a cycle. Adaptive
// uniformisation steps at the rate of the fastest state still holding mass; mass leaves
// a state off every cycle for good, but keeps coming back to one on a cycle, so this rate
// is the step rate no stepping method gets below while such a cycle holds mass.
import { isTransient, type Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';

/**
 * Which vertices lie on a cycle, by the graph's edge array: a graph's CSR at every θ without
 * zero rates shares its structure's arrays, so the components are found once per structure.
 */
const onCycleByEdges = new WeakMap<Int32Array, Uint8Array>();

/**
 * Strongly connected components by Tarjan's algorithm, iteratively (a million states would
 * overflow the call stack); a vertex is on a cycle when its component has more than one
 * vertex or it has a self-loop.
 */
function verticesOnCycles(csr: Pick<Csr, 'vertexCount' | 'rowPtr' | 'col'>): Uint8Array {
  const forward = forwardOnly(csr);
  if (forward) return forward;
  const n = csr.vertexCount, { rowPtr, col } = csr;
  const index = new Int32Array(n).fill(-1), low = new Int32Array(n), next = new Int32Array(n);
  const onStack = new Uint8Array(n), stack = new Int32Array(n), path = new Int32Array(n);
  const cyclic = new Uint8Array(n);
  let count = 0, top = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    let depth = 0;
    path[0] = root; next[root] = rowPtr[root]; index[root] = low[root] = count++; stack[top++] = root; onStack[root] = 1;
    while (depth >= 0) {
      const v = path[depth];
      if (next[v] < rowPtr[v + 1]) {
        const w = col[next[v]++];
        if (w === v) cyclic[v] = 1;
        else if (index[w] < 0) {
          index[w] = low[w] = count++; next[w] = rowPtr[w]; stack[top++] = w; onStack[w] = 1;
          path[++depth] = w;
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w];
        continue;
      }
      if (low[v] === index[v]) {
        const bottom = top;
        do onStack[stack[--top]] = 0; while (stack[top] !== v);
        if (bottom - top > 1) for (let k = top; k < bottom; k++) cyclic[stack[k]] = 1;
      }
      if (--depth >= 0 && low[v] < low[path[depth]]) low[path[depth]] = low[v];
    }
  }
  return cyclic;
}

/**
 * The vertices with a self-loop when every other edge goes to a later vertex (the graph is
 * then acyclic but for those loops), else undefined. One pass in edge order where Tarjan's
 * walk jumps about: the coalescent at n = 50 (204,227 vertices, 3 million edges), whose
 * vertices the explorer numbers in the order the lineages merge: cyclingRate 49–71 → 14–23 ms.
 */
function forwardOnly({ vertexCount: n, rowPtr, col }: Pick<Csr, 'vertexCount' | 'rowPtr' | 'col'>): Uint8Array | undefined {
  const loops = new Uint8Array(n);
  for (let v = 0; v < n; v++)
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const w = col[j];
      if (w < v) return undefined;
      if (w === v) loops[v] = 1;
    }
  return loops;
}

/** The largest exit rate of a transient vertex on a cycle; 0 when the transient states form a DAG. */
export function cyclingRate(csr: Csr): number {
  let cyclic = onCycleByEdges.get(csr.col);
  if (!cyclic || cyclic.length !== csr.vertexCount) {
    cyclic = verticesOnCycles(csr);
    onCycleByEdges.set(csr.col, cyclic);
  }
  let largest = 0;
  for (let v = 0; v < csr.vertexCount; v++) if (cyclic[v] && isTransient(csr, v) && csr.exitRate[v] > largest) largest = csr.exitRate[v];
  return largest;
}

/**
 * Over the vertices on a cycle (with out-edges, not the start): the largest Σ|base| of a
 * vertex's out-edges, then for each parameter p the largest Σ|coef_p|. A vertex's exit
 * rate at θ is at most its Σ|base| + Σ_p Σ|coef_p|·|θ_p|, so at most these maxima's.
 */
const largestSums = new WeakMap<Structure, Float64Array>();

/**
 * An upper bound on cyclingRate at θ from the structure alone, in O(parameters) once the
 * structure's sums are known: enough to see that a row is far from needing Krylov, with no
 * rates computed.
 */
export function cyclingRateBound(structure: Structure, theta: ArrayLike<number>): number {
  const P = structure.paramLength;
  let largest = largestSums.get(structure);
  if (!largest) {
    const { rowPtr, col, base, coef } = structure;
    let cyclic = onCycleByEdges.get(col);
    if (!cyclic || cyclic.length !== structure.vertexCount) {
      cyclic = verticesOnCycles(structure);
      onCycleByEdges.set(col, cyclic);
    }
    largest = new Float64Array(1 + P);
    const own = new Float64Array(1 + P);
    for (let v = 1; v < structure.vertexCount; v++) {
      if (!cyclic[v]) continue;
      own.fill(0);
      for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
        own[0] += Math.abs(base[j]);
        for (let p = 0; p < P; p++) own[1 + p] += Math.abs(coef[j * P + p]);
      }
      for (let q = 0; q <= P; q++) if (own[q] > largest[q]) largest[q] = own[q];
    }
    largestSums.set(structure, largest);
  }
  let bound = largest[0];
  for (let p = 0; p < P; p++) bound += largest[1 + p] * Math.abs(theta[p]);
  // Rounding in these sums against the exact rates' own: a margin far above it.
  return bound * (1 + 1e-9);
}
