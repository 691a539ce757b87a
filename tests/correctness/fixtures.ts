/**
 * Test-side graph descriptions, built independently of src/: an edge list that
 * is turned into dense (α, S) for the oracle and into a Graph through the
 * public API, so the two sides share nothing but the input.
 */
import { expect } from 'vitest';
import { Graph } from '../../src/index.js';
import type { Matrix } from '../oracle/index.js';

/** [from, to, weight, coefficients]: rate = weight + coefficients·θ. */
export type EdgeSpec = [from: number, to: number, weight: number, coefficients: number[]];

/** A graph as plain data: vertex 0 is the start. */
export interface GraphSpec {
  stateLength: number;
  paramLength: number;
  discrete: boolean;
  states: number[][];
  edges: EdgeSpec[];
}

/** The dense form of a spec at θ, rows in vertex order over the transient vertices. */
export interface Dense {
  alpha: number[];
  S: Matrix;
  /** rows[i] = the vertex of row i. */
  rows: number[];
  /** rowOf[v] = the row of vertex v, or −1. */
  rowOf: number[];
  /** Off-diagonal rates between rows (continuous), for subtraction-free solves. */
  A: Matrix;
  /** Rate of each row straight into absorption, summed from the edges (never a difference). */
  exit: number[];
}

/** mulberry32: a small seeded PRNG, deliberately not the library's. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rate of an edge at θ. */
export function rateAt([, , w, c]: EdgeSpec, theta: number[]): number {
  return w + c.reduce((s, ci, i) => s + ci * theta[i], 0);
}

/** Dense α and S (or T for a discrete spec) at θ, computed straight from the edge list. */
export function denseAt(spec: GraphSpec, theta: number[] = []): Dense {
  const n = spec.states.length;
  const out = new Array<number>(n).fill(0); // non-self out-rate per vertex
  for (const e of spec.edges) if (e[0] !== e[1]) out[e[0]] += rateAt(e, theta);
  const rows: number[] = [];
  const rowOf = new Array<number>(n).fill(-1);
  for (let v = 1; v < n; v++) if (out[v] > 0) rowOf[v] = rows.push(v) - 1;
  const m = rows.length;
  const alpha = new Array<number>(m).fill(0);
  const S: Matrix = rows.map(() => new Array<number>(m).fill(0));
  const exit = new Array<number>(m).fill(0);
  for (const e of spec.edges) {
    const [f, t] = e;
    if (f === t) continue;
    const r = rateAt(e, theta);
    if (f === 0) {
      if (rowOf[t] >= 0) alpha[rowOf[t]] += r;
    } else if (rowOf[t] >= 0) S[rowOf[f]][rowOf[t]] += r;
    else exit[rowOf[f]] += r;
  }
  const A = S.map((row) => row.slice());
  rows.forEach((v, i) => (S[i][i] = spec.discrete ? 1 - out[v] : -out[v]));
  return { alpha, S, rows, rowOf, A, exit };
}

/**
 * ∂S/∂θ_i on the rows of `d` (S affine in θ): each non-self edge f → t adds its
 * coefficient c_i at (f, t) when t is a row and subtracts it from (f, f)
 * (for a discrete spec: from the stay-put probability). Start edges must not
 * depend on θ (α fixed).
 */
export function dSdTheta(spec: GraphSpec, d: Dense, i: number): Matrix {
  const m = d.rows.length;
  const out: Matrix = d.rows.map(() => new Array<number>(m).fill(0));
  for (const [f, t, , c] of spec.edges) {
    if (f === t || c[i] === 0) continue;
    if (f === 0) throw new Error('dSdTheta: start edges depend on θ');
    const a = d.rowOf[f];
    if (a < 0) continue;
    if (d.rowOf[t] >= 0) out[a][d.rowOf[t]] += c[i];
    out[a][a] -= c[i];
  }
  return out;
}

/** Builds the spec through the public incremental API (new Graph, createVertex, addEdge). */
export function buildGraph(spec: GraphSpec): Graph {
  const g = new Graph({
    stateLength: spec.stateLength,
    paramLength: spec.paramLength,
    discrete: spec.discrete,
    startState: spec.states[0],
  });
  for (let v = 1; v < spec.states.length; v++) {
    const vertex = g.findOrCreateVertex(spec.states[v]);
    if (vertex.index !== v) throw new Error(`buildGraph: vertex ${v} got index ${vertex.index}`);
  }
  for (const [f, t, w, c] of spec.edges) g.vertex(f).addEdge(t, w, spec.paramLength ? c : undefined);
  return g;
}

