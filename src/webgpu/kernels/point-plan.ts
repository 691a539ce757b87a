// The host's half of the GPU likelihood of times or steps: the structure as the
// kernel reads it (transient vertices, their edges by target, and coefficient
// rows [base, C] for the edges, exit rates, absorption rates and α), the rows
// sorted into groups that share λ, and each group's observations as windows over
// the stepped a_n (density) or b_n (survival) with their weights.
import type { Structure } from '../../graph/structure.js';
import type { CheckedPoints } from '../../likelihood/observations.js';
import { poissonWindow } from './poisson-window.js';

/** The structure's arrays for the kernel. */
export interface PointStructure {
  /** Transient vertices (not the start, with out-edges). */
  nt: number;
  /** Edges between transient vertices, by target. */
  mt: number;
  /** rcp (nt + 1) then the source of each edge by target (mt). */
  csr: Uint32Array;
  /** Coefficient rows [base, coef_1..coef_p]: edges by target, then exit, absorption and α rows per transient vertex. */
  coefficients: Float64Array;
  offX: number;
  offS: number;
  offA: number;
  /** Transient rows the mass can hold at the first step: one past the last that α reaches (0 when none). */
  startRows: number;
  /** reach[h]: while v is 0 from row h on, the next vector is 0 from reach[h] on (nt + 1 entries). */
  reach: Uint32Array;
}

/** Observations of a group: windows into the a (kind 0) or b (kind 1) records. */
export interface GroupObservations {
  /** Per observation: kind, lo, hi, offset of its weights in `windows`. */
  descriptors: Uint32Array;
  /** Each observation's multiplicity. */
  multiplicity: Float64Array;
  /** The window weights, concatenated. */
  windows: Float64Array;
  /** Steps needed: v_0 … v_steps. */
  steps: number;
}

/** Builds the kernel's view of a structure (see the file comment). */
export function pointStructure(s: Structure): PointStructure {
  const n = s.vertexCount, p = s.paramLength, row = 1 + p, { rowPtr, col, base, coef } = s;
  const tidx = new Int32Array(n).fill(-1);
  let nt = 0;
  for (let v = 1; v < n; v++) if (rowPtr[v + 1] > rowPtr[v]) tidx[v] = nt++;
  const rcp = new Uint32Array(nt + 1);
  for (let v = 1; v < n; v++) {
    if (tidx[v] < 0) continue;
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) if (tidx[col[j]] >= 0) rcp[tidx[col[j]] + 1]++;
  }
  for (let b = 0; b < nt; b++) rcp[b + 1] += rcp[b];
  const mt = rcp[nt];
  const rsrc = new Uint32Array(mt);
  const offX = mt * row, offS = offX + nt * row, offA = offS + nt * row;
  const cf = new Float64Array(offA + nt * row);
  const add = (at: number, j: number) => {
    cf[at] += base[j];
    for (let i = 0; i < p; i++) cf[at + 1 + i] += coef[j * p + i];
  };
  const fill = rcp.slice(0, nt);
  for (let v = 1; v < n; v++) {
    const a = tidx[v];
    if (a < 0) continue;
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const b = tidx[col[j]];
      add(offX + a * row, j);
      if (b < 0) { add(offS + a * row, j); continue; }
      const r = fill[b]++;
      rsrc[r] = a;
      add(r * row, j);
    }
  }
  for (let j = rowPtr[0]; j < rowPtr[1]; j++) if (tidx[col[j]] >= 0) add(offA + tidx[col[j]] * row, j);
  const csr = new Uint32Array(nt + 1 + mt);
  csr.set(rcp);
  csr.set(rsrc, nt + 1);
  let startRows = 0;
  for (let j = rowPtr[0]; j < rowPtr[1]; j++) if (tidx[col[j]] >= 0) startRows = Math.max(startRows, tidx[col[j]] + 1);
  return { nt, mt, csr, coefficients: cf, offX, offS, offA, startRows, reach: reachOf(nt, rcp, rsrc) };
}

// reach[h] = max(h, 1 + the last row fed by an edge from a row below h): the rows a step can
// make nonzero from a vector that is 0 from row h on. Structural, so per structure, O(nt + mt).
function reachOf(nt: number, rcp: Uint32Array, rsrc: Uint32Array): Uint32Array {
  const lastFed = new Int32Array(nt).fill(-1);
  for (let b = 0; b < nt; b++) for (let r = rcp[b]; r < rcp[b + 1]; r++) if (b > lastFed[rsrc[r]]) lastFed[rsrc[r]] = b;
  const reach = new Uint32Array(nt + 1);
  let top = -1;
  for (let h = 1; h <= nt; h++) {
    top = Math.max(top, lastFed[h - 1]);
    reach[h] = Math.max(h, top + 1);
  }
  return reach;
}

