// pdf/cdf of continuous graphs by uniformisation, pmf/cdf of discrete ones by
// stepping the state distribution; both run the same sparse kernel loop.
//
// Continuous: with λ ≥ every exit rate and K = I + S/λ,
//   f(t) = Σ_n Pois(n; λt) · α Kⁿ s,   F(t) = 1 − Σ_n Pois(n; λt) · α Kⁿ 1.
// α Kⁿ s ≤ max(s) and α Kⁿ 1 ≤ 1, so dropping Poisson tails of mass ≤ ε/max(1, max s)
// on each side bounds the truncation error of the pdf and the cdf by 2ε (ε = 1e-11),
// and stepping stops early once the surviving mass cannot matter.
//
// Memory does not grow with λt: the steps are streamed in fixed chunks and each time's
// Poisson weights are handed out as the steps pass. Past `maxSteps` steps, chains of
// at most DENSE_MAX_STATES transient states switch to dense matrices (cost growing with
// log λt, for stiff chains); larger continuous ones use shift-and-invert Krylov (krylov.ts),
// also before stepping where a cycle through fast states makes stepping long.
import { largest } from './largest.js';
import { GraphError } from '../errors/index.js';
import type { Csr } from '../graph/rates.js';
import { checkPoints } from '../graph/arguments.js';
import { denseContinuous, denseDiscrete, DENSE_MAX_STATES } from './dense-fallback.js';
import { adaptiveContinuous } from './adaptive.js';
import { PoissonSums } from './poisson-sums.js';
import { krylovContinuous, KrylovMeter, KRYLOV_COST } from './krylov.js';
import { absorbedBy } from './absorbed-by.js';
import { cyclingRate } from './cycling-rate.js';
import { Stepper, stepMatrix, type StepMatrix } from './stepper.js';
import { progressOf, type DistributionReporting, type ReachedTime } from './progress.js';

/** pdf and cdf at each time. */
type Answers = { pdf: Float64Array; cdf: Float64Array };

/** Truncation tolerance per Poisson tail, before scaling by the largest exit rate. */
export const UNIFORMIZATION_TAIL = 1e-11;

/** Bounds on the work of a distribution, and the method. */
export interface DistributionLimits {
  /**
   * Most steps of the chain (λ·t for times, the step count for steps). Past it, small chains
   * switch to dense matrices and larger ones stop with WORK_LIMIT. Default: 10¹⁰ divided
   * by (edges + states), at most 10⁸ (some tens of seconds at most).
   */
  maxSteps?: number;
  /**
   * 'uniformization' steps the chain at its largest exit rate; 'adaptive' (pdf/cdf only)
   * at the largest rate among the states it is in at each step, which is far cheaper when
   * the mass leaves its fast states for good (the coalescent) and no better when it cycles
   * through them; 'dense' uses nonnegative dense matrices (at most 128 transient states;
   * cost growing with log λt); 'krylov' (pdf/cdf only) uses shift-and-invert Krylov, whose
   * cost does not depend on the rates' spread (large stiff chains); 'auto' (default) picks
   * by an estimate of the costs, trying 'adaptive' first on long runs and leaving it as soon
   * as it stops paying, and 'krylov' on chains too large for dense matrices where stepping
   * would pass maxSteps, or first where a cycle through fast states makes stepping long
   * (see krylovGoesFirst).
   */
  method?: 'auto' | 'uniformization' | 'adaptive' | 'dense' | 'krylov';
}

// A dense multiply-add against a step's edge (see denseIsCheaper).
const DENSE_WEIGHT = 0.25;

/** Memory for the Krylov method's basis. */
const KRYLOV_BYTES = 256 * 1024 * 1024;

/**
 * Stepping work (steps × (edges + states), some 2.5 ns each here) from which 'auto' tries
 * Krylov first on chains whose cycles hold states that fast: 10⁸ is about a quarter second.
 */
const KRYLOV_FROM_WORK = 1e8;
/** Estimated nanoseconds per unit of stepping work here. */
const STEP_NS = 2.5;
/**
 * Below maxSteps, Krylov may spend this share of the stepping's estimated time (by its own
 * estimates of its work: eliminations, solves, Gram–Schmidt, small exponentials; see
 * KrylovMeter) before giving way to stepping.
 */
