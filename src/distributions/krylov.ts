// Shift-and-invert Krylov (Moret & Novati 2004; van den Eshof & Hochbruck 2006) for the
// pdf and cdf of continuous chains too large for dense matrices and too stiff to step:
// rates 1e8 beside 1e-8 make uniformisation take λt steps, while this method's work does
// not depend on the rates' spread at all.
//
// u(t)ᵀ = αᵀ exp(tS) over the transient states is sought in the Krylov space of
// Z = (I − γSᵀ)⁻¹ from α. Arnoldi gives Z V = V H + h v eᵀ, so S ≈ V (I − H⁻¹)/γ Vᵀ and
//   u(t) ≈ ‖α‖ V exp(t (I − H⁻¹)/γ) e₁,   f(t) = u(t)·s,   P(T > t) = u(t)·1.
// Z's largest eigenvalues are the chain's slowest modes, so they are found first whatever
// the fast rates are. Applying Z is a solve with the chain killed at rate 1/γ everywhere:
// x = (I/γ − S)⁻¹ r is the expected reward r accumulated before absorption or death, which
// is exactly what graph elimination solves (its transpose here), and elimination works on
// the sparse graph with no cancellation beyond its own.
//
// One γ serves times within a factor RATIO of each other; each group of times is one
// elimination and one Arnoldi run, grown until the answers at a few probe times change by
// less than the tolerance between checks (an a-posteriori test, not a bound: the tests
// hold it to the dense oracle). Memory is the basis: dimension × transient states.
import { GraphError } from '../errors/index.js';
import { eliminate, type Elimination } from '../kernel/elimination.js';
import { isTransient, type Csr } from '../graph/rates.js';
import { shiftInvertExpFirstColumn, shiftInvertExpMinusIdentity } from './small-expm.js';
import type { StepMatrix } from './stepper.js';
import type { ReachedTime } from './progress.js';

/** Times in one group span at most this factor (one γ, one elimination). */
const RATIO = 16;
/** γ as a fraction of the group's smallest time. */
const GAMMA_FRACTION = 0.5;
/** Largest basis; past it the method gives up. */
const MAX_DIMENSION = 96;
/** The answers are compared at these basis sizes: every 4 vectors up to 32, then every 8. */
const MIN_DIMENSION = 8;
const checkedAt = (m: number): boolean => m >= MIN_DIMENSION && m % (m <= 32 ? 4 : 8) === 0;
/** Checks in a row without halving the best change so far, after which the run has stalled at its rounding floor. */
const STALLED_AFTER = 3;
/**
 * A run stalled with changes within this many tolerances is answered from its last basis:
 * the rounding floor of stiff solves (a random 1,000-state chain with rates over 12 orders of
 * magnitude wandered at 1.5–4 times 2·10⁻¹¹ on the cdf).
 */
const FLOOR = 50;
/** Probe times per group for the convergence test. */
const PROBES = 3;

/**
 * Arcs one elimination may merge, about 12 ns each here (3·10⁸: some 4 s). Random cyclic
 * graphs fill in toward dense matrices: 2,000 states merge 2.5·10⁸ arcs, 4,000 states
 * 2.1·10⁹ (26 s), and stop with WORK_LIMIT instead.
 */
const ELIMINATION_WORK = 3e8;

/** What the Krylov method may use. */
export interface KrylovBudget {
  /** Bytes for the basis (dimension × transient states × 8). */
  maxBytes: number;
  /** Absolute tolerance on the pdf and on the cdf. */
  pdfTolerance: number;
  cdfTolerance: number;
  /** The run's budget of estimated work, if it has one (see {@link KrylovMeter}). */
  meter?: KrylovMeter;
  /** Hears the largest time answered so far (for progress reports). */
  reached?: ReachedTime;
}

/**
 * Estimated costs in nanoseconds on this machine (Node, 2 cores), for a run that must stay
 * within a budget: an elimination 100 per vertex and arc plus 15 per arc it merges; a solve
 * 8 per replayed command and 16 per state (copies in and out); Gram–Schmidt and other
 * vector work 4 per multiply-add; a small exponential 30·m³ + 50,000 (measured 16–31·m³ at
 * m = 32–96, and a fixed cost that dominates below m = 16). Whole likelihood runs on six
 * chains (random, nearly closed, stiff, rabbits; 150 to 5,000 states) took 0.8–1.9 times
 * these estimates.
 */
