// A recorded elimination: a tape of arithmetic whose inputs are the canonical
// edge weights, plus the replay commands that read their multipliers from it.
// One trace serves every rate assignment on the same structure.
import { GraphError } from '../errors/index.js';
import { Elimination, eliminateRaw } from '../kernel/elimination.js';
import { forwardGradientAt, forwardMomentsAt } from '../kernel/forward-moments.js';
import { f64View, kernel } from '../kernel/module.js';
import { momentGradients, momentGradientSizes, type KernelStructure } from '../kernel/moment-gradients.js';
import { KernelWorkspace } from '../kernel/workspace.js';
import { checkWeights, trappedVertex, type Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import { rewardMoments, rewardCovariance } from '../moments/moments.js';

/** Options of trace evaluations. */
export interface TraceMomentOptions {
  /** Number of raw moments. Default 1. */
  k?: number;
  /** One reward per vertex. Default all 1. */
  rewards?: ArrayLike<number>;
}

/** Options of {@link Trace.gradient}. */
export interface TraceGradientOptions extends TraceMomentOptions {
  /** Differentiate Σ seed[j]·E[R^(j+1)] in one backward pass instead of each moment separately. */
  seed?: ArrayLike<number>;
}

/** Moments and their gradients with respect to the inputs. */
export interface TraceGradient {
  /** E[R^1..R^k]. */
  moments: number[];
  /** gradients[j][e] = ∂E[R^(j+1)]/∂w_e (or one entry: ∂(Σ seed·moments)/∂w when seeded). */
  gradients: Float64Array[];
}

/** The parameterisation w = base + C·θ in kernel memory (C row-major, `paramLength` per input), for θ-gradients. */
export interface ThetaChain {
  coef: number;
  paramLength: number;
  /** Also copy out w̄ (the gradients with respect to the weights); else `gradients` is empty. */
  inputs?: boolean;
}

/** Sizes of a trace. */
export interface TraceStats {
  vertices: number;
  inputs: number;
  ops: number;
  commands: number;
  /** Serialised size in bytes. */
  bytes: number;
}

// Kernel memory that every trace's evaluations use in turn (each is synchronous): the
// weights and the tape's values, and a gradient's arrays. Shared, a trace kept in a cache
// holds no value array of its own, and a trace just loaded or recorded touches no fresh
// memory for them (first touches of memory cost more than the evaluation here).
// Grown to the largest trace evaluated, never shrunk.
let evaluationSpace: KernelWorkspace | null = null;
let gradientSpace: KernelWorkspace | null = null;

/** An elimination recorded once per graph structure, evaluated for any weights. */
export class Trace {
  readonly vertexCount: number;
  readonly inputCount: number;
  readonly discrete: boolean;
  /** The structure it was recorded on (canonical CSR). */
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  /** The structural hash this trace was recorded or stored under (hex), when known. */
  hash?: string;
  private elimination: Elimination;
  private ptr: number;
  // Released: its kernel memory was given back; the next use records it again.
  private released = false;
  // Told when a released trace is recorded again (see adoptAfterRevival).
  private onRevive: ((trace: Trace) => void) | undefined;
  private readonly skeleton: Parameters<typeof checkWeights>[0];

  /** @internal Use {@link Trace.record} or {@link Trace.fromBytes}. */
  constructor(ptr: number, structure: Pick<Structure, 'vertexCount' | 'discrete' | 'rowPtr' | 'col'>) {
    const k = kernel();
    this.ptr = ptr;
    this.vertexCount = structure.vertexCount;
    this.discrete = structure.discrete;
    this.rowPtr = structure.rowPtr;
    this.col = structure.col;
    this.inputCount = k.pk_trace_ninputs(ptr);
    this.elimination = new Elimination(k, ptr, this.vertexCount);
    const hasOutEdge = new Uint8Array(this.vertexCount);
    for (let v = 0; v < this.vertexCount; v++) hasOutEdge[v] = this.rowPtr[v + 1] > this.rowPtr[v] ? 1 : 0;
    this.skeleton = { vertexCount: this.vertexCount, discrete: this.discrete, rowPtr: this.rowPtr, col: this.col, canonical: new Int32Array(0), hasOutEdge };
  }

  /** Records the elimination of a structure (any positive weights give the same tape; ones are used). */
  static record(structure: Pick<Structure, 'vertexCount' | 'discrete' | 'rowPtr' | 'col'>): Trace {
    return new Trace(recordTape(structure), structure);
  }

  /** Tape and command counts. */
  stats(): TraceStats {
    const k = kernel(), ptr = this.live();
    const ops = k.pk_trace_nops(ptr), commands = k.pk_elim_ncmd(ptr);
    return { vertices: this.vertexCount, inputs: this.inputCount, ops, commands, bytes: traceByteLength(this.vertexCount, this.inputCount, ops, commands) };
  }

  /** The weights as a CSR (zero weights kept), for the moment recursions. */
  csrFor(weights: Float64Array): Csr {
    const n = this.vertexCount, exitRate = new Float64Array(n);
    for (let v = 0; v < n; v++) for (let j = this.rowPtr[v]; j < this.rowPtr[v + 1]; j++) exitRate[v] += weights[j];
    return { vertexCount: n, discrete: this.discrete, rowPtr: this.rowPtr, col: this.col, weight: weights, exitRate };
  }

  /** Evaluates the tape for these weights; the returned elimination is valid until the next evaluation. */
  evaluate(weights: ArrayLike<number>): Elimination {
    return this.evaluateChecked(this.checkInputs(weights));
  }

  /** @internal evaluate weights already validated (by {@link TraceEvaluator}). */
  evaluateChecked(w: Float64Array): Elimination {
    f64View(kernel(), this.weightBuffer(), this.inputCount).set(w);
    return this.evaluateBuffer();
  }

  /** @internal kernel memory the next {@link Trace.evaluateBuffer} reads its weights from (valid until another trace evaluates). */
  weightBuffer(): number {
    return this.buffers().w;
  }

  // The shared evaluation memory laid out for this trace: the same pointers on every call
  // until another trace lays it out (the weights written before an evaluation stay put).
  // The weights are the first slots of the tape's values, written there: no copy per evaluation.
  private buffers(): { w: number; vals: number } {
    evaluationSpace ??= new KernelWorkspace();
    const { vals } = evaluationSpace.layout({ vals: 8 * this.valueCount() });
    return { w: vals, vals };
  }

  /** @internal evaluates the (validated) weights already in {@link Trace.weightBuffer}. */
  evaluateBuffer(): Elimination {
    const k = kernel(), ptr = this.live();
    const { w, vals } = this.buffers();
    const bad = k.pk_trace_evaluate(ptr, w, vals);
    if (bad >= 0) this.afterEvaluate(bad, f64View(k, w, this.inputCount).slice());
    return this.elimination;
  }

  /** @internal moments from the weights already in {@link Trace.weightBuffer}. */
  momentsFromBuffer(options: TraceMomentOptions = {}): number[] {
    const elim = this.evaluateBuffer();
    // Only the discrete recursion reads the weights again (its one-step kernel).
    const csr = this.discrete ? this.csrFor(f64View(kernel(), this.weightBuffer(), this.inputCount).slice()) : null;
    return rewardMoments(elim, csr, this.rewardVector(options.rewards), checkK(options.k ?? 1));
  }

  /**
   * @internal Moments at θ (checked) of `structure` (this trace's) where its edges all go
   * forward, without the tape: one pass per moment from the structure, the same bits as
   * evaluating the tape. Null where that does not apply (see forwardMomentsAt).
   */
  forwardMoments(structure: Structure, theta: Float64Array, options: TraceMomentOptions = {}): number[] | null {
    if (this.discrete) return null;
    return forwardMomentsAt(structure, theta, this.rewardVector(options.rewards), checkK(options.k ?? 1));
  }

  /** @internal E[R] and ∂E[R]/∂θ at θ (checked) of `structure` (this trace's) where its edges all go forward, without the tape; null as {@link Trace.forwardMoments}. */
  forwardGradient(structure: Structure, theta: Float64Array, rewards: ArrayLike<number> | undefined): { value: number; gradient: Float64Array } | null {
    if (this.discrete) return null;
    return forwardGradientAt(structure, theta, this.rewardVector(rewards));
  }

  /** Raw moments of the accumulated reward for these weights. */
  moments(weights: ArrayLike<number>, options: TraceMomentOptions = {}): number[] {
    return this.momentsChecked(this.checkInputs(weights), options);
  }

  /** @internal moments for weights already validated. */
  momentsChecked(w: Float64Array, options: TraceMomentOptions = {}): number[] {
    f64View(kernel(), this.weightBuffer(), this.inputCount).set(w);
    return this.momentsFromBuffer(options);
  }

  /** Cov of two reward vectors for these weights. */
  covariance(weights: ArrayLike<number>, rewardsA: ArrayLike<number>, rewardsB: ArrayLike<number>): number {
    const w = Float64Array.from(weights);
    const elim = this.evaluate(w);
    return rewardCovariance(elim, this.csrFor(w), this.rewardVector(rewardsA), this.rewardVector(rewardsB));
  }

  /**
   * Moments and their gradients with respect to every input weight, by reverse mode
   * over the replays and the tape: one backward pass per moment (or one in all, seeded).
   */
  gradient(weights: ArrayLike<number>, options: TraceGradientOptions = {}): TraceGradient {
    const w = this.checkInputs(weights);
    const seeds = this.gradientSeeds(options); // arguments checked before any work
    f64View(kernel(), this.weightBuffer(), this.inputCount).set(w);
    return this.gradientFromBuffer(options, seeds);
  }

  /**
   * @internal {@link Trace.gradient} at the (validated) weights already in {@link Trace.weightBuffer};
   * with `chain` (w = base + C·θ, C in kernel memory) also each gradient with respect to θ, taken
   * in the kernel while w̄ is there.
   */
  gradientFromBuffer(options: TraceGradientOptions = {}, seeds = this.gradientSeeds(options), chain?: ThetaChain): TraceGradient & { thetaGradients?: Float64Array[] } {
    const k = seeds[0].length, rewards = options.rewards;
    const r = this.rewardVector(rewards);
    const ptr = this.live();
    const n = this.vertexCount, ncmd = this.elimination.stats().commands, nv = this.valueCount(), m = this.inputCount;
    const K = kernel();
    const { w, vals } = this.buffers();
    // One workspace shared by all traces, grown as needed: a gradient allocates nothing after the first.
    gradientSpace ??= new KernelWorkspace();
    const ws = gradientSpace.layout({
      vbar: 8 * nv, r: 8 * n, B: 8 * k * n, X: 8 * k * n, XS: 8 * k * ncmd,
      out: 8 * k, seed: 8 * k, work: 24 * n, mbar: 8 * ncmd, sbar: 8 * n, grad: 8 * (chain?.paramLength ?? 0),
    });
    const bad = K.pk_trace_evaluate_tape(ptr, w, vals); // numbered as the tape, for the reverse pass
    if (bad >= 0) this.afterEvaluate(bad, f64View(K, w, m).slice());
    f64View(K, ws.r, n).set(r);
    K.pk_moments_forward(ptr, ws.r, k, ws.B, ws.X, ws.XS, ws.out);
    const moments = Array.from(f64View(K, ws.out, k));
    const thetaGradients: Float64Array[] = [];
    const gradients = seeds.map((seed) => {
      f64View(K, ws.seed, k).set(seed);
      K.pk_moments_reverse(ptr, ws.r, k, ws.B, ws.XS, ws.seed, ws.work, ws.mbar, ws.sbar);
      // w̄ is left in v̄'s first slots (the inputs come first on the tape): no copy out.
      K.pk_trace_reverse(ptr, vals, ws.mbar, ws.sbar, ws.vbar, ws.vbar);
      if (chain) {
        K.pk_chain_theta(m, chain.paramLength, chain.coef, ws.vbar, ws.grad);
        thetaGradients.push(f64View(K, ws.grad, chain.paramLength).slice());
        if (!chain.inputs) return null; // w̄ not asked for: no copy of m values
      }
      return f64View(K, ws.vbar, m).slice();
    });
    const inputs = gradients.filter((g): g is Float64Array<ArrayBuffer> => g !== null);
    return chain ? { moments, gradients: inputs, thetaGradients } : { moments, gradients: inputs };
  }

  /**
   * @internal Moments E[R^1..R^k] and their gradients with respect to θ (one per seed, as
   * {@link Trace.gradient}) of a continuous graph at the (validated) weights already in
   * {@link Trace.weightBuffer}, `structure` in kernel memory (w = base + C·θ): the tape
   * evaluated, the conditional moments (k solves) and k transposed solves, then per seed one
   * pass over the edges (pk_moments_gradient), with no reverse pass over the tape. The moments
   * have the bits of {@link Trace.momentsFromBuffer}; the gradients equal
   * {@link Trace.gradientFromBuffer}'s to rounding.
   */
  momentGradientsFromBuffer(options: TraceGradientOptions, structure: KernelStructure): { moments: number[]; gradients: Float64Array[] } {
    const seeds = this.gradientSeeds(options), k = seeds[0].length;
    const r = this.rewardVector(options.rewards), n = this.vertexCount, p = structure.paramLength;
    this.evaluateBuffer();
    const K = kernel(), ptr = this.live();
    gradientSpace ??= new KernelWorkspace();
    const ws = gradientSpace.layout({ r: 8 * n, ...momentGradientSizes(n, k, p) });
    f64View(K, ws.r, n).set(r);
    const { moments, gradients } = momentGradients(K, ptr, structure, ws.r, seeds, ws);
    return { moments: Array.from(moments), gradients };
  }

  /** One output adjoint per backward pass: options.seed, else a unit vector per moment. */
  private gradientSeeds(options: TraceGradientOptions): Float64Array[] {
    const k = checkK(options.k ?? 1);
    if (this.discrete && k > 1)
      throw new GraphError('WRONG_KIND', 'gradients of discrete moments beyond the first are not supported yet');
    if (options.seed) {
      if (options.seed.length !== k) throw new GraphError('BAD_ARGUMENT', `seed has ${options.seed.length} entries, expected k = ${k}`);
      return [Float64Array.from(options.seed)];
    }
    return Array.from({ length: k }, (_, j) => { const c = new Float64Array(k); c[j] = 1; return c; });
  }

  /**
   * Frees its kernel memory now. The trace stays usable: its next use records it again from
   * its structure (recording is deterministic: the same tape). A trace cache releases the
   * traces its memory tier evicts, which models may still hold; without that, their memory
   * waited for the garbage collector, which knows nothing of kernel memory.
   */
  release(): void {
    if (this.released) return;
    this.elimination.dispose();
    this.released = true;
  }

  /**
   * @internal `adopt` runs (in a microtask, after the computation that needed the trace) each
   * time this trace, released, is recorded again: a trace cache takes it back into memory
   * where there is room, so that models of its structure share it and its memory is given
   * back by the next eviction, not left to the garbage collector.
   */
  adoptAfterRevival(adopt: (trace: Trace) => void): void {
    this.onRevive = adopt;
  }

  /** Frees kernel memory now (as {@link Trace.release}: a later use records it again). */
  dispose(): void {
    this.release();
  }

  /** Whether its kernel memory is given back (until its next use). */
  get isReleased(): boolean {
    return this.released;
  }

  // The kernel pointer, recorded again first when released. Nothing releases a trace during
  // a synchronous computation (only cache evictions and dispose do), so a pointer taken here
  // stays valid to the end of the method that took it.
  private live(): number {
    if (this.released) {
      this.ptr = recordTape(this);
      this.elimination = new Elimination(kernel(), this.ptr, this.vertexCount);
      this.values = undefined; // a trace read from a file may come from another build's recording
      this.released = false;
      // Later: adopting may evict (and release) another trace whose pointer the running
      // computation holds.
      const adopt = this.onRevive;
      if (adopt) queueMicrotask(() => adopt(this));
    }
    return this.ptr;
  }

  /** @internal the kernel pointer, for serialisation */
  get kernelPointer(): number {
    return this.live();
  }

  /** @internal Slots of the tape's value array: inputs, the constant 0, one per op, two constants. */
  valueCount(): number {
    return (this.values ??= kernel().pk_trace_nvals(this.live()));
  }

  private values: number | undefined;

  private checkInputs(weights: ArrayLike<number>): Float64Array {
    if (weights.length !== this.inputCount)
      throw new GraphError('BAD_ARGUMENT', `the trace takes ${this.inputCount} edge weights, got ${weights.length}`);
    const w = Float64Array.from(weights);
    checkWeights(this.skeleton, w, null, null);
    return w;
  }

  /** @internal Throws the error a failed evaluation (an op dividing by ≤ 0 at weights w) means; no-op for badOp < 0. */
  afterEvaluate(badOp: number, w: Float64Array): void {
    if (badOp < 0) return;
    checkWeights(this.skeleton, w, null, null);
    const v = trappedVertex(this.vertexCount, this.rowPtr, this.col, w);
    throw new GraphError('NO_EXIT_AT_THETA', v >= 0
      ? `at these rates vertex ${v} can no longer reach an absorbing vertex (a zero rate changed the structure)`
      : 'at these rates some vertices can no longer reach an absorbing vertex (a zero rate changed the structure)', v >= 0 ? { vertex: v } : {});
  }

  private rewardVector(rewards: ArrayLike<number> | undefined): Float64Array {
    const n = this.vertexCount;
    // All ones by default: one array for every trace (every use only reads it).
    if (rewards === undefined) return allOnes(n);
    if (rewards.length !== n) throw new GraphError('BAD_REWARDS', `rewards have ${rewards.length} entries but the graph has ${n} vertices`);
    const r = Float64Array.from(rewards);
    for (let v = 0; v < n; v++) if (!Number.isFinite(r[v])) throw new GraphError('BAD_REWARDS', `reward of vertex ${v} is ${r[v]}, not a finite number`, { vertex: v });
    return r;
  }
}

/** The kernel pointer of a structure's recorded elimination (any positive weights give the same tape; ones are used). */
function recordTape(structure: Pick<Structure, 'vertexCount' | 'rowPtr' | 'col'>): number {
  const weight = new Float64Array(structure.col.length).fill(1);
  return eliminateRaw({ vertexCount: structure.vertexCount, rowPtr: structure.rowPtr, col: structure.col, weight }, true);
}

let ones = new Float64Array(0);

/** n ones (a view of an array shared by all traces, grown as needed; never written). */
function allOnes(n: number): Float64Array {
  if (ones.length < n) ones = new Float64Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones.subarray(0, n);
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new GraphError('BAD_ARGUMENT', `k must be an integer ≥ 1, got ${k}`);
  return k;
}

/** Serialised size: 64-byte header plus the int32 payload. */
export function traceByteLength(n: number, m: number, ops: number, commands: number): number {
  return 64 + 4 * (n + 1 + m + 4 * ops + 3 * commands + n);
}

