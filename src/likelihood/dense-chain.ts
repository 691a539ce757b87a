// The chain the dense likelihood works on: transient states and one sink for absorption,
// stepped by K = I + Q/λ (continuous) or by its transition matrix (discrete), with each
// quantity's derivative along every parameter (forward mode).
import { baseStep } from '../distributions/dense-fallback.js';
import { projectRows } from '../distributions/dense-matrix.js';
import type { Dual } from '../distributions/dense-rows.js';
import { GraphError } from '../errors/index.js';
import { structureRates, type Structure } from '../graph/structure.js';

/** Levels (squarings) beyond which the dense path refuses: λ·t_max up to about 1.7e38. */
export const MAX_LEVELS = 128;

/** The augmented chain at θ (see {@link chainAt}). */
export interface Chain {
  /** Augmented size: transient states, then the sink. */
  n: number;
  /** Stochastic matrix (n × n, row-major) and its derivative per parameter. */
  K: Float64Array;
  dK: Float64Array[];
  alpha: Float64Array;
  dAlpha: Float64Array[];
  /** Rates into absorption per transient state, and their derivatives. */
  s: Float64Array;
  ds: Float64Array[];
  lambda: number;
  /** 1 − Σα (the atom at 0) and its derivatives: a discrete observation of 0 steps. */
  atom: number;
  dAtom: Float64Array;
}

/** The number of transient states the dense path would carry (the kernel's count). */
export function transientCount(structure: Structure): number {
  const { rowPtr } = structure;
  let nt = 0;
  for (let v = 1; v < structure.vertexCount; v++) if (rowPtr[v + 1] > rowPtr[v]) nt++;
  return nt;
}

/** Σα over transient states at θ: the start's rates into vertices that have out-edges (0: T = 0 surely). */
export function transientMass(structure: Structure, theta: Float64Array): number {
  const { rowPtr, col } = structure;
  const { w } = structureRates(structure, theta);
  let mass = 0;
  for (let j = rowPtr[0]; j < rowPtr[1]; j++) if (rowPtr[col[j] + 1] > rowPtr[col[j]]) mass += w[j];
  return mass;
}

/** The augmented chain at θ; with `gradient`, its derivatives along each parameter (else none are carried). */
export function chainAt(structure: Structure, theta: Float64Array, gradient: boolean): Chain {
  const { rowPtr, col, coef, vertexCount, discrete } = structure;
  const p = gradient ? structure.paramLength : 0, stride = structure.paramLength;
  const { w } = structureRates(structure, theta);
  const tidx = new Int32Array(vertexCount).fill(-1);
  let nt = 0;
  for (let v = 1; v < vertexCount; v++) if (rowPtr[v + 1] > rowPtr[v]) tidx[v] = nt++;
  const n = nt + 1, sink = nt;
  let lambda = 1;
  if (!discrete) {
    lambda = 0;
    for (let v = 1; v < vertexCount; v++) {
      let e = 0;
      for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) e += w[j];
      if (tidx[v] >= 0 && e > lambda) lambda = e;
    }
    if (lambda === 0) lambda = 1;
  }
  const K = new Float64Array(n * n), s = new Float64Array(nt), alpha = new Float64Array(n);
  const dK = Array.from({ length: p }, () => new Float64Array(n * n));
  const ds = Array.from({ length: p }, () => new Float64Array(nt));
  const dAlpha = Array.from({ length: p }, () => new Float64Array(n));
  const dAtom = new Float64Array(p);
  let mass = 0;
  for (let j = rowPtr[0]; j < rowPtr[1]; j++) {
    const b = tidx[col[j]];
    if (b < 0) continue;
    alpha[b] += w[j];
    mass += w[j];
    for (let i = 0; i < p; i++) { dAlpha[i][b] += coef[j * stride + i]; dAtom[i] -= coef[j * stride + i]; }
  }
  for (let v = 1; v < vertexCount; v++) {
    const a = tidx[v];
    if (a < 0) continue;
    let exit = 0;
    for (let j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      const b = tidx[col[j]], to = b >= 0 ? b : sink;
      exit += w[j];
      K[a * n + to] += w[j] / lambda;
      if (b < 0) s[a] += w[j];
      for (let i = 0; i < p; i++) {
        const c = coef[j * stride + i];
        if (c === 0) continue;
        dK[i][a * n + to] += c / lambda;
        dK[i][a * n + a] -= c / lambda;
        if (b < 0) ds[i][a] += c;
      }
    }
    K[a * n + a] += 1 - exit / lambda;
  }
  K[n * n - 1] = 1;
  for (const d of dK) projectRows(d, K, n);
  return { n, K, dK, alpha, dAlpha, s, ds, lambda, atom: 1 - mass, dAtom };
}

/**
 * Every t ≤ tmax as Σ bits[j]·2^j Δ + rest, rest < Δ, for the base step Δ = tmax / 2^J of
 * {@link baseStep}: `atLevel(j)` lists the times whose bit j is set, `remainder` those with a
 * rest. J past {@link MAX_LEVELS} is WORK_LIMIT.
 */
export function timeDigits(lambda: number, times: number[], tmax: number): { J: number; delta: number; atLevel: (j: number) => number[]; rest: number[]; remainder: number[] } {
  const { J, delta } = baseStep(lambda, tmax);
  if (J > MAX_LEVELS) throw new GraphError('WORK_LIMIT', `the likelihood's largest exit rate × largest time is ${(lambda * tmax).toExponential(2)}, beyond what dense matrices take (${MAX_LEVELS} squarings, about 1.7e38); rescale time`);
  const rest = times.slice();
  const bits = times.map(() => new Uint8Array(J + 1));
  for (let j = J; j >= 0; j--) {
    const span = delta * 2 ** j;
    rest.forEach((r, k) => { if (r >= span) { bits[k][j] = 1; rest[k] = r - span; } });
  }
  const atLevel = (j: number) => times.flatMap((_, k) => (bits[k][j] ? [k] : []));
  return { J, delta, atLevel, rest, remainder: times.flatMap((_, k) => (rest[k] > 0 ? [k] : [])) };
}
