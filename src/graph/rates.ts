// A graph's edge rates at one parameter value θ, as compressed sparse rows:
// what the kernel eliminates and the distributions step through. Parallel edges
// are merged, self-loops dropped (no effect in a continuous graph; in a discrete
// one they are part of the stay-put probability), zero rates dropped.
import { GraphError } from '../errors/index.js';
import { structureRates, type Structure } from './structure.js';

/** The edges of a graph as flat arrays (the Graph's own storage, read-only here). */
export interface EdgeList {
  vertexCount: number;
  edgeCount: number;
  paramLength: number;
  discrete: boolean;
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
  /** paramLength coefficients per edge, edge-major. */
  coefficients: Float64Array;
}

/** Rates at one θ in CSR form, vertex 0 the start. */
export interface Csr {
  vertexCount: number;
  discrete: boolean;
  rowPtr: Int32Array;
  col: Int32Array;
  weight: Float64Array;
  /** Σ of each vertex's out-rates (0 for absorbing vertices). */
  exitRate: Float64Array;
}

// Sums that must not exceed 1 may do so by rounding; this much is forgiven.
const SUM_SLACK = 1e-12;

/**
 * Builds the CSR of the graph at θ (zero rates dropped) and checks what only θ decides.
 * When no rate is zero the structure's own arrays are the CSR's (read-only, as every
 * Csr is): a large graph then costs one pass over its rates, not a copy.
 */
export function ratesAt(structure: Structure, theta: Float64Array): Csr {
  const n = structure.vertexCount;
  const { w, loops } = structureRates(structure, theta);
  const exitRate = new Float64Array(n);
  const hasZero = checkWeights(structure, w, loops, theta, exitRate); // the row sums are the exit rates
  checkAbsorption(structure, hasZero ? w : null, theta, !hasZero);
  if (!hasZero) return { vertexCount: n, discrete: structure.discrete, rowPtr: structure.rowPtr, col: structure.col, weight: w, exitRate };
  const rowPtr = new Int32Array(n + 1), col = new Int32Array(w.length), weight = new Float64Array(w.length);
  let k = 0;
  for (let v = 0; v < n; v++) {
    for (let j = structure.rowPtr[v]; j < structure.rowPtr[v + 1]; j++) {
      if (w[j] === 0) continue;
      col[k] = structure.col[j];
      weight[k] = w[j];
      k++;
    }
    rowPtr[v + 1] = k;
  }
  return { vertexCount: n, discrete: structure.discrete, rowPtr, col: col.slice(0, k), weight: weight.slice(0, k), exitRate };
}

/** The rate of every canonical edge at θ (parallel edges summed), validated. */
export function canonicalRates(structure: Structure, theta: Float64Array): Float64Array {
  const { w, loops } = structureRates(structure, theta);
  checkWeights(structure, w, loops, theta);
  return w;
}

/**
 * Checks canonical weights: start sum ≤ 1, discrete row sums ≤ 1 (self-loops included),
 * and that no vertex with out-edges is left without a way out. `rowSums` receives each
 * vertex's sum of out-weights (its exit rate), which the check computes anyway. Answers
 * whether some weight is exactly 0 (the check reads every weight anyway).
 */
export function checkWeights(structure: Pick<Structure, 'vertexCount' | 'discrete' | 'rowPtr' | 'col' | 'canonical' | 'hasOutEdge'>, w: Float64Array, selfLoop: Float64Array | null, theta: Float64Array | null, rowSums?: Float64Array): boolean {
  // Locals: the structure comes in more than one shape, and its fields would be read per edge.
  const { vertexCount: n, rowPtr, hasOutEdge, discrete } = structure;
  let hasZero = false;
  for (let v = 0; v < n; v++) {
    let lambda = 0;
    const end = rowPtr[v + 1];
    for (let j = rowPtr[v]; j < end; j++) {
      const x = w[j];
      if (x === 0) hasZero = true;
      else if (!(x > 0) || x === Infinity) {
        const at = atTheta(theta);
        // Parallel edges are merged before the check (graph-format.md): name them all.
        const edges: number[] = [];
        if (structure.canonical === null) edges.push(j);
        else structure.canonical.forEach((slot, e) => { if (slot === j) edges.push(e); });
        const where = edges.length ? { vertex: v, edge: edges[0] } : { vertex: v };
        const named = edges.length > 1 ? `edges ${edges.join(', ')} (parallel ${v} → ${structure.col[j]}, merged)` : `edge ${edges.length ? `${edges[0]} ` : ''}(${v} → ${structure.col[j]})`;
        throw new GraphError(Number.isFinite(x) ? 'NEGATIVE_RATE' : 'NON_FINITE', `${named} ${edges.length > 1 ? 'have total' : 'has'} ${Number.isFinite(x) ? 'negative ' : ''}rate ${x}${at}`, where);
      }
      lambda += x;
    }
    if (rowSums) rowSums[v] = lambda;
    const loops = selfLoop ? selfLoop[v] : 0;
    if (v === 0) {
      if (lambda > 1 + SUM_SLACK)
        throw new GraphError('START_WEIGHTS_EXCEED_ONE', `the start vertex's out-weights sum to ${lambda} > 1 (they are the initial distribution)`, { vertex: 0 });
      continue;
    }
    if (hasOutEdge[v] && lambda === 0) {
      if (end === rowPtr[v])
        throw new GraphError('NO_ABSORPTION', `vertex ${v} has only self-loops, so it can never be left`, { vertex: v });
      throw new GraphError('NO_EXIT_AT_THETA', `vertex ${v} has out-edges but all their rates are 0${atTheta(theta)}, so it can never be left`, { vertex: v });
    }
    if (discrete && lambda + loops > 1 + SUM_SLACK)
      throw new GraphError('DISCRETE_WEIGHTS_EXCEED_ONE', `vertex ${v}'s out-probabilities sum to ${lambda + loops} > 1`, { vertex: v });
  }
  return hasZero;
}