const KRYLOV_SHARE = 1 / 3;

/** Arcs the elimination for the moments (when is the mass absorbed?) may merge at most: about 0.4 s. */
const MOMENTS_WORK = 3e7;
/**
 * The first stepping before that elimination, in eliminations' least work (see
 * beforeStepping): 3, because stepsWithin counts a prefix step's edges from sources the
 * step skips (about 3 times too many on rabbits N = 400, whose flooded islands' states have
 * an edge from every state of the other island's count).
 */
const TRIAL_ELIMINATIONS = 3;

/** Steps × (edges + states) a distribution may cost by default. */
const DEFAULT_WORK = 1e10;

function maxStepsOf(limits: DistributionLimits, matrix: StepMatrix): number {
  const max = limits.maxSteps ?? Math.min(1e8, Math.floor(DEFAULT_WORK / Math.max(1, matrix.edges + matrix.count)));
  if (typeof max !== 'number' || !(max >= 1) || !Number.isFinite(max)) throw new GraphError('BAD_ARGUMENT', `maxSteps must be a finite number ≥ 1, got ${String(max)}`);
  return max;
}

/** Past maxSteps with no other method to turn to: because the chain is too large for dense matrices, or because the method asked for steps. */
function tooMuchWork(steps: number, transient: number, max: number, why: { krylov?: string; method?: DistributionLimits['method'] } = {}): never {
  const instead = why.method === 'uniformization'
    ? `method 'uniformization' steps every chain (with ${transient} transient states, ${transient > DENSE_MAX_STATES ? 'it is too large for dense matrices' : "'auto' or 'dense' would use dense matrices"})`
    : `with ${transient} transient states it is too large for dense matrices (at most ${DENSE_MAX_STATES})`;
  const krylov = why.krylov ? `; shift-and-invert Krylov ${why.krylov}` : '';
  throw new GraphError('WORK_LIMIT', `this distribution needs about ${steps.toExponential(2)} steps of the chain, more than maxSteps = ${max}, and ${instead}${krylov}; raise maxSteps, or rescale time`);
}

/**
 * Whether dense matrices beat stepping: the stepping costs about N·(edges + states) for N
 * steps; the dense path about n³·(log₂N + 20) once plus times·n²·log₂N multiply-adds, each a
 * quarter of a step's edge (the products run vectorised in the kernel, the times' vectors as
 * the rows of one matrix). Chosen up front for small chains (the dense path is exact whether
 * or not the mass would die early). Measured at 100 times on a stiff 60-state chain: at 3×10⁴
 * steps the two tie (12.5 and 13.7 ms), at 9×10⁴ dense takes 13 ms against 50.
 */
function denseIsCheaper(matrix: StepMatrix, steps: number, points: number, method: DistributionLimits['method']): boolean {
  const n = matrix.count + 1;
  if (method === 'dense') {
    if (matrix.count > DENSE_MAX_STATES) throw new GraphError('BAD_ARGUMENT', `method 'dense' takes at most ${DENSE_MAX_STATES} transient states; this chain has ${matrix.count}`);
    return true;
  }
  if (method !== undefined && method !== 'auto' && method !== 'uniformization' && method !== 'adaptive' && method !== 'krylov')
    throw new GraphError('BAD_ARGUMENT', `method must be 'auto', 'uniformization', 'adaptive', 'dense' or 'krylov', got ${JSON.stringify(method)}`);
  if (method === 'uniformization' || method === 'adaptive' || method === 'krylov' || matrix.count > DENSE_MAX_STATES || steps < 1e4) return false;
  const log = Math.log2(steps + 1);
  return DENSE_WEIGHT * (n ** 3 * (log + 20) + points * n * n * log) < 0.5 * steps * (matrix.edges + matrix.count);
}

/** Steps below which plain uniformisation is cheap enough that adaptivity is not tried. */
const ADAPTIVE_FROM_STEPS = 256;

/**
 * Adaptive uniformisation where it is asked for, or (auto) on long runs within a quarter
 * of plain uniformisation's estimated cost: undefined when it gives way.
 */