export const KRYLOV_COST = { eliminationEntry: 100, merge: 15, command: 8, state: 16, multiplyAdd: 4, exponential: 30, exponentialFixed: 5e4 } as const;
const COST = KRYLOV_COST;

/** A run past its {@link KrylovMeter}'s budget. */
class BudgetSpent extends Error {}

/** Why a run stopped at its budget. */
export const OVER_BUDGET = 'would cost more than its share of the stepping it would replace';

/**
 * Work a Krylov answer may still cost, in estimated nanoseconds: 'auto' tries Krylov before
 * stepping within a share of the stepping's estimated cost, and steps where it runs out.
 * Counting estimated work (not the clock) keeps the choice, and so the answer, the same on
 * every run.
 */
export class KrylovMeter {
  constructor(private left: number) {}

  /** What is left. */
  get remaining(): number { return this.left; }

  /** Charges `ns`; past the budget the run stops (overGroups reports it). */
  charge(ns: number): void {
    this.left -= ns;
    if (this.left < 0) throw new BudgetSpent();
  }
}

/** The chain with one more absorbing vertex that every transient vertex enters at rate q. */
export class KilledChain {
  private readonly rowPtr: Int32Array;
  private readonly col: Int32Array;
  private readonly weight: Float64Array;
  private readonly killAt: Int32Array;
  /** Vertices and arcs: an elimination's cost before any merge. */
  readonly entries: number;

  constructor(private readonly csr: Csr) {
    const n = csr.vertexCount;
    let transient = 0;
    for (let v = 0; v < n; v++) if (isTransient(csr, v)) transient++;
    const m = csr.col.length + transient;
    this.rowPtr = new Int32Array(n + 2);
    this.col = new Int32Array(m);
    this.weight = new Float64Array(m);
    this.killAt = new Int32Array(transient);
    let k = 0, kills = 0;
    for (let v = 0; v < n; v++) {
      for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++, k++) {
        this.col[k] = csr.col[j];
        this.weight[k] = csr.weight[j];
      }
      // The added vertex is numbered last, so rows stay sorted by target.
      if (isTransient(csr, v)) { this.col[k] = n; this.killAt[kills++] = k++; }
      this.rowPtr[v + 1] = k;
    }
    this.rowPtr[n + 1] = k;
    this.entries = n + 1 + m;
  }

  eliminate(q: number, maxWork: number): Elimination {
    for (const k of this.killAt) this.weight[k] = q;
    return eliminate({ vertexCount: this.csr.vertexCount + 1, rowPtr: this.rowPtr, col: this.col, weight: this.weight }, maxWork);
  }
}

/** Z = (I − γSᵀ)⁻¹ applied to vectors over the transient states. */
export class ShiftInvert {
  private readonly full: Float64Array;
  // Estimated cost of one apply, charged to the meter.
  private readonly cost: number;
  constructor(private readonly elimination: Elimination, private readonly vertexOf: Int32Array, readonly gamma: number, readonly meter?: KrylovMeter) {
    this.full = new Float64Array(elimination.vertexCount);
    this.cost = meter ? COST.command * elimination.stats().commands + COST.state * elimination.vertexCount : 0;
  }

  apply(w: Float64Array, out: Float64Array): void {
    this.meter?.charge(this.cost);
    const { full, vertexOf, gamma } = this;
    for (let i = 0; i < vertexOf.length; i++) full[vertexOf[i]] = w[i];
    const r = this.elimination.solveAdjoint(full);
    for (let i = 0; i < vertexOf.length; i++) out[i] = r[vertexOf[i]] / gamma;
  }
}

/** x·y. */
export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/**
 * What one Krylov run computes: the functionals φ_k·u(t) of u(t)ᵀ = startᵀ exp(tA), A
 * reached only through `apply` = (I − γAᵀ)⁻¹. Each functional settles when two checks
 * differ by at most tolerance + relative·|value|.
 */