/** Builds the spec through the JSON interchange format. */
export function graphFromSpecJSON(spec: GraphSpec): Graph {
  return Graph.fromJSON({
    paramLength: spec.paramLength,
    stateLength: spec.stateLength,
    discrete: spec.discrete,
    vertices: spec.states,
    edges: spec.edges.map(([f, t, w, c]) => (spec.paramLength ? [f, t, w, c] : [f, t, w])),
  } as never);
}

/** Reads a graph's JSON back into a spec (to put library-built models through the oracle). */
export function specFromGraph(g: Graph): GraphSpec {
  const j = g.toJSON() as unknown as {
    paramLength: number;
    stateLength: number;
    discrete?: boolean;
    vertices: number[][];
    edges: [number, number, number, number[]?][];
  };
  return {
    stateLength: j.stateLength,
    paramLength: j.paramLength,
    discrete: j.discrete ?? false,
    states: j.vertices.map((s) => Array.from(s)),
    edges: j.edges.map(([f, t, w, c]) => [f, t, w, c ? Array.from(c) : new Array<number>(j.paramLength).fill(0)]),
  };
}

/** A named graph spec with the θ values to test it at (for describe.each). */
export interface SpecCase {
  name: string;
  spec: GraphSpec;
  thetas: number[][];
}

/** Options of {@link randomSpec}. */
export interface RandomSpecOptions {
  seed: number;
  /** Transient vertices. */
  vertices: number;
  params: number;
  absorbing: 1 | 2;
  defective: boolean;
  discrete?: boolean;
}

/**
 * A random graph with cycles: every transient vertex has an edge to the next
 * (so absorption is reachable) plus random edges anywhere, back edges
 * included, occasional self-loops and parallel edges. Continuous rates are
 * positive for θ > 0; discrete out-weights sum to < 1 for θ in [0, 1]^p.
 */
export function randomSpec(o: RandomSpecOptions): GraphSpec {
  const rnd = prng(o.seed * 7919 + 17);
  const n = o.vertices;
  const p = o.params;
  const discrete = o.discrete ?? false;
  const states: number[][] = [[0, 0]];
  for (let v = 1; v <= n + o.absorbing; v++) states.push([v, (v * 7) % 5]);
  const abs = (k: number): number => n + 1 + (k % o.absorbing);
  const edges: EdgeSpec[] = [];

  // Initial distribution: 1–3 distinct transient targets.
  const k = 1 + Math.floor(rnd() * Math.min(3, n));
  const targets = new Set<number>();
  while (targets.size < k) targets.add(1 + Math.floor(rnd() * n));
  const raw = [...targets].map(() => 0.2 + rnd());
  const total = raw.reduce((a, b) => a + b, 0);
  const mass = o.defective ? 0.65 : 1;
  [...targets].forEach((t, i) => edges.push([0, t, (mass * raw[i]) / total, new Array<number>(p).fill(0)]));

  for (let v = 1; v <= n; v++) {
    const to: number[] = [v < n ? v + 1 : abs(0)];
    const extra = Math.floor(rnd() * 4);
    for (let i = 0; i < extra; i++) {
      let t = 1 + Math.floor(rnd() * (n + o.absorbing));
      if (t === v) t = v === 1 ? 2 : v - 1; // back edge instead of a self-loop
      to.push(t);
    }
    if (rnd() < 0.25) to.push(abs(1));
    if (rnd() < 0.15) to.push(v); // self-loop: no effect (continuous) / stay-put (discrete)
    if (rnd() < 0.15) to.push(to[0]); // parallel edge
    const budget = 0.3 + 0.65 * rnd(); // discrete: total out-probability at θ = 1
    const shares = to.map(() => 0.1 + rnd());
    const shareSum = shares.reduce((a, b) => a + b, 0);
    to.forEach((t, i) => {
      const c = new Array<number>(p).fill(0);
      if (discrete) {
        const s = (budget * shares[i]) / shareSum;
        const f = p > 0 ? 0.2 + 0.8 * rnd() : 1;
        if (p > 0) c[Math.floor(rnd() * p)] = (1 - f) * s;
        edges.push([v, t, f * s, c]);
      } else {
        let w = 0.05 + 2 * rnd();
        if (p > 0 && rnd() < 0.7) {
          c[Math.floor(rnd() * p)] = 0.1 + 1.5 * rnd();
          if (rnd() < 0.3) w = 0; // a purely parametric rate
        }
        edges.push([v, t, w, c]);
      }
    });
  }
  return { stateLength: 2, paramLength: p, discrete, states, edges };
}

