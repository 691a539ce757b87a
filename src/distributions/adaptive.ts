// Adaptive uniformisation (van Moorsel & Sanders 1994) for pdf/cdf: step k of the
// chain uses λ_k, the largest exit rate among the states holding mass after k steps,
// so a chain whose mass moves from fast states to slow ones (the coalescent: each
// level empties in one step) needs as many steps as it has levels, not λ_max·t.
//
// The jumps then happen at the epochs of a pure birth process N with rates λ_0, λ_1, …:
//   f(t) = Σ_k P(N(t) = k)·a_k,   P(T > t) = Σ_k P(N(t) = k)·b_k,
// with a_k = v_k·exit and b_k = Σ v_k as in plain uniformisation. P(N(t) = k) comes
// from the birth chain itself, a bidiagonal chain of K levels: uniformised at
// Λ = max λ_k (all terms nonnegative, no cancellation between close rates), or with
// dense matrices when it is small and Λt is large.
//
// Truncation: the chain is stepped until its mass is gone or a Chernoff bound says
// P(N(t_max) ≥ K) is below the tail; entries below a flush threshold are dropped so
// fast states leave the support, and the dropped mass is bounded too. When the chain
// keeps its fast states (a cycle through them), λ_k never falls and adaptivity buys
// nothing: then the caller falls back to plain uniformisation.
import { largest } from './largest.js';
import type { ReachedTime } from './progress.js';
import { allocate, copyIn, f64View, kernel } from '../kernel/module.js';
import { KernelError } from '../errors/index.js';
import { denseStates, DENSE_MAX_STATES, type DenseChain } from './dense-fallback.js';
import { poissonSums, type StepSource } from './poisson-sums.js';
import { layOut, type StepMatrix } from './stepper.js';

/** Steps per kernel call (small: the decision to stop is taken between calls). */
const AU_CHUNK = 256;

/** What the adaptive run may cost before it gives way to plain uniformisation. */
export interface AdaptiveBudget {
  /** Most steps of the chain. */
  maxLevels: number;
  /** Most work weighing the levels: birth-chain steps (about Λ·t_max) × levels. */
  maxBirthWork: number;
  /** Hears the time the levels cover so far (for progress reports). */
  reached?: ReachedTime;
}

/** The recorded levels: a_k, b_k and λ_k for k < count. */
interface Levels { a: Float64Array; b: Float64Array; lambda: Float64Array; count: number; exhausted: boolean }

function grow(x: Float64Array, n: number): Float64Array {
  if (x.length >= n) return x;
  const y = new Float64Array(Math.max(n, 2 * x.length));
  y.set(x);
  return y;
}

/**
 * log P(E_0 + … + E_{K−1} ≤ t) bounded above by Chernoff, E_j ~ Exp(λ_j):
 * min over s > 0 of s·t + Σ log(λ_j / (λ_j + s)). The minimiser solves Σ 1/(λ_j + s) = t;
 * that function is convex and decreasing, so Newton from s = 0 climbs to it monotonically.
 */
export function logProbabilityLevelsBy(lambda: Float64Array, count: number, t: number): number {
  if (t <= 0) return -Infinity;
  let mean = 0;
  for (let j = 0; j < count; j++) mean += 1 / lambda[j];
  if (mean <= t) return 0;
  let s = 0;
  for (let it = 0; it < 60; it++) {
    let f = -t, df = 0;
    for (let j = 0; j < count; j++) { const r = 1 / (lambda[j] + s); f += r; df -= r * r; }
    const step = f / df;
    s -= step;
    if (!(Math.abs(step) > 1e-12 * s)) break;
  }
  let log = s * t;
  for (let j = 0; j < count; j++) log -= Math.log1p(s / lambda[j]);
  return Math.min(0, log);
}