export interface KrylovRun {
  start: Float64Array;
  apply(w: Float64Array, out: Float64Array): void;
  functionals: Float64Array[];
  tolerances: number[];
  relative: number[];
  /** Whether answers (functional × time) can be right; others are not compared. */
  plausible(values: number[][]): boolean;
  /** Called after each basis vector: a point to report progress and stop on an abort (a group of a large stiff chain can take seconds). */
  grown?: () => void;
}

/** One Arnoldi run for one γ: the basis grows until the answers at the probe times settle. */
class Arnoldi {
  private readonly basis: Float64Array[] = [];
  /** H, (MAX_DIMENSION + 1) × MAX_DIMENSION, row-major. */
  private readonly h = new Float64Array((MAX_DIMENSION + 1) * MAX_DIMENSION);
  /** Each basis vector's dot with each functional. */
  private readonly dots: number[][];
  private readonly beta: number;
  /** Columns of H made so far: the dimension of the projection. */
  private columns = 0;

  constructor(private readonly run: KrylovRun, private readonly gamma: number, private readonly meter?: KrylovMeter) {
    this.dots = run.functionals.map(() => []);
    this.beta = Math.sqrt(dot(run.start, run.start));
    this.push(Float64Array.from(run.start, (x) => x / this.beta));
  }

  get dimension(): number { return this.columns; }

  private push(v: Float64Array): void {
    this.basis.push(v);
    this.run.functionals.forEach((f, k) => this.dots[k].push(dot(v, f)));
  }

  /** Adds a basis vector; false where the space is invariant (the answers are then exact). */
  grow(): boolean {
    const j = this.basis.length - 1, M = MAX_DIMENSION;
    const w = new Float64Array(this.run.start.length);
    this.run.apply(this.basis[j], w);
    this.meter?.charge(COST.multiplyAdd * 4 * (j + 1) * w.length);
    const size = Math.sqrt(dot(w, w));
    // Modified Gram–Schmidt, twice: the basis stays orthogonal to rounding.
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i <= j; i++) {
        const v = this.basis[i], c = dot(w, v);
        this.h[i * M + j] += c;
        for (let k = 0; k < w.length; k++) w[k] -= c * v[k];
      }
    const norm = Math.sqrt(dot(w, w));
    this.h[(j + 1) * M + j] = norm;
    this.columns = j + 1;
    if (!(norm > 1e-13 * size) || this.basis.length === w.length) return false;
    for (let k = 0; k < w.length; k++) w[k] /= norm;
    this.push(w);
    return true;
  }

  /**
   * The functionals at ascending times from the current basis (functional × time), or
   * undefined where they are not finite. The first time's exponential is computed outright,
   * each later one from the one before it: y(t + Δ) = y(t) + (e^{ΔX} − I)·y(t), so a grid
   * with one spacing costs one more small exponential, not one per time (they cost O(m³)
   * each and dominated the run).
   */
  answers(times: number[]): number[][] | undefined {
    const m = this.columns, M = MAX_DIMENSION;
    this.meter?.charge((COST.exponential * m ** 3 + COST.exponentialFixed) * exponentialsFor(times));
    const hm = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) hm[i * m + j] = this.h[i * M + j];
    const out: number[][] = this.dots.map(() => []);
    let y: Float64Array | undefined, step: { delta: number; e: Float64Array } | undefined;
    for (let k = 0; k < times.length; k++) {
      const delta = k > 0 ? times[k] - times[k - 1] : -1;
      if (!y || delta < 0) y = shiftInvertExpFirstColumn(hm, m, times[k] / this.gamma);
      else if (delta > 0) {
        if (!step || Math.abs(step.delta - delta) > 1e-12 * delta) {
          const e = shiftInvertExpMinusIdentity(hm, m, delta / this.gamma);
          step = e && { delta, e };
        }
        y = step && advance(y, step.e, m);
      }
      if (!y) return undefined;
      for (let f = 0; f < out.length; f++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += y[i] * this.dots[f][i];
        out[f].push(this.beta * s);
      }
    }
    return out;
  }
}

/** Small exponentials answers() computes for ascending times: the first, and one per distinct spacing after it. */
function exponentialsFor(times: number[]): number {
  return Math.min(times.length, 1 + new Set(times.slice(1).map((t, k) => t - times[k])).size);
}

