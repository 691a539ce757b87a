// A graph's edge rates at one parameter value θ, as compressed sparse rows:
// what the kernel eliminates and the distributions step through. Parallel edges
// are merged, self-loops dropped (no effect in a continuous graph; in a discrete
// one they are part of the stay-put probability), zero rates dropped.
import { GraphError } from '../errors.js';
import { mergeIntoSlots, type Structure } from './structure.js';

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

/** Checks θ's length and values. */
export function checkTheta(paramLength: number, theta: ArrayLike<number> | undefined): Float64Array {
  const t = theta ?? [];
  if (t.length !== paramLength)
    throw new GraphError('BAD_THETA', `θ has ${t.length} values but the graph has paramLength ${paramLength}`);
  const out = Float64Array.from(t);
  for (let i = 0; i < out.length; i++)
    if (!Number.isFinite(out[i])) throw new GraphError('NON_FINITE', `θ[${i}] is ${out[i]}, not a finite number`);
  return out;
}

/** The rate (or probability) of every edge at θ, in edge order; refuses negative or non-finite ones. */
export function edgeRates(edges: EdgeList, theta: Float64Array): Float64Array {
  const { edgeCount, paramLength, weight, coefficients, from, to } = edges;
  const rates = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    let r = weight[e];
    for (let i = 0, base = e * paramLength; i < paramLength; i++) r += coefficients[base + i] * theta[i];
    if (!Number.isFinite(r))
      throw new GraphError('NON_FINITE', `edge ${e} (${from[e]} → ${to[e]}) has rate ${r} at θ = [${Array.from(theta).join(', ')}]`, { edge: e, vertex: from[e] });
    if (r < 0)
      throw new GraphError('NEGATIVE_RATE', `edge ${e} (${from[e]} → ${to[e]}) has negative rate ${r} at θ = [${Array.from(theta).join(', ')}]`, { edge: e, vertex: from[e] });
    rates[e] = r;
  }
  return rates;
}

/** Builds the CSR of the graph at θ (zero rates dropped) and checks what only θ decides. */
export function ratesAt(edges: EdgeList, structure: Structure, theta: Float64Array): Csr {
  const rates = edgeRates(edges, theta);
  const w = mergeIntoSlots(structure, rates);
  const selfLoop = new Float64Array(structure.vertexCount);
  for (let e = 0; e < edges.edgeCount; e++) if (structure.canonical[e] < 0) selfLoop[edges.from[e]] += rates[e];
  checkWeights(structure, w, selfLoop, theta);
  const n = structure.vertexCount;
  const rowPtr = new Int32Array(n + 1), col = new Int32Array(w.length), weight = new Float64Array(w.length);
  const exitRate = new Float64Array(n);
  let k = 0;
  for (let v = 0; v < n; v++) {
    for (let j = structure.rowPtr[v]; j < structure.rowPtr[v + 1]; j++) {
      if (w[j] === 0) continue;
      col[k] = structure.col[j];
      weight[k] = w[j];
      exitRate[v] += w[j];
      k++;
    }
    rowPtr[v + 1] = k;
  }
  return { vertexCount: n, discrete: structure.discrete, rowPtr, col: col.slice(0, k), weight: weight.slice(0, k), exitRate };
}

/**
 * Checks canonical weights: start sum ≤ 1, discrete row sums ≤ 1 (self-loops included),
 * and that no vertex with out-edges is left without a way out.
 */
export function checkWeights(structure: Structure, w: Float64Array, selfLoop: Float64Array | null, theta: Float64Array | null): void {
  const at = theta ? ` at θ = [${Array.from(theta).join(', ')}]` : '';
  for (let v = 0; v < structure.vertexCount; v++) {
    let lambda = 0;
    for (let j = structure.rowPtr[v]; j < structure.rowPtr[v + 1]; j++) {
      const x = w[j];
      if (!(x >= 0) || !Number.isFinite(x))
        throw new GraphError(Number.isFinite(x) ? 'NEGATIVE_RATE' : 'NON_FINITE', `edge ${v} → ${structure.col[j]} has rate ${x}${at}`, { vertex: v });
      lambda += x;
    }
    const loops = selfLoop ? selfLoop[v] : 0;
    if (v === 0) {
      if (lambda > 1 + SUM_SLACK)
        throw new GraphError('START_WEIGHTS_EXCEED_ONE', `the start vertex's out-weights sum to ${lambda} > 1 (they are the initial distribution)`, { vertex: 0 });
      continue;
    }
    if (structure.hasOutEdge[v] && lambda === 0) {
      if (structure.rowPtr[v + 1] === structure.rowPtr[v])
        throw new GraphError('NO_ABSORPTION', `vertex ${v} has only self-loops, so it can never be left`, { vertex: v });
      throw new GraphError('NO_EXIT_AT_THETA', `vertex ${v} has out-edges but all their rates are 0${at}, so it can never be left`, { vertex: v });
    }
    if (structure.discrete && lambda + loops > 1 + SUM_SLACK)
      throw new GraphError('DISCRETE_WEIGHTS_EXCEED_ONE', `vertex ${v}'s out-probabilities sum to ${lambda + loops} > 1`, { vertex: v });
  }
}

/** Transient vertices: not the start, with at least one out-edge at θ. */
export function isTransient(csr: Csr, v: number): boolean {
  return v !== 0 && csr.rowPtr[v + 1] > csr.rowPtr[v];
}