/** A random forward graph: every edge to a higher index, 1–3 start targets (α defective or not), 1 or 2 absorbing vertices. */
export function forwardSpec(seed: number, n: number, p: number): GraphSpec {
  const rnd = prng(seed);
  const absorbing = 1 + (seed % 2);
  const states = Array.from({ length: n + 1 + absorbing }, (_, v) => [v]);
  const edges: EdgeSpec[] = [];
  const coef = () => Array.from({ length: p }, () => (rnd() < 0.5 ? 0.1 + rnd() : 0));
  const targets = new Set<number>([1 + Math.floor(rnd() * n), 1 + Math.floor(rnd() * n)]);
  const mass = seed % 3 === 0 ? 0.7 : 1;
  for (const t of targets) edges.push([0, t, mass / targets.size, new Array<number>(p).fill(0)]);
  for (let v = 1; v <= n; v++) {
    const last = n + absorbing;
    const to = new Set<number>([Math.min(v + 1, last)]);
    for (let i = Math.floor(rnd() * 4); i > 0; i--) to.add(v + 1 + Math.floor(rnd() * (last - v)));
    for (const t of to) edges.push([v, t, 0.05 + 2 * rnd(), coef()]);
  }
  return { stateLength: 1, paramLength: p, discrete: false, states, edges };
}

/**
 * forwardSpec(seed, 2 + seed % 12, 1 + seed % 2) with a fault chosen by seed % 5: 1, a rate that
 * can go negative or 0; 2, a self-loop-only vertex; 3, α past 1; else none.
 */
export function faultyForwardSpec(seed: number): { spec: GraphSpec; fault: number } {
  const spec = forwardSpec(seed, 2 + (seed % 12), 1 + (seed % 2));
  const fault = seed % 5, p = spec.paramLength, zeros = () => new Array<number>(p).fill(0);
  if (fault === 1) spec.edges[spec.edges.length - 1] = [spec.edges[spec.edges.length - 1][0], spec.edges[spec.edges.length - 1][1], -0.5, [1, 0].slice(0, p)];
  if (fault === 2) {
    const trap = spec.states.length;
    spec.states.push([trap]);
    spec.edges.push([1, trap, 1, zeros()], [trap, trap, 1, zeros()]);
  }
  if (fault === 3) spec.edges[0] = [spec.edges[0][0], spec.edges[0][1], spec.edges[0][2] + 0.5, spec.edges[0][3]];
  return { spec, fault };
}

/** The spec with every rate into an absorbing vertex multiplied by eps: a nearly closed chain. */
export function withScaledExits(spec: GraphSpec, eps: number): GraphSpec {
  const hasOut = new Set(spec.edges.map(([f]) => f));
  return {
    ...spec,
    edges: spec.edges.map(([f, t, w, c]) => (f !== 0 && !hasOut.has(t) ? [f, t, w * eps, c.map((x) => x * eps)] : [f, t, w, c])),
  };
}

/** The spec with rates multiplied by 10^u, u uniform in [−span, span] per edge (stiff). */
export function withStiffRates(spec: GraphSpec, span: number, seed: number): GraphSpec {
  const rnd = prng(seed);
  return {
    ...spec,
    edges: spec.edges.map(([f, t, w, c]) => {
      if (f === 0) return [f, t, w, c];
      const k = 10 ** (span * (2 * rnd() - 1));
      return [f, t, w * k, c.map((x) => x * k)];
    }),
  };
}

/** Random θ in [lo, hi]^p. */
export function randomTheta(seed: number, p: number, lo = 0.2, hi = 3): number[] {
  const rnd = prng(seed * 104729 + 3);
  return Array.from({ length: p }, () => lo + (hi - lo) * rnd());
}