/** y + E·y for the m × m row-major E. */
function advance(y: Float64Array, e: Float64Array, m: number): Float64Array {
  const out = Float64Array.from(y);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += e[i * m + j] * y[j];
    out[i] += s;
  }
  return out;
}

const UNSTABLE = 'gave answers that are not a distribution (not finite, or outside [0, 1])';

/** Probe times: the group's ends and points between them, evenly on a log scale. */
function probesOf(times: number[]): number[] {
  if (times.length <= PROBES) return times;
  const lo = Math.log(times[0]), hi = Math.log(times[times.length - 1]);
  return Array.from({ length: PROBES }, (_, k) => Math.exp(lo + ((hi - lo) * k) / (PROBES - 1)));
}

/** The largest change between two sets of answers, in units of the tolerance (settled at ≤ 1). */
function change(a: number[][], b: number[][], run: KrylovRun): number {
  let worst = 0;
  a.forEach((values, f) => values.forEach((x, i) => {
    const y = b[f][i];
    worst = Math.max(worst, Math.abs(x - y) / (run.tolerances[f] + run.relative[f] * Math.max(Math.abs(x), Math.abs(y))));
  }));
  return worst;
}

/**
 * The run's functionals at ascending times > 0, all within RATIO of the first (one γ), or
 * why it has none: the basis grows until the answers at probe times settle.
 */
export function settle(run: KrylovRun, gamma: number, times: number[], maxDimension: number, meter?: KrylovMeter): number[][] | string {
  const arnoldi = new Arnoldi(run, gamma, meter);
  const probes = probesOf(times);
  let previous: number[][] | undefined;
  let best = Infinity, stale = 0;
  for (;;) {
    const invariant = !arnoldi.grow();
    run.grown?.();
    const m = arnoldi.dimension;
    if (invariant || checkedAt(m)) {
      const now = arnoldi.answers(probes);
      const ok = now !== undefined && run.plausible(now);
      if (ok && invariant) return arnoldi.answers(times) ?? UNSTABLE;
      if (ok && previous) {
        const moved = change(now, previous, run);
        if (moved <= 1) return arnoldi.answers(times) ?? UNSTABLE;
        // Rounding (stiff solves, a non-normal projection) sets a floor the answers then wander on.
        if (moved < best / 2) { best = moved; stale = 0; } else if (++stale >= STALLED_AFTER) return best <= FLOOR && moved <= FLOOR ? arnoldi.answers(times) ?? UNSTABLE : `stalled at ${best.toPrecision(2)} times its tolerance (${m} basis vectors)`;
      }
      previous = ok ? now : undefined;
    }
    if (invariant) return UNSTABLE;
    if (m >= maxDimension) return `did not settle within ${m} basis vectors`;
  }
}

/** Positive times in ascending order, cut into groups within RATIO of their first (indices into t). */
export function timeGroups(t: ArrayLike<number>): number[][] {
  const order = Array.from({ length: t.length }, (_, i) => i).filter((i) => t[i] > 0).sort((a, b) => t[a] - t[b]);
  const groups: number[][] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && t[order[end]] <= RATIO * t[order[start]]) end++;
    groups.push(order.slice(start, end));
    start = end;
  }
  return groups;
}

/** The basis size a budget of bytes allows for vectors of `size` entries. */
export function dimensionFor(size: number, maxBytes: number): number {
  return Math.min(MAX_DIMENSION, size, Math.floor(maxBytes / (8 * Math.max(1, size))));
}

/** γ for a group whose smallest time is t₀. */
export const gammaFor = (t0: number): number => GAMMA_FRACTION * t0;

/** The elimination for γ (its work bounded, and charged to the meter), handed to `use` and freed after it. */
function withShiftInvert<T>(killed: KilledChain, chain: StepMatrix, gamma: number, use: (z: ShiftInvert) => T, meter?: KrylovMeter): T {
  meter?.charge(COST.eliminationEntry * killed.entries);
  const affordable = meter ? meter.remaining / COST.merge : Infinity;
  let elimination: Elimination;
  try {
    elimination = killed.eliminate(1 / gamma, Math.max(1, Math.min(ELIMINATION_WORK, affordable)));
  } catch (e) {
    // Stopped by the budget, not by the elimination's own limit.
    if (e instanceof GraphError && e.code === 'WORK_LIMIT' && affordable < ELIMINATION_WORK) throw new BudgetSpent();
    throw e;
  }
  try {
    meter?.charge(COST.merge * elimination.stats().work);
    return use(new ShiftInvert(elimination, chain.vertexOf, gamma, meter));
  } finally {
    elimination.dispose();
  }
}

