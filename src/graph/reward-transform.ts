// Reward transformation of a continuous graph (Bladt & Nielsen, ch. 8; phasic):
// the absorption time of the result is the reward accumulated in the original.
// Positive reward r_v: v's out-rates are divided by r_v (linear in θ, so the
// parameterisation survives). Zero reward: v takes no time and is bypassed:
// each parent u gets w(u→v)·w(v→z)/λ_v added to u→z; that is non-linear in θ,
// so then the result is evaluated at θ and has paramLength 0.
import { canonicalRates, type EdgeList } from './rates.js';
import type { Structure } from './structure.js';

/** The transformed graph as flat edges over a subset of the original vertices. */
export interface TransformedEdges {
  paramLength: number;
  /** Original indices of the kept vertices, in order, start excluded (start stays vertex 0). */
  vertices: number[];
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
  coefficients: Float64Array;
}

/** Computes the transformed edges (r ≥ 0 and the graph valid at θ, checked by the caller). */
export function rewardTransformEdges(edges: EdgeList, structure: Structure, r: Float64Array, theta: Float64Array): TransformedEdges {
  const n = edges.vertexCount;
  const p = edges.paramLength;
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < edges.edgeCount; e++) if (edges.from[e] !== edges.to[e]) out[edges.from[e]].push(e);
  const absorbing = (v: number) => out[v].length === 0;
  const zero = (v: number) => v !== 0 && !absorbing(v) && r[v] === 0;
  let anyZero = false;
  for (let v = 1; v < n; v++) if (zero(v)) anyZero = true;

  if (!anyZero) {
    // Every transient vertex keeps its edges, scaled by 1/r_v.
    const m = edges.edgeCount;
    const from = edges.from.slice(0, m), to = edges.to.slice(0, m);
    const weight = new Float64Array(m), coefficients = new Float64Array(m * p);
    for (let e = 0; e < m; e++) {
      const v = from[e];
      const s = v === 0 ? 1 : 1 / r[v];
      weight[e] = edges.weight[e] * s;
      for (let i = 0; i < p; i++) coefficients[e * p + i] = edges.coefficients[e * p + i] * s;
    }
    return { paramLength: p, vertices: range(1, n), from, to, weight, coefficients };
  }

  // Numeric graph at θ as adjacency maps, then bypass zero-reward vertices one by one.
  const rates = canonicalRates(structure, theta);
  const adj: Array<Map<number, number>> = Array.from({ length: n }, () => new Map());
  const parents: Array<Set<number>> = Array.from({ length: n }, () => new Set());
  for (let u = 0; u < n; u++)
    for (let j = structure.rowPtr[u]; j < structure.rowPtr[u + 1]; j++) {
      if (rates[j] === 0) continue;
      adj[u].set(structure.col[j], rates[j]);
      parents[structure.col[j]].add(u);
    }
  for (let v = 1; v < n; v++) {
    if (!zero(v)) continue;
    let lambda = 0;
    for (const w of adj[v].values()) lambda += w;
    for (const u of parents[v]) {
      const wuv = adj[u].get(v)!;
      adj[u].delete(v);
      for (const [z, wvz] of adj[v]) {
        if (z === u) continue; // a return to u while no time passes has no effect
        adj[u].set(z, (adj[u].get(z) ?? 0) + (wuv * wvz) / lambda);
        parents[z].add(u);
      }
    }
    for (const z of adj[v].keys()) parents[z].delete(v);
    adj[v].clear();
    parents[v].clear();
  }
  const kept = range(1, n).filter((v) => !zero(v));
  const newIndex = new Int32Array(n).fill(-1);
  newIndex[0] = 0;
  kept.forEach((v, i) => (newIndex[v] = i + 1));
  const from: number[] = [], to: number[] = [], weight: number[] = [];
  for (const u of [0, ...kept]) {
    const s = u === 0 ? 1 : 1 / r[u];
    for (const [z, w] of adj[u]) { from.push(newIndex[u]); to.push(newIndex[z]); weight.push(w * (absorbing(u) ? 1 : s)); }
  }
  return { paramLength: 0, vertices: kept, from: Int32Array.from(from), to: Int32Array.from(to), weight: Float64Array.from(weight), coefficients: new Float64Array(0) };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}
