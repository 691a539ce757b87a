// Between graphs and the matrix form (α, S) of a phase-type distribution.
import { GraphError } from '../errors/index.js';
import type { StateGraph, GraphOptions } from './state-graph.js';
import { isTransient, type Csr } from './rates.js';

/** The matrix form at one θ; rows are the transient vertices (start and absorbing excluded). */
export interface GraphMatrices {
  /** Initial probability of each transient state (may sum to < 1: an atom at zero). */
  alpha: Float64Array;
  /** Sub-intensity matrix (continuous), or sub-transition matrix with the stay-put diagonal (discrete). */
  S: Float64Array[];
  /** Rate (or probability) of jumping straight to an absorbing vertex, per row. */
  exit: Float64Array;
  /** vertexOf[row] = the graph vertex of that row. */
  vertexOf: Int32Array;
}

/** Options of {@link graphFromMatrices}. */
export interface FromMatricesOptions {
  /** S is a sub-transition matrix of a discrete distribution. Default false. */
  discrete?: boolean;
}

/** Dense matrices beyond this many transient states would take gigabytes: refused. */
export const MAX_DENSE_STATES = 8192;

/** Builds the matrix form from the rates at θ (refused beyond MAX_DENSE_STATES transient states). */
export function graphToMatrices(csr: Csr): GraphMatrices {
  const n = csr.vertexCount;
  let transient = 0;
  for (let v = 0; v < n; v++) if (isTransient(csr, v)) transient++;
  if (transient > MAX_DENSE_STATES)
    throw new GraphError('BAD_ARGUMENT', `toMatrices: ${transient} transient states would need a ${transient}² dense matrix (${((transient * transient * 8) / 2 ** 30).toFixed(1)} GiB); the limit is ${MAX_DENSE_STATES}`);
  const rowOf = new Int32Array(n).fill(-1);
  const vertices: number[] = [];
  for (let v = 0; v < n; v++) if (isTransient(csr, v)) { rowOf[v] = vertices.length; vertices.push(v); }
  const m = vertices.length;
  const S = Array.from({ length: m }, () => new Float64Array(m));
  const alpha = new Float64Array(m);
  const exit = new Float64Array(m);
  for (let j = csr.rowPtr[0]; j < csr.rowPtr[1]; j++) if (rowOf[csr.col[j]] >= 0) alpha[rowOf[csr.col[j]]] += csr.weight[j];
  vertices.forEach((v, i) => {
    S[i][i] = csr.discrete ? 1 - csr.exitRate[v] : -csr.exitRate[v];
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) {
      const c = rowOf[csr.col[j]];
      if (c >= 0) S[i][c] += csr.weight[j];
      else exit[i] += csr.weight[j];
    }
  });
  return { alpha, S, exit, vertexOf: Int32Array.from(vertices) };
}

/** A graph with states [0] (start), [1..m] (rows of S) and [m+1] (absorbing). */
export function graphFromMatrices<G extends StateGraph>(alpha: ArrayLike<number>, S: ArrayLike<ArrayLike<number>>, options: FromMatricesOptions, make: (o: GraphOptions) => G): G {
  const m = alpha.length;
  if (S.length !== m) throw new GraphError('BAD_ARGUMENT', `S has ${S.length} rows but α has ${m} entries`);
  const discrete = options.discrete ?? false;
  const graph = make({ stateLength: 1, discrete });
  for (let i = 1; i <= m + 1; i++) graph.createVertex([i]);
  const absorbing = m + 1;
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(alpha[i]) || alpha[i] < 0) throw new GraphError(Number.isFinite(alpha[i]) ? 'NEGATIVE_RATE' : 'NON_FINITE', `α[${i}] = ${alpha[i]} must be a finite probability`, { vertex: i + 1 });
    if (alpha[i] > 0) graph.addEdge(0, i + 1, alpha[i]);
  }
  for (let i = 0; i < m; i++) {
    const row = S[i];
    if (row.length !== m) throw new GraphError('BAD_ARGUMENT', `row ${i} of S has ${row.length} entries, expected ${m}`);
    let out = 0;
    for (let j = 0; j < m; j++) {
      const x = row[j];
      if (!Number.isFinite(x)) throw new GraphError('NON_FINITE', `S[${i}][${j}] = ${x} is not finite`, { vertex: i + 1 });
      if (i === j) continue;
      if (x < 0) throw new GraphError('NEGATIVE_RATE', `S[${i}][${j}] = ${x}: off-diagonal entries must be ≥ 0`, { vertex: i + 1 });
      if (x > 0) graph.addEdge(i + 1, j + 1, x);
      out += x;
    }
    // Exit to absorption: continuous −Σ_j S[i][j]; discrete 1 − Σ_j T[i][j]. Rounding noise is not an edge.
    const exit = discrete ? 1 - out - row[i] : -row[i] - out;
    const scale = discrete ? 1 : Math.abs(row[i]);
    if (exit > 1e-14 * Math.max(scale, 1e-300)) graph.addEdge(i + 1, absorbing, exit);
    else if (exit < -1e-12 * Math.max(scale, 1))
      throw new GraphError(discrete ? 'DISCRETE_WEIGHTS_EXCEED_ONE' : 'NEGATIVE_RATE', `row ${i} of S has a negative exit rate ${exit}`, { vertex: i + 1 });
  }
  return graph;
}