/** Random rewards per vertex, with some zeros; start and absorbing entries get junk (≠ 0) that must be ignored. */
export function randomRewards(seed: number, spec: GraphSpec, zeroFraction = 0.25): number[] {
  const rnd = prng(seed * 31337 + 5);
  const hasOut = new Set(spec.edges.filter(([f, t]) => f !== t).map(([f]) => f));
  return spec.states.map((_, v) => {
    const x = rnd() < zeroFraction ? 0 : 0.1 + 3 * rnd();
    return v === 0 || !hasOut.has(v) ? 7.25 + v : x;
  });
}

/** Kingman coalescent, SFS state space, built here from the definition in graph-format.md. */
export function coalescentSpec(n: number): GraphSpec {
  const key = (s: number[]): string => s.join(',');
  const first = new Array<number>(n).fill(0);
  first[0] = n;
  const states: number[][] = [new Array<number>(n).fill(0), first];
  const index = new Map<string, number>([[key(states[0]), 0], [key(first), 1]]);
  const edges: EdgeSpec[] = [[0, 1, 1, [0]]];
  for (let v = 1; v < states.length; v++) {
    const s = states[v];
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const pairs = i === j ? (s[i] * (s[i] - 1)) / 2 : s[i] * s[j];
        if (pairs <= 0) continue;
        const t = s.slice();
        t[i]--;
        t[j]--;
        t[i + j + 1]++;
        let w = index.get(key(t));
        if (w === undefined) {
          w = states.push(t) - 1;
          index.set(key(t), w);
        }
        edges.push([v, w, 0, [pairs]]);
      }
  }
  return { stateLength: n, paramLength: 1, discrete: false, states, edges };
}

/** The two-island rabbits model (ALGORITHMS.md), built here from its definition. */
export function rabbitsSpec(N: number): GraphSpec {
  const key = (s: number[]): string => s.join(',');
  const states: number[][] = [[-1, -1], [N, 0]];
  const index = new Map<string, number>([[key(states[0]), 0], [key(states[1]), 1]]);
  const edges: EdgeSpec[] = [[0, 1, 1, [0, 0, 0]]];
  const to = (s: number[]): number => {
    let w = index.get(key(s));
    if (w === undefined) {
      w = states.push(s) - 1;
      index.set(key(s), w);
    }
    return w;
  };
  for (let v = 1; v < states.length; v++) {
    const [a, b] = states[v];
    if (a > 0) {
      edges.push([v, to([a - 1, b + 1]), 0, [1, 0, 0]]);
      edges.push([v, to([0, b]), 0, [0, 1, 0]]);
    }
    if (b > 0) {
      edges.push([v, to([a + 1, b - 1]), 0, [1, 0, 0]]);
      edges.push([v, to([a, 0]), 0, [0, 0, 1]]);
    }
  }
  return { stateLength: 2, paramLength: 3, discrete: false, states, edges };
}

/** Maps a per-vertex vector of `from` onto the vertices of `g` by state. */
export function byState(from: GraphSpec, values: number[], g: Graph): number[] {
  const key = (s: ArrayLike<number>): string => Array.from(s).join(',');
  const m = new Map(from.states.map((s, i) => [key(s), values[i]]));
  return Array.from({ length: g.vertexCount }, (_, v) => {
    const x = m.get(key(g.stateOf(v)));
    if (x === undefined) throw new Error(`byState: state [${key(g.stateOf(v))}] not in the spec`);
    return x;
  });
}

/** Restricts a per-vertex vector to the dense rows. */
export function onRows(d: Dense, perVertex: ArrayLike<number>): number[] {
  return d.rows.map((v) => perVertex[v]);
}

/** Asserts |a − e| ≤ tol·|e| elementwise (relative), with a helpful message. */
export function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e) / Math.abs(e);
    if (!(err <= tol) && !(a === e))
      expect.fail(`${what}[${i}]: got ${a}, expected ${e} (relative error ${err.toExponential(2)} > ${tol})`);
  }
}

/** Asserts |a − e| ≤ tol elementwise (absolute). */
export function expectAbsClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol))
      expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (absolute error ${err.toExponential(2)} > ${tol})`);
  }
}

/** Moments: relative 1e-10 (the tolerance). */
export const MOMENT_TOL = 1e-10;
/** pdf/cdf: absolute 1e-9 (the tolerance). */
export const DENSITY_TOL = 1e-9;
/** Times at which densities are compared: a grid on [0, 4] plus points near 0. */
export const TIMES = [0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, ...Array.from({ length: 40 }, (_, i) => 0.1 * (i + 1))];