// " at θ = [...]" for messages (built only when one is thrown: the check runs per call).
function atTheta(theta: Float64Array | null): string {
  return theta ? ` at θ = [${Array.from(theta).join(', ')}]` : '';
}

/**
 * Every transient vertex must reach an absorbing one, or expectations are infinite,
 * distributions defective and sampling never ends: NO_ABSORPTION when the structure
 * traps a vertex, NO_EXIT_AT_THETA when zero rates at θ do.
 */
export function checkAbsorption(structure: Pick<Structure, 'vertexCount' | 'rowPtr' | 'col'>, w: Float64Array | null, theta: Float64Array | null, allPositive = false): void {
  const { vertexCount: n, rowPtr, col } = structure;
  const structural = structurallyTrapped(n, rowPtr, col);
  // With every rate positive (`allPositive`: the caller has checked; then w may be null), θ
  // reaches exactly what the structure does.
  const v = structural >= 0 ? structural : allPositive || !w!.includes(0) ? -1 : trappedVertex(n, rowPtr, col, w!);
  if (v < 0) return;
  if (structural >= 0)
    throw new GraphError('NO_ABSORPTION', `vertex ${structural} cannot reach an absorbing vertex (its expected absorption time is infinite)`, { vertex: structural });
  throw new GraphError('NO_EXIT_AT_THETA', `at θ = [${theta ? Array.from(theta).join(', ') : ''}] vertex ${v} can no longer reach an absorbing vertex (zero rates cut it off)`, { vertex: v });
}

// The structural answer per CSR skeleton (its rowPtr array stands for it: skeletons are
// never modified), so that a large graph pays the search once, not at every θ.
const structuralTraps = new WeakMap<Int32Array, number>();

function structurallyTrapped(n: number, rowPtr: Int32Array, col: Int32Array): number {
  let v = structuralTraps.get(rowPtr);
  if (v === undefined) structuralTraps.set(rowPtr, (v = trappedVertex(n, rowPtr, col, null)));
  return v;
}

/** Records that every vertex of the skeleton `rowPtr` reaches an absorbing one: for builders that guarantee it by construction. */
export function markAbsorbing(rowPtr: Int32Array): void {
  structuralTraps.set(rowPtr, -1);
}

/** A transient vertex that cannot reach an absorbing one over positive weights (all edges if w is null), or -1. */
export function trappedVertex(n: number, rowPtr: Int32Array, col: Int32Array, w: Float64Array | null): number {
  // Reverse breadth-first search from the absorbing vertices, over CSR parents.
  const parentCount = new Int32Array(n + 1);
  for (let v = 0; v < n; v++)
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) if (!w || w[j] > 0) parentCount[col[j] + 1]++;
  for (let v = 0; v < n; v++) parentCount[v + 1] += parentCount[v];
  const parents = new Int32Array(parentCount[n]);
  const fill = parentCount.slice(0, n);
  for (let v = 0; v < n; v++)
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) if (!w || w[j] > 0) parents[fill[col[j]]++] = v;
  const reach = new Uint8Array(n), queue = new Int32Array(n);
  let head = 0, tail = 0;
  for (let v = 0; v < n; v++) if (rowPtr[v + 1] === rowPtr[v]) { reach[v] = 1; queue[tail++] = v; }
  while (head < tail) {
    const c = queue[head++];
    for (let j = parentCount[c]; j < parentCount[c + 1]; j++) {
      const p = parents[j];
      if (!reach[p]) { reach[p] = 1; queue[tail++] = p; }
    }
  }
  for (let v = 1; v < n; v++) if (!reach[v]) return v;
  return -1;
}

/** Transient vertices: not the start, with at least one out-edge at θ. */
export function isTransient(csr: Csr, v: number): boolean {
  return v !== 0 && csr.rowPtr[v + 1] > csr.rowPtr[v];
}