// Test switch: false makes every step visit every row (the bounds are all nt), as before the prefix.
let stepPrefix = true;
/** @internal Tests compare the stepping of the reached rows with every row's. */
export function setGpuStepPrefix(on: boolean): void {
  stepPrefix = on;
}

/**
 * The row bounds of v_0, v_1, …: v_n is 0 from row bounds[min(n, last)] on, where the last entry
 * is the first bound the structure's reach keeps (so the array has at most nt + 2 entries,
 * however many steps a group takes). The step kernel visits only those rows, and an edge
 * only from a source below the bound (each row's sources ascend), so the terms it leaves out
 * are all +0: the sums are the ones every row gives.
 */
export function stepBounds(ps: PointStructure): Uint32Array {
  const bounds: number[] = [];
  let h = stepPrefix ? ps.startRows : ps.nt;
  for (;;) {
    bounds.push(h);
    if (ps.reach[h] === h) break;
    h = ps.reach[h];
  }
  return Uint32Array.from(bounds);
}

/** bounds[n] of {@link stepBounds}'s array, for any n ≥ 0. */
export function boundAt(bounds: Uint32Array, n: number): number {
  return bounds[Math.min(n, bounds.length - 1)];
}

/** λ of each θ row: its largest exit rate (1 for discrete graphs, or when every rate is 0), as likelihood.c chooses it. */
export function rowRates(ps: PointStructure, paramLength: number, discrete: boolean, thetas: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(rows).fill(1);
  if (discrete) return out;
  const cf = ps.coefficients, row = 1 + paramLength;
  for (let r = 0; r < rows; r++) {
    let lambda = 0;
    for (let a = 0; a < ps.nt; a++) {
      const at = ps.offX + a * row;
      let e = cf[at];
      for (let i = 0; i < paramLength; i++) e += cf[at + 1 + i] * thetas[r * paramLength + i];
      if (e > lambda) lambda = e;
    }
    out[r] = lambda > 0 ? lambda : 1;
  }
  return out;
}

/** Rows grouped so that within a group the largest λ is at most `spread` times the smallest (continuous graphs). */
export function groupByRate(lambdas: Float64Array, spread = 2): number[][] {
  const order = Array.from(lambdas.keys()).sort((a, b) => lambdas[a] - lambdas[b]);
  const groups: number[][] = [];
  let group: number[] = [], low = 0;
  for (const r of order) {
    if (group.length && lambdas[r] > spread * low) { groups.push(group); group = []; }
    if (!group.length) low = lambdas[r];
    group.push(r);
  }
  if (group.length) groups.push(group);
  return groups;
}

/** The group's observations at rate λ (zero-weight ones dropped: 0·log 0 counts as 0, as in the kernel). */
export function groupObservations(data: CheckedPoints, discrete: boolean, lambda: number): GroupObservations {
  const kinds: number[] = [], lo: number[] = [], hi: number[] = [], mult: number[] = [], windows: number[][] = [];
  let steps = 0;
  const push = (kind: number, left: number, weights: ArrayLike<number>, m: number, shift: number) => {
    kinds.push(kind); lo.push(left + shift); hi.push(left + shift + weights.length - 1); mult.push(m);
    windows.push(Array.from(weights));
    steps = Math.max(steps, left + weights.length - 1);
  };
  for (let i = 0; i < data.points.length; i++) {
    if (data.weights[i] === 0) continue;
    const t = data.points[i];
    if (!discrete) { const w = poissonWindow(lambda * t); push(0, w.left, w.weights, data.weights[i], 1); }
    else if (t === 0) { push(0, -1, [1], data.weights[i], 1); }   // index 0: 1 − Σα
    else push(0, t - 1, [1], data.weights[i], 1);                    // pmf(k) = a_{k−1}, at index k
  }
  for (let i = 0; i < data.censored.length; i++) {
    if (data.censoredWeights[i] === 0) continue;
    const t = data.censored[i];
    if (!discrete) { const w = poissonWindow(lambda * t); push(1, w.left, w.weights, data.censoredWeights[i], 0); }
    else push(1, t, [1], data.censoredWeights[i], 0);                 // P(τ > k) = b_k
  }
  const descriptors = new Uint32Array(4 * kinds.length);
  let woff = 0;
  const flat = new Float64Array(windows.reduce((n, w) => n + w.length, 0));
  for (let i = 0; i < kinds.length; i++) {
    descriptors.set([kinds[i], lo[i], hi[i], woff], 4 * i);
    flat.set(windows[i], woff);
    woff += windows[i].length;
  }
  return { descriptors, multiplicity: Float64Array.from(mult), windows: flat, steps: Math.max(0, steps) };
}