function tryAdaptive(matrix: StepMatrix, scale: number, t: Float64Array, tail: number, steps: number, maxSteps: number, method: DistributionLimits['method'], reached: ReachedTime): Answers | undefined {
  const work = matrix.edges + matrix.count;
  if (method === 'adaptive') {
    const result = adaptiveContinuous(matrix, scale, t, tail, { maxLevels: maxSteps, maxBirthWork: maxSteps * Math.max(1, work), reached });
    if (result === undefined) throw new GraphError('WORK_LIMIT', `adaptive uniformisation of this chain needs more than maxSteps = ${maxSteps} steps (its mass keeps reaching its fast states); use method 'auto' or 'uniformization', or raise maxSteps`);
    return result;
  }
  if (method === 'uniformization' || steps < ADAPTIVE_FROM_STEPS) return undefined;
  const levels = Math.min(maxSteps, Math.max(64, Math.floor(steps / 4)));
  return adaptiveContinuous(matrix, scale, t, tail, { maxLevels: levels, maxBirthWork: (steps * work) / 2, reached });
}

/** pdf and cdf at the given times; `onProgress` hears the time reached of the largest. */
export function continuousDistribution(csr: Csr, times: ArrayLike<number>, options: DistributionLimits & DistributionReporting = {}): Answers {
  const t = checkPoints(times, false);
  const progress = progressOf(options, t.length ? largest(t) : 0);
  const answers = continuousAnswers(csr, t, options, progress.reached);
  progress.finish();
  return answers;
}

function continuousAnswers(csr: Csr, t: Float64Array, limits: DistributionLimits, reached: ReachedTime): Answers {
  if (t.length === 0) return { pdf: new Float64Array(0), cdf: new Float64Array(0) };
  // Scaled by the largest exit rate (plain uniformisation's λ).
  const matrix = stepMatrix(csr);
  try {
    return continuousWith(csr, matrix, t, limits, reached);
  } finally {
    matrix.dispose?.(); // its rates in kernel memory, where a stepper gathered them
  }
}

function continuousWith(csr: Csr, matrix: StepMatrix, t: Float64Array, limits: DistributionLimits, reached: ReachedTime): Answers {
  const maxExit = matrix.largestExit, scale = matrix.scale;
  const tail = UNIFORMIZATION_TAIL / Math.max(1, maxExit);
  const maxSteps = maxStepsOf(limits, matrix);
  const steps = scale * largest(t);
  if (!Number.isFinite(steps))
    throw new GraphError('OVERFLOW', `the largest exit rate (${scale}) times the largest time (${largest(t)}) overflows double precision; rescale time or the rates`);
  if (denseIsCheaper(matrix, steps, t.length, limits.method)) return denseContinuous(matrix, scale, t);
  // Krylov's answers, or why it gave up.
  const krylov = (meter?: KrylovMeter) =>
    krylovContinuous(csr, matrix, t, { maxBytes: KRYLOV_BYTES, pdfTolerance: 2 * UNIFORMIZATION_TAIL * Math.max(1, maxExit), cdfTolerance: 2 * UNIFORMIZATION_TAIL, meter, reached });
  if (limits.method === 'krylov') {
    const result = krylov();
    if ('failed' in result) throw new GraphError('WORK_LIMIT', `method 'krylov' on this chain of ${matrix.count} transient states: it ${result.failed}`);
    return result;
  }
  const auto = (limits.method ?? 'auto') === 'auto' && matrix.count > DENSE_MAX_STATES;
  const work = matrix.edges + matrix.count;
  // Plain stepping, resumable: after a trial of steps before Krylov, the stepping that
  // follows (where Krylov and adaptive stepping give way) carries the trial on.
  let plain: { stepper: Stepper; sums: PoissonSums } | undefined;
  const plainStepping = () => {
    if (!plain) {
      const stepper = new Stepper(matrix, tail);
      plain = { stepper, sums: new PoissonSums(stepper, scale, t, tail, (position) => reached(position / scale)) };
    }
    return plain;
  };
  const stepped = (limit: number) => plainStepping().sums.run(limit);
  const stepsWithin = (budget: number) => plainStepping().stepper.stepsWithin(budget);
  try {
    let krylovFailed: string | undefined;
    // The steps stepping will take: fewer than λ·t_max where the mass is absorbed before the last time.
    let needed = steps;
    if (auto && krylovGoesFirst(csr, matrix, steps, largest(t))) {
      const first = beforeStepping({ csr, matrix, t, scale, tail, steps, maxSteps, work }, stepped, stepsWithin, krylov);
      if ('answer' in first) return first.answer;
      ({ needed, krylovFailed } = first);
    }
    const adaptive = tryAdaptive(matrix, scale, t, tail, steps, maxSteps, limits.method, reached);
    if (adaptive) return adaptive;
    // Stepping would pass its limit and dense matrices are out of reach.
    if (auto && needed > maxSteps) {
      if (krylovFailed === undefined) {
        const result = krylov();
        if (!('failed' in result)) return result;
        krylovFailed = result.failed;
      }
      tooMuchWork(steps, matrix.count, maxSteps, { krylov: krylovFailed });
    }
    const sums = stepped(maxSteps);
    if (sums === undefined) {
      if (matrix.count > DENSE_MAX_STATES || limits.method === 'uniformization') tooMuchWork(scale * largest(t), matrix.count, maxSteps, { method: limits.method });
      return denseContinuous(matrix, scale, t);
    }
    return fromSums(sums);
  } finally {
    plain?.stepper.free();
  }
}

