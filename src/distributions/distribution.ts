// pdf/cdf of continuous graphs by uniformisation, pmf/cdf of discrete ones by
// stepping the state distribution; both run the same sparse kernel loop.
//
// Continuous: with λ ≥ every exit rate and K = I + S/λ,
//   f(t) = Σ_n Pois(n; λt) · α Kⁿ s,   F(t) = 1 − Σ_n Pois(n; λt) · α Kⁿ 1.
// α Kⁿ s ≤ max(s) and α Kⁿ 1 ≤ 1, so dropping Poisson tails of mass ≤ ε/max(1, max s)
// on each side bounds the truncation error of the pdf and the cdf by 2ε (ε = 1e-11),
// and stepping stops early once the surviving mass cannot matter.
import { GraphError } from '../errors.js';
import { allocate, copyIn, copyOutF64, kernel } from '../kernel/module.js';
import { isTransient, type Csr } from '../graph/rates.js';
import { poissonWindow } from './poisson.js';

/** Truncation tolerance per Poisson tail, before scaling by the largest exit rate. */
export const UNIFORMIZATION_TAIL = 1e-11;

interface Stepped { a: Float64Array; b: Float64Array }

/** a[k] = v_k·exit, b[k] = Σ v_k, for v_{k+1} = v_k (diag(stay) + P), v_0 = α. */
function stepDistribution(csr: Csr, scale: number, steps: number, stopMass: number): Stepped {
  const n = csr.vertexCount;
  const transient = new Uint8Array(n);
  for (let v = 0; v < n; v++) transient[v] = isTransient(csr, v) ? 1 : 0;
  const p = new Float64Array(csr.col.length);
  const stay = new Float64Array(n), exit = new Float64Array(n), v0 = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (v !== 0 && !transient[v]) continue;
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) {
      const c = csr.col[j];
      if (v === 0) { if (transient[c]) v0[c] += csr.weight[j]; continue; }
      if (transient[c]) p[j] = csr.weight[j] / scale;
      else exit[v] += csr.weight[j];
    }
    if (v !== 0) stay[v] = 1 - csr.exitRate[v] / scale;
  }
  const k = kernel();
  const ptrs: number[] = [];
  try {
    const rp = copyIn(k, csr.rowPtr); ptrs.push(rp);
    const col = copyIn(k, csr.col); ptrs.push(col);
    const pp = copyIn(k, p); ptrs.push(pp);
    const st = copyIn(k, stay); ptrs.push(st);
    const ex = copyIn(k, exit); ptrs.push(ex);
    const vv = copyIn(k, v0); ptrs.push(vv);
    const tmp = allocate(k, 8 * n); ptrs.push(tmp);
    const a = allocate(k, 8 * (steps + 1)); ptrs.push(a);
    const b = allocate(k, 8 * (steps + 1)); ptrs.push(b);
    k.pk_step_distribution(n, rp, col, pp, st, ex, vv, tmp, steps, a, b, stopMass);
    return { a: copyOutF64(k, a, steps + 1), b: copyOutF64(k, b, steps + 1) };
  } finally {
    for (const ptr of ptrs) k.pk_free(ptr);
  }
}

function checkPoints(points: ArrayLike<number>, integer: boolean): Float64Array {
  const out = Float64Array.from(points);
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (!Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x)))
      throw new GraphError('BAD_ARGUMENT', `${integer ? 'step' : 'time'} ${i} is ${x}; expected a finite ${integer ? 'integer ' : 'number '}≥ 0`);
  }
  return out;
}

/** pdf and cdf at the given times. */
export function continuousDistribution(csr: Csr, times: ArrayLike<number>): { pdf: Float64Array; cdf: Float64Array } {
  const t = checkPoints(times, false);
  let lambda = 0, maxExit = 0;
  for (let v = 1; v < csr.vertexCount; v++) {
    if (!isTransient(csr, v)) continue;
    lambda = Math.max(lambda, csr.exitRate[v]);
    let s = 0;
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) if (!isTransient(csr, csr.col[j])) s += csr.weight[j];
    maxExit = Math.max(maxExit, s);
  }
  const pdf = new Float64Array(t.length), cdf = new Float64Array(t.length);
  if (t.length === 0) return { pdf, cdf };
  const tail = UNIFORMIZATION_TAIL / Math.max(1, maxExit);
  const windows = Array.from(t, (ti) => poissonWindow(lambda * ti, tail));
  const steps = lambda === 0 ? 0 : Math.max(...windows.map((w) => w.right));
  const { a, b } = stepDistribution(csr, lambda || 1, steps, tail);
  windows.forEach((w, i) => {
    let f = 0, s = 0;
    for (let j = 0; j < w.weights.length; j++) { f += w.weights[j] * a[w.left + j]; s += w.weights[j] * b[w.left + j]; }
    pdf[i] = f;
    cdf[i] = Math.min(1, Math.max(0, 1 - s));
  });
  return { pdf, cdf };
}

/** pmf and cdf at the given step counts (τ = number of steps to absorption). */
export function discreteDistribution(csr: Csr, steps: ArrayLike<number>): { pmf: Float64Array; cdf: Float64Array } {
  const k = checkPoints(steps, true);
  const pmf = new Float64Array(k.length), cdf = new Float64Array(k.length);
  if (k.length === 0) return { pmf, cdf };
  const max = Math.max(...k);
  const { a, b } = stepDistribution(csr, 1, max, 0);
  k.forEach((kk, i) => {
    pmf[i] = kk === 0 ? 1 - b[0] : a[kk - 1];
    cdf[i] = 1 - b[kk];
  });
  return { pmf, cdf };
}