/** Steps the chain adaptively until the levels suffice for times up to tmax; undefined past the budget. */
function stepLevels(m: StepMatrix, scale: number, tmax: number, tail: number, maxLevels: number, reached?: ReachedTime): Levels | undefined {
  const k = kernel();
  const n = Math.max(1, m.count);
  const ptrs: number[] = [];
  let freeLayout: (() => void) | null = null;
  const keep = (ptr: number) => (ptrs.push(ptr), ptr);
  try {
    // Plain rows (the steps gather over them); the layout knows which the mass can reach.
    const { layout, p, free } = layOut(k, m, 0, keep, 'adaptive stepping');
    freeLayout = free;
    const rate = keep(copyIn(k, m.rate)), exit = keep(copyIn(k, m.exit)), v = keep(copyIn(k, m.alpha));
    const tmp = keep(allocate(k, 8 * n)), a = keep(allocate(k, 8 * AU_CHUNK)), b = keep(allocate(k, 8 * AU_CHUNK));
    const lam = keep(allocate(k, 8 * AU_CHUNK)), dropped = keep(copyIn(k, new Float64Array(1)));
    // Dropping entries below this changes no a_k or b_k by more than 1e-3·tail per step.
    const flush = Math.max(1e-290, (1e-3 * tail) / n);
    const levels: Levels = { a: new Float64Array(AU_CHUNK), b: new Float64Array(AU_CHUNK), lambda: new Float64Array(AU_CHUNK), count: 0, exhausted: false };
    let nextCheck = AU_CHUNK, covered = 0;
    while (levels.count < maxLevels) {
      const got = k.pk_step_adaptive(layout, p, scale, rate, exit, v, tmp, AU_CHUNK, a, b, lam, tail, flush, dropped);
      const at = levels.count;
      levels.a = grow(levels.a, at + got); levels.b = grow(levels.b, at + got); levels.lambda = grow(levels.lambda, at + got);
      levels.a.set(f64View(k, a, got), at); levels.b.set(f64View(k, b, got), at); levels.lambda.set(f64View(k, lam, got), at);
      for (let j = at; j < at + got; j++) if (levels.lambda[j] > 0) covered += 1 / levels.lambda[j];
      levels.count += got;
      reached?.(covered);
      // The dropped mass lowers every later b_k (and a_k ≤ max exit·b_k): beyond the tail, give up.
      if (f64View(k, dropped, 1)[0] > tail) return undefined;
      if (got < AU_CHUNK) { levels.exhausted = true; return levels; }
      // Each level covers 1/λ_k of time on average: if the levels so far cover too little
      // for the budget to reach tmax at the same pace, adaptivity is not paying: stop now.
      if (covered < tmax && (levels.count * tmax) / covered > maxLevels) return undefined;
      // The Chernoff test costs O(count): run it at geometrically spaced counts.
      if (levels.count >= nextCheck) {
        if (logProbabilityLevelsBy(levels.lambda, levels.count, tmax) < Math.log(tail)) return levels;
        nextCheck = levels.count + Math.max(AU_CHUNK, levels.count >> 3);
      }
    }
    return undefined;
  } finally {
    freeLayout?.();
    for (const ptr of ptrs) k.pk_free(ptr);
  }
}

/**
 * The birth chain uniformised at Λ, as a source of α_m = u_m·a and β_m = u_m·b: level k
 * stays with probability 1 − λ_k/Λ and moves up otherwise; mass moving past the last level
 * leaves (its a and b are taken as 0: the truncation the Chernoff bound covers).
 */
class BirthSteps implements StepSource {
  position = 0;
  stopped = false;
  private u: Float64Array;
  private lo = 0;
  private hi = 0;
  private readonly up: Float64Array;
  private readonly alpha = new Float64Array(8192);
  private readonly beta = new Float64Array(8192);
  /** Entries below this are dropped at both ends of the band, so its width follows the spread of the level, not the step count. */
  private readonly trim: number;

  constructor(private readonly levels: Levels, lambda: number, private readonly stopMass: number, steps: number) {
    // Dropped mass over all the steps stays below 2e-4·stopMass.
    this.trim = Math.max(1e-290, (1e-4 * stopMass) / Math.max(1, steps));
    this.u = new Float64Array(levels.count);
    this.u[0] = 1;
    this.up = Float64Array.from(levels.lambda.subarray(0, levels.count), (l) => l / lambda);
  }