/** What 'auto' may answer before stepping a chain that a cycle through fast states could make long. */
interface Candidate { csr: Csr; matrix: StepMatrix; t: Float64Array; scale: number; tail: number; steps: number; maxSteps: number; work: number }

/**
 * Stepping stops once the mass is absorbed, which may be long before the last time
 * (rabbits N = 400 to t = 100: 0.24 s stepped, 2.3 s by Krylov). The chain's moments bound
 * when (absorbedBy); where they cannot be had within a share of the stepping's time,
 * stepping gets the first KRYLOV_FROM_WORK of work to see. Then, where stepping to that time
 * would still be long, Krylov may spend a share of it. The answers, or the steps stepping
 * will need and why Krylov gave up.
 */
function beforeStepping(c: Candidate, stepped: (limit: number) => Float64Array | undefined, stepsWithin: (budget: number) => number, krylov: (meter?: KrylovMeter) => Answers | { failed: string }): { answer: Answers } | { needed: number; krylovFailed?: string } {
  const { csr, matrix, t, scale, steps, maxSteps, work } = c;
  // Krylov's budget (and the moments' elimination's, half of it): a share of stepping's estimated time.
  const shareOf = (stepsTaken: number) => KRYLOV_SHARE * STEP_NS * stepsTaken * work;
  let needed = steps;
  let tryKrylov: boolean;
  // Steps over the prefix of states the mass can have reached cost less than a full one:
  // first as many as TRIAL_ELIMINATIONS times the least the moments' elimination below
  // would cost (a merge per state and edge). Where the mass dies within them, that is the
  // answer (rabbits N = 400 to t = 100: 7 ms, against 48 ms with the elimination first);
  // otherwise the stepping goes on from there, or Krylov answers and they are lost.
  const first = stepped(Math.min(maxSteps, Math.max(1, stepsWithin(TRIAL_ELIMINATIONS * (KRYLOV_COST.merge / STEP_NS) * work))));
  if (first) return { answer: fromSums(first) };
  const by = absorbedBy(csr, c.tail, Math.min(MOMENTS_WORK, shareOf(steps) / 2 / KRYLOV_COST.merge));
  if (by === undefined) {
    const sums = stepped(Math.min(maxSteps, Math.max(1, Math.floor(KRYLOV_FROM_WORK / work))));
    if (sums) return { answer: fromSums(sums) };
    tryKrylov = true;
  } else {
    // Twice the bound's steps: the stepper stops on its own chain's mass, a little after
    // P(T > t) passes the tolerance.
    const live = Math.min(largest(t), by);
    needed = Math.min(steps, 2 * scale * live + 64);
    tryKrylov = krylovGoesFirst(csr, matrix, needed, live);
    // The mass dies early enough for plain stepping (as a trial would have found).
    if (!tryKrylov && needed <= maxSteps && needed * work <= 2 * KRYLOV_FROM_WORK) {
      const sums = stepped(maxSteps);
      if (sums) return { answer: fromSums(sums) };
    }
  }
  if (!tryKrylov) return { needed };
  const result = krylov(needed > maxSteps ? undefined : new KrylovMeter(shareOf(needed)));
  return 'failed' in result ? { needed, krylovFailed: result.failed } : { answer: result };
}

