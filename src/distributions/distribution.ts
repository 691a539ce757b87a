// pdf/cdf of continuous graphs by uniformisation, pmf/cdf of discrete ones by
// stepping the state distribution; both run the same sparse kernel loop.
//
// Continuous: with λ ≥ every exit rate and K = I + S/λ,
//   f(t) = Σ_n Pois(n; λt) · α Kⁿ s,   F(t) = 1 − Σ_n Pois(n; λt) · α Kⁿ 1.
// α Kⁿ s ≤ max(s) and α Kⁿ 1 ≤ 1, so dropping Poisson tails of mass ≤ ε/max(1, max s)
// on each side bounds the truncation error of the pdf and the cdf by 2ε (ε = 1e-11),
// and stepping stops early once the surviving mass cannot matter.
import { GraphError } from '../errors/index.js';
import { allocate, copyIn, copyOutF64, kernel } from '../kernel/module.js';
import { isTransient, type Csr } from '../graph/rates.js';
import { poissonWindow } from './poisson.js';

/** Truncation tolerance per Poisson tail, before scaling by the largest exit rate. */
export const UNIFORMIZATION_TAIL = 1e-11;

/**
 * v_{k+1} = v_k (diag(stay) + P), v_0 = α, stepped in the kernel chunk by chunk on
 * demand: a[k] = v_k·exit, b[k] = Σ v_k. Once the surviving mass drops below
 * `stopMass` the stepper is `stopped` and every later a[k], b[k] counts as 0.
 */
class Stepper {
  a = new Float64Array(1024);
  b = new Float64Array(1024);
  count = 0;
  stopped = false;
  private readonly ptrs: number[] = [];
  private readonly k = kernel();
  private readonly n: number;
  private readonly args: { rp: number; col: number; p: number; stay: number; exit: number; v: number; tmp: number };

  constructor(csr: Csr, scale: number, private readonly stopMass: number) {
    const n = (this.n = csr.vertexCount);
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
    const keep = (ptr: number) => { this.ptrs.push(ptr); return ptr; };
    const k = this.k;
    this.args = {
      rp: keep(copyIn(k, csr.rowPtr)), col: keep(copyIn(k, csr.col)), p: keep(copyIn(k, p)),
      stay: keep(copyIn(k, stay)), exit: keep(copyIn(k, exit)), v: keep(copyIn(k, v0)), tmp: keep(allocate(k, 8 * n)),
    };
  }

  /** Makes a[0..last] and b[0..last] available (or stops trying once the mass is gone). */
  ensure(last: number): void {
    const { k, args } = this;
    while (!this.stopped && this.count <= last) {
      const chunk = Math.min(1 << 20, Math.max(1024, last + 1 - this.count));
      const a = allocate(k, 8 * chunk), b = allocate(k, 8 * chunk);
      try {
        const done = k.pk_step_distribution(this.n, args.rp, args.col, args.p, args.stay, args.exit, args.v, args.tmp, chunk, a, b, this.stopMass);
        this.grow(this.count + done);
        this.a.set(copyOutF64(k, a, done), this.count);
        this.b.set(copyOutF64(k, b, done), this.count);
        this.count += done;
        if (done < chunk) this.stopped = true;
      } finally {
        k.pk_free(a);
        k.pk_free(b);
      }
    }
  }

  /** a[i] (0 past the point where the mass ran out). */
  aAt(i: number): number { return i < this.count ? this.a[i] : 0; }
  /** b[i] (0 past the point where the mass ran out). */
  bAt(i: number): number { return i < this.count ? this.b[i] : 0; }

  free(): void {
    for (const p of this.ptrs) this.k.pk_free(p);
  }

  private grow(size: number): void {
    if (size <= this.a.length) return;
    let cap = this.a.length;
    while (cap < size) cap *= 2;
    const a = new Float64Array(cap), b = new Float64Array(cap);
    a.set(this.a.subarray(0, this.count));
    b.set(this.b.subarray(0, this.count));
    this.a = a;
    this.b = b;
  }
}

/** Chernoff bound on P(N ≤ k) for N ~ Poisson(μ), k < μ, as a logarithm. */
function logPoissonLowerTail(mu: number, k: number): number {
  return k === 0 ? -mu : -mu + k + k * Math.log(mu / k);
}

// Beyond this λt the Poisson window cannot be walked (and stepping to it would take forever).
const MAX_POISSON_MEAN = 1e11;

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
  const stepper = new Stepper(csr, lambda || 1, tail);
  try {
    // A first stretch of steps tells whether the mass dies out early (then huge λt are trivial).
    const reach = Math.max(...Array.from(t, (ti) => lambda * ti + 12 * Math.sqrt(lambda * ti) + 64));
    stepper.ensure(Math.min(reach, 1 << 16));
    t.forEach((ti, i) => {
      const mu = lambda * ti;
      if (stepper.stopped && mu > stepper.count && logPoissonLowerTail(mu, stepper.count) < Math.log(tail)) {
        pdf[i] = 0; // every step that still carries mass has negligible Poisson weight
        cdf[i] = 1;
        return;
      }
      if (mu > MAX_POISSON_MEAN)
        throw new GraphError('BAD_ARGUMENT', `time ${ti} times the largest exit rate ${lambda} is ${mu}: uniformisation would need that many steps`);
      const w = poissonWindow(mu, tail);
      stepper.ensure(w.right);
      let f = 0, s = 0;
      for (let j = 0; j < w.weights.length; j++) { f += w.weights[j] * stepper.aAt(w.left + j); s += w.weights[j] * stepper.bAt(w.left + j); }
      pdf[i] = f;
      cdf[i] = Math.min(1, Math.max(0, 1 - s));
    });
  } finally {
    stepper.free();
  }
  return { pdf, cdf };
}

/** pmf and cdf at the given step counts (τ = number of steps to absorption). */
export function discreteDistribution(csr: Csr, steps: ArrayLike<number>): { pmf: Float64Array; cdf: Float64Array } {
  const k = checkPoints(steps, true);
  const pmf = new Float64Array(k.length), cdf = new Float64Array(k.length);
  if (k.length === 0) return { pmf, cdf };
  // Mass below 1e-15 changes no pmf or cdf value by more than that.
  const stepper = new Stepper(csr, 1, 1e-15);
  try {
    stepper.ensure(Math.max(...k));
    k.forEach((kk, i) => {
      pmf[i] = kk === 0 ? 1 - stepper.bAt(0) : stepper.aAt(kk - 1);
      cdf[i] = 1 - stepper.bAt(kk);
    });
  } finally {
    stepper.free();
  }
  return { pmf, cdf };
}