  next(most: number): { a: Float64Array; b: Float64Array; count: number } {
    const { a, b } = this.levels, u = this.u, up = this.up, last = this.levels.count - 1;
    const want = Math.max(1, Math.min(this.alpha.length, most));
    let count = 0;
    while (count < want && !this.stopped) {
      let sa = 0, sb = 0;
      for (let j = this.lo; j <= this.hi; j++) { sa += u[j] * a[j]; sb += u[j] * b[j]; }
      this.alpha[count] = sa;
      this.beta[count] = sb;
      count++;
      // b_k does not increase with k and the chain only moves up, so β never grows back.
      if (sb < this.stopMass) { this.stopped = true; break; }
      for (let j = this.hi; j >= this.lo; j--) {
        const moved = u[j] * up[j];
        u[j] -= moved;
        if (j < last) u[j + 1] += moved;
      }
      if (this.hi < last) {
        if (u[this.hi + 1] >= this.trim) this.hi++;
        else u[this.hi + 1] = 0;
      }
      while (this.lo < this.hi && u[this.lo] < this.trim) { u[this.lo] = 0; this.lo++; }
    }
    this.position += count;
    return { a: this.alpha.subarray(0, count), b: this.beta.subarray(0, count), count };
  }
}

/** The birth chain as a dense chain: levels 0..K−1, the last one's jumps leave. */
function birthChain(levels: Levels, lambda: number): DenseChain {
  const K = levels.count;
  const inPtr = new Int32Array(K + 1), src = new Int32Array(Math.max(0, K - 1)), p = new Float64Array(Math.max(0, K - 1));
  for (let k = 1; k < K; k++) { inPtr[k + 1] = k; src[k - 1] = k - 1; p[k - 1] = levels.lambda[k - 1] / lambda; }
  inPtr[1] = 0;
  const stay = Float64Array.from(levels.lambda.subarray(0, K), (l) => 1 - l / lambda);
  const exit = new Float64Array(K);
  exit[K - 1] = levels.lambda[K - 1];
  const alpha = new Float64Array(K);
  alpha[0] = 1;
  return { count: K, inPtr, src, p, stay, exit, alpha };
}

/**
 * pdf and cdf by adaptive uniformisation, or undefined when it would cost more than the
 * budget (the chain keeps its fast states, or the birth chain is too long to weigh).
 * `m` is the chain's stepping matrix made with scale `scale`; `tail` the Poisson tail.
 */
export function adaptiveContinuous(m: StepMatrix, scale: number, t: Float64Array, tail: number, budget: AdaptiveBudget): { pdf: Float64Array; cdf: Float64Array } | undefined {
  const tmax = largest(t);
  const levels = stepLevels(m, scale, tmax, tail, budget.maxLevels, budget.reached);
  if (levels === undefined) return undefined;
  const K = levels.count;
  let lambda = 0;
  for (let j = 0; j < K; j++) lambda = Math.max(lambda, levels.lambda[j]);
  const atom = 1 - m.alpha.reduce((x, y) => x + y, 0);
  const pdf = new Float64Array(t.length), cdf = new Float64Array(t.length);
  if (lambda === 0) {
    // No mass in any transient state: all of it is the atom at zero.
    cdf.fill(Math.min(1, atom));
    return { pdf, cdf };
  }
  const birthSteps = lambda * tmax;
  const log = Math.log2(birthSteps + 1);
  const denseCost = K ** 3 * (log + 20) + t.length * K * K * log;
  if (K <= DENSE_MAX_STATES && denseCost < birthSteps * K) {
    const chain = birthChain(levels, lambda);
    denseStates(chain, lambda, t).forEach((u, i) => {
      let f = 0, s = 0;
      for (let k = 0; k < K; k++) { f += u[k] * levels.a[k]; s += u[k] * levels.b[k]; }
      pdf[i] = f;
      cdf[i] = Math.min(1, Math.max(0, 1 - s));
    });
    return { pdf, cdf };
  }
  if (birthSteps * K > budget.maxBirthWork) return undefined;
  const maxBirthSteps = birthSteps + 20 * Math.sqrt(birthSteps) + 64;
  const sums = poissonSums(new BirthSteps(levels, lambda, tail, birthSteps), lambda, t, tail, maxBirthSteps);
  if (sums === undefined) return undefined;
  for (let i = 0; i < t.length; i++) {
    pdf[i] = sums[2 * i];
    cdf[i] = Math.min(1, Math.max(0, 1 - sums[2 * i + 1]));
  }
  return { pdf, cdf };
}