/** pdf and cdf from the Poisson sums (pairs f, P(T > t) for each time). */
function fromSums(sums: Float64Array): Answers {
  const n = sums.length / 2, pdf = new Float64Array(n), cdf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pdf[i] = sums[2 * i];
    cdf[i] = Math.min(1, Math.max(0, 1 - sums[2 * i + 1]));
  }
  return { pdf, cdf };
}

/**
 * Whether 'auto' tries Krylov before stepping a chain: where a cycle through fast states
 * makes any stepping long (adaptive stepping cannot slow down while such a cycle holds
 * mass), Krylov's cost does not grow with λt. A DAG (the coalescent) is left to adaptive
 * stepping, which goes as fast as its mass leaves the fast states.
 */
export function krylovGoesFirst(csr: Csr, matrix: StepMatrix, steps: number, tMax: number): boolean {
  const work = matrix.edges + matrix.count;
  return steps * work > KRYLOV_FROM_WORK && cyclingRate(csr) * tMax * work > KRYLOV_FROM_WORK;
}

/** pmf and cdf at the given step counts (τ = number of steps to absorption); `onProgress` hears the steps taken of the largest. */
export function discreteDistribution(csr: Csr, steps: ArrayLike<number>, options: DistributionLimits & DistributionReporting = {}): { pmf: Float64Array; cdf: Float64Array } {
  const k = checkPoints(steps, true);
  const progress = progressOf(options, k.length ? largest(k) : 0);
  const answers = discreteAnswers(csr, k, options, progress.reached);
  progress.finish();
  return answers;
}

function discreteAnswers(csr: Csr, k: Float64Array, limits: DistributionLimits, reached: ReachedTime): { pmf: Float64Array; cdf: Float64Array } {
  if (limits.method === 'adaptive' || limits.method === 'krylov') throw new GraphError('BAD_ARGUMENT', `method '${limits.method}' applies to continuous graphs (pdf/cdf); a discrete graph is stepped as it is`);
  const pmf = new Float64Array(k.length), cdf = new Float64Array(k.length);
  if (k.length === 0) return { pmf, cdf };
  const matrix = stepMatrix(csr, 1);
  const maxSteps = maxStepsOf(limits, matrix);
  const alphaMass = matrix.alpha.reduce((x, y) => x + y, 0);
  const last = largest(k);
  if (denseIsCheaper(matrix, last, k.length, limits.method) || last > maxSteps) {
    if (matrix.count > DENSE_MAX_STATES || limits.method === 'uniformization') tooMuchWork(last, matrix.count, maxSteps, { method: limits.method });
    return denseDiscrete(matrix, k);
  }
  // Wanted: a at k−1 (pmf) and b at k (cdf), read off the chunks as they pass.
  const wantA = new Map<number, number[]>(), wantB = new Map<number, number[]>();
  k.forEach((x, i) => {
    if (x === 0) pmf[i] = 1 - alphaMass;
    else wantA.set(x - 1, [...(wantA.get(x - 1) ?? []), i]);
    wantB.set(x, [...(wantB.get(x) ?? []), i]);
  });
  // Mass below 1e-15 changes no pmf or cdf value by more than that; later steps read as 0.
  const stepper = new Stepper(matrix, 1e-15);
  try {
    while (!stepper.stopped && stepper.position <= last) {
      const offset = stepper.position;
      const { a, b, count } = stepper.next(last + 1 - offset);
      for (let j = 0; j < count; j++) {
        for (const i of wantA.get(offset + j) ?? []) pmf[i] = a[j];
        for (const i of wantB.get(offset + j) ?? []) cdf[i] = 1 - b[j];
      }
      reached(stepper.position);
    }
    // Steps past the point where the mass ran out: pmf 0 (already), cdf 1.
    for (const [step, indices] of wantB) if (step >= stepper.position) for (const i of indices) cdf[i] = 1;
  } finally {
    stepper.free();
    matrix.dispose?.();
  }
  for (let i = 0; i < k.length; i++) cdf[i] = Math.min(1, Math.max(0, cdf[i]));
  return { pmf, cdf };
}