/**
 * pdf and cdf at the times by shift-and-invert Krylov, or why not: the basis passed its
 * budget or stalled before the answers settled, an elimination passed its work limit, or
 * the run passed its meter's budget.
 */
export function krylovContinuous(csr: Csr, chain: StepMatrix, t: Float64Array, budget: KrylovBudget): { pdf: Float64Array; cdf: Float64Array } | { failed: string } {
  const pdf = new Float64Array(t.length), cdf = new Float64Array(t.length);
  const mass = chain.alpha.reduce((x, y) => x + y, 0);
  for (let i = 0; i < t.length; i++) if (t[i] === 0) { pdf[i] = dot(chain.alpha, chain.exit); cdf[i] = 1 - mass; }
  if (mass === 0) { for (let i = 0; i < t.length; i++) if (t[i] > 0) cdf[i] = 1; return { pdf, cdf }; }
  const maxDimension = dimensionFor(chain.count, budget.maxBytes);
  if (maxDimension < 1) return { failed: `has no room for a basis of ${chain.count} states in ${budget.maxBytes} bytes` };
  const ones = new Float64Array(chain.count).fill(1);
  const { pdfTolerance, cdfTolerance, reached } = budget;
  // The groups go smallest first: inside one, the time reached is the previous group's last.
  let answered = 0;
  const failed = overGroups(csr, chain, t, (z, members) => {
    const answers = settle({
      start: chain.alpha, apply: (w, out) => z.apply(w, out), functionals: [chain.exit, ones], tolerances: [pdfTolerance, cdfTolerance], relative: [0, 0],
      plausible: ([f, survival]) => f.every((x) => x >= -pdfTolerance) && survival.every((x) => x >= -cdfTolerance && x <= 1 + cdfTolerance),
      grown: reached && (() => reached(answered)),
    }, z.gamma, members.map((i) => t[i]), maxDimension, z.meter);
    if (typeof answers === 'string') return answers;
    members.forEach((i, k) => {
      pdf[i] = Math.max(0, answers[0][k]);
      cdf[i] = Math.min(1, Math.max(0, 1 - answers[1][k]));
    });
    answered = t[members[members.length - 1]];
    reached?.(answered);
    return undefined;
  }, { meter: budget.meter });
  return failed === undefined ? { pdf, cdf } : { failed };
}

/** Options of {@link overGroups}: its budget, and which groups go first. */
export interface GroupOptions {
  meter?: KrylovMeter;
  /**
   * The groups of the largest times first (default: smallest first). The groups share nothing
   * but the meter, whose total is the same in any order, so the answers and whether the run
   * fails are the same; a run that fails on the far tail, where values are smallest, fails
   * before the work on the other groups.
   */
  largestFirst?: boolean;
}

/**
 * Runs `each` on every group of positive times (indices into t) with its shift-and-invert
 * operator, until one says why it failed; an elimination past its work limit fails too, and
 * so does a run past its meter's budget.
 */
export function overGroups(csr: Csr, chain: StepMatrix, t: ArrayLike<number>, each: (z: ShiftInvert, members: number[]) => string | undefined, { meter, largestFirst = false }: GroupOptions = {}): string | undefined {
  const killed = new KilledChain(csr);
  const groups = timeGroups(t);
  if (largestFirst) groups.reverse();
  for (const members of groups) {
    let why: string | undefined;
    try {
      why = withShiftInvert(killed, chain, gammaFor(t[members[0]]), (z) => each(z, members), meter);
    } catch (e) {
      if (e instanceof BudgetSpent) return OVER_BUDGET;
      if (e instanceof GraphError && e.code === 'WORK_LIMIT') return `needs eliminations past their work limit (${e.message})`;
      throw e;
    }
    if (why !== undefined) return `${why} at times ${t[members[0]]}–${t[members[members.length - 1]]}`;
  }
  return undefined;
}
