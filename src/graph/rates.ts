// A graph's edge rates at one parameter value θ, as compressed sparse rows:
// what the kernel eliminates and the distributions step through. Parallel edges
// are merged, self-loops dropped (no effect in a continuous graph; in a discrete
// one they are part of the stay-put probability), zero rates dropped.
import { GraphError } from '../errors.js';

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

/** Builds the CSR of the graph at θ and checks what only θ decides (sums, exits). */
export function ratesAt(edges: EdgeList, theta: Float64Array): Csr {
  const { vertexCount: n, edgeCount, from, to, discrete } = edges;
  const rates = edgeRates(edges, theta);

  // Counting sort by source, then merge parallel edges within each row.
  const count = new Int32Array(n + 1);
  for (let e = 0; e < edgeCount; e++) count[from[e] + 1]++;
  for (let v = 0; v < n; v++) count[v + 1] += count[v];
  const order = new Int32Array(edgeCount);
  const fillPos = count.slice(0, n);
  for (let e = 0; e < edgeCount; e++) order[fillPos[from[e]]++] = e;

  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(edgeCount);
  const weight = new Float64Array(edgeCount);
  const exitRate = new Float64Array(n);
  const slot = new Int32Array(n).fill(-1); // where target c sits in the current row
  let k = 0;
  for (let v = 0; v < n; v++) {
    const rowStart = k;
    let total = 0; // discrete: every out-weight, self-loops included
    for (let j = count[v]; j < count[v + 1]; j++) {
      const e = order[j];
      const c = to[e];
      total += rates[e];
      if (c === v || rates[e] === 0) continue;
      if (slot[c] >= rowStart) weight[slot[c]] += rates[e];
      else { slot[c] = k; col[k] = c; weight[k] = rates[e]; k++; }
    }
    rowPtr[v + 1] = k;
    let lambda = 0;
    for (let j = rowStart; j < k; j++) lambda += weight[j];
    exitRate[v] = lambda;
    const structural = count[v + 1] > count[v];
    if (v === 0) {
      if (lambda > 1 + SUM_SLACK)
        throw new GraphError('START_WEIGHTS_EXCEED_ONE', `the start vertex's out-weights sum to ${lambda} > 1 (they are the initial distribution)`, { vertex: 0 });
    } else if (structural && k === rowStart) {
      if (total > 0)
        throw new GraphError('NO_ABSORPTION', `vertex ${v} has only self-loops, so it can never be left`, { vertex: v });
      throw new GraphError('NO_EXIT_AT_THETA', `vertex ${v} has out-edges but all their rates are 0 at θ = [${Array.from(theta).join(', ')}], so it can never be left`, { vertex: v });
    }
    if (discrete && v !== 0 && total > 1 + SUM_SLACK)
      throw new GraphError('DISCRETE_WEIGHTS_EXCEED_ONE', `vertex ${v}'s out-probabilities sum to ${total} > 1`, { vertex: v });
  }
  return { vertexCount: n, discrete, rowPtr, col: col.slice(0, k), weight: weight.slice(0, k), exitRate };
}

/** Transient vertices: not the start, with at least one out-edge at θ. */
export function isTransient(csr: Csr, v: number): boolean {
  return v !== 0 && csr.rowPtr[v + 1] > csr.rowPtr[v];
}
