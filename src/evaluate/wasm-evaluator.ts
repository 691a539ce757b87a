// The WebAssembly evaluators. 'wasm' evaluates the structure's trace for each θ
// row; 'wasm-direct' eliminates the graph afresh for each row (recording a tape
// only when gradients are asked for). Times and steps never eliminate: their
// likelihood steps the chain (src/likelihood/point-likelihood.ts). Gradients are
// reverse mode throughout: through the replays, the tape and w = b + C·θ.
import { checkFinite, GraphError, throwIfAborted } from '../errors/index.js';
import { checkThetaRows, thetaRow, type ThetaRows } from '../graph/arguments.js';
import { canonicalRates, checkAbsorption, ratesAt } from '../graph/rates.js';
import { eliminate, eliminateRaw } from '../kernel/elimination.js';
import { forwardExpectationsAt, forwardExpectationsInLanes, goesForward, rewardsByVertex, type KernelRewards } from '../kernel/forward-expectations.js';
import { f64View, kernel, LANES, type KernelExports } from '../kernel/module.js';
import { holdParameterisation, releaseParameterisation, type KernelParameterisation } from '../kernel/parameterisation.js';
import { withMemoryOrNone, withMemoryRetry } from '../kernel/residency.js';
import { KernelWorkspace } from '../kernel/workspace.js';
import { countTerms } from '../likelihood/counts.js';
import { checkPointWeights, type CheckedCounts } from '../likelihood/observations.js';
import { PointLikelihood } from '../likelihood/point-likelihood.js';
import { rewardMoments } from '../moments/moments.js';
import type { Trace } from '../trace/trace.js';
import { ExpectationLanes, MomentLanes } from '../trace/trace-lanes.js';
import { likelihoodMethodAt, type Evaluation, type EvaluateOptions, type Evaluator } from './evaluator.js';
import type { EvaluatorSpec } from './spec.js';
import { outputCount, type CheckedTarget } from './target.js';
import { EliminatedRows, type RowElimination } from './eliminated-row.js';

const PROGRESS_INTERVAL_MS = 50;

/** Per-call weights: for log-likelihoods of times or steps only. */
function checkWeights(target: CheckedTarget, weights: unknown): Float64Array {
  if (target.kind !== 'loglik') throw new GraphError('BAD_ARGUMENT', `weights are for log-likelihoods of times or steps, not a ${target.kind} target`);
  return checkPointWeights(target.data, weights);
}

/**
 * Whether the rows of `spec`'s WASM evaluator read the structure's trace: not for expectations
 * and counts of a continuous structure whose edges all go forward. Those take one pass a row,
 * and the rare row the pass refuses (a rate of 0 at θ, or an error to name) is eliminated
 * afresh, so no trace is recorded for them (coalescent n = 40: half the planning time).
 */
export function readsTrace(spec: EvaluatorSpec): boolean {
  const t = spec.target;
  const expectations = t.kind === 'expectations' || (t.kind === 'loglik' && t.data.kind === 'counts');
  return !(expectations && !spec.structure.discrete && goesForward(spec.structure));
}

/** A compiled evaluator on the WebAssembly kernel (see the file comment for the two backends). */
export class WasmEvaluator implements Evaluator {
  readonly backend: 'wasm' | 'wasm-direct';
  readonly paramLength: number;
  readonly outputs: number;
  readonly target: CheckedTarget;
  private readonly k: KernelExports = kernel();
  private readonly par: KernelParameterisation;
  private readonly eliminated: EliminatedRows;
  private readonly fixed = new KernelWorkspace();
  private readonly rewards: number;
  // Expectations' and counts' rewards by vertex, nonzero entries only (as the kernel sums them).
  private readonly byVertex: KernelRewards | null = null;
  // Whether those take the forward passes (forwardRow), with no elimination.
  private readonly forward: boolean;
  private readonly points: PointLikelihood | null;
  private readonly n: number;
  private readonly m: number;

  /** @internal Use createEvaluator() (layer 2); `trace` is the structure's trace for the 'wasm' backend. */
  /** `ownsTrace`: the trace was recorded for this evaluator alone (no store), and is released with it. */
  constructor(readonly spec: EvaluatorSpec, readonly key: string, private readonly trace: Trace | null, private readonly ownsTrace = false) {
    if (spec.backend !== 'wasm' && spec.backend !== 'wasm-direct') throw new GraphError('BAD_ARGUMENT', `WasmEvaluator cannot run backend ${spec.backend}`);
    this.backend = spec.backend;
    const s = spec.structure, t = spec.target;
    this.target = t;
    this.paramLength = s.paramLength;
    this.outputs = outputCount(t);
    this.n = s.vertexCount;
    this.m = s.col.length;
    this.par = holdParameterisation(this, s);
    const rewards = t.kind === 'loglik' ? (t.data.kind === 'counts' ? t.data.rewards : null) : t.rewards;
    // Expectations and counts also read the rewards by vertex (forwardRow, EliminatedRows).
    const byVertex = rewards && t.kind !== 'moments' ? rewardsByVertex(rewards, this.n) : null;
    this.forward = byVertex !== null && !readsTrace(spec);
    const at = this.fixed.layout({
      r: rewards?.byteLength ?? 0, rowPtr: byVertex?.rowPtr.byteLength ?? 0, index: byVertex?.index.byteLength ?? 0, value: byVertex?.value.byteLength ?? 0,
    });
    this.rewards = rewards ? at.r : 0;
    if (rewards) f64View(this.k, this.rewards, rewards.length).set(rewards);
    if (byVertex) {
      new Int32Array(this.k.memory.buffer, at.rowPtr, this.n + 1).set(byVertex.rowPtr);
      new Int32Array(this.k.memory.buffer, at.index, byVertex.index.length).set(byVertex.index);
      f64View(this.k, at.value, byVertex.value.length).set(byVertex.value);
      this.byVertex = { count: rewards!.length / this.n, dense: at.r, rowPtr: at.rowPtr, index: at.index, value: at.value };
    }
    this.points = t.kind === 'loglik' && t.data.kind !== 'counts' ? new PointLikelihood(s, t.data, t.limits) : null;
    this.eliminated = new EliminatedRows({
      k: this.k, n: this.n, m: this.m, p: this.paramLength, discrete: s.discrete, par: this.par, rewards: this.rewards, byVertex: this.byVertex, counts: this.counts(),
    });
    if (this.backend === 'wasm' && !this.points && !trace && !this.forward) throw new GraphError('BAD_ARGUMENT', 'the wasm backend needs the structure\'s trace');
  }

  /** @internal Whether log L of times at `theta` takes adaptive uniformisation (null: not a likelihood of times, or a θ the kernel refuses). */
  [likelihoodMethodAt](theta: Float64Array): 'adaptive' | 'uniformisation' | 'dense' | 'krylov' | null {
    if (!this.points || this.spec.structure.discrete) return null;
    try {
      this.points.evaluate({ rows: 1, paramLength: this.paramLength, data: theta }, false);
    } catch {
      return null;
    }
    return this.points.lastRun().method;
  }

  async evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const batch = checkThetaRows(this.paramLength, options.thetas);
    const gradient = options.gradient === true;
    const { rows } = batch, p = this.paramLength, out = this.outputs;
    const values = new Float64Array(rows * out);
    const gradients = gradient ? new Float64Array(rows * out * p) : null;
    const { signal, onProgress } = options;
    const weights = options.weights === undefined ? undefined : checkWeights(this.target, options.weights);
    throwIfAborted(signal, 'the evaluation');
    // Moments without gradients: LANES rows at a time where the kernel's lanes apply.
    const t = this.target;
    const lanes = t.kind === 'moments' && !gradient && !this.spec.structure.discrete && rows > 1
      ? new MomentLanes({ structure: this.spec.structure, trace: this.trace, parameterisation: () => this.par }, t.k, t.rewards)
      : null;
    // Rows in chunks: between chunks the batch yields (so an abort can land) and reports progress.
    // Moments go one row (or one group of lanes) at a time. The first row of a likelihood goes
    // alone: rows that take dense matrices (a chain past maxSteps) cost up to seconds each and
    // then go one at a time; else chunks of 256.
    // Expectations and counts, with their gradients: LANES rows at a time too, by the forward
    // passes, or through the trace's tape on a continuous graph with cycles.
    const expectationLanes = this.byVertex !== null && rows > 1 && !this.spec.structure.discrete
      && (this.forward || (this.backend === 'wasm' && this.trace !== null));
    // (Out of kernel memory, the caches are given back and the lanes' memory is asked for once
    // more; failing that, the rows go one at a time.)
    const tapeLanes = expectationLanes && !this.forward ? withMemoryOrNone(() => ExpectationLanes.open(this.trace!, this.paramLength, this.byVertex!)) : null;
    let chunk = lanes || expectationLanes ? LANES : 1;
    let reported = performance.now();
    try {
      for (let r0 = 0, r1 = 0; r0 < rows; r0 = r1) {
        r1 = Math.min(rows, r0 + chunk);
        if (this.points) {
          const part = this.points.evaluate({ rows: r1 - r0, paramLength: p, data: batch.data.subarray(r0 * p, r1 * p) }, gradient, weights, { first: r0, of: rows });
          values.set(part.logLik, r0);
          if (gradients && part.gradient) gradients.set(part.gradient, r0 * p);
          chunk = this.points.denseRows > 0 ? 1 : 256;
        } else if (expectationLanes) {
          this.expectationRows(batch, r0, r1, values, gradients, tapeLanes);
        } else if (lanes) {
          lanes.rows(batch, r0, r1, (r, moments) => values.set(moments, r * out), (r) => withMemoryRetry(() => this.row(thetaRow(batch, r), r, values, null)));
        } else {
          // Out of kernel memory: the caches are given back and the row runs once more.
          for (let r = r0; r < r1; r++) withMemoryRetry(() => this.row(thetaRow(batch, r), r, values, gradients));
        }
        const now = performance.now();
        if ((signal || onProgress) && now - reported >= PROGRESS_INTERVAL_MS && r1 < rows) {
          onProgress?.({ done: r1, total: rows });
          reported = now;
          await new Promise((resolve) => setTimeout(resolve, 0));
          throwIfAborted(signal, 'the evaluation');
        }
      }
    } finally {
      lanes?.dispose();
      tapeLanes?.dispose();
    }
    onProgress?.({ done: rows, total: rows });
    // log L may be −∞ (data impossible at θ); anything else that is not finite is an overflow.
    if (this.target.kind !== 'loglik') checkFinite(values, 'a value');
    if (gradients) for (let i = 0; i < gradients.length; i++)
      if (!Number.isFinite(gradients[i]) && Number.isFinite(values[Math.floor(i / p)])) checkFinite([gradients[i]], 'a gradient');
    return { rows, outputs: out, paramLength: p, values, gradients };
  }

  /** Values (and gradients) of one θ row from an elimination at θ. */
  private row(theta: Float64Array, r: number, values: Float64Array, gradients: Float64Array | null): void {
    const t = this.target;
    // Discrete moments beyond the first follow another recursion (moments/moments.ts), without gradients.
    if (t.kind === 'moments' && this.spec.structure.discrete && t.k > 1) {
      if (gradients) throw new GraphError('WRONG_KIND', 'gradients of discrete moments beyond the first are not supported');
      values.set(this.discreteMoments(theta), r * this.outputs);
      return;
    }
    if (this.forwardRow(theta, r, values, gradients)) return;
    // Gradients of a continuous graph's expectations and moments read no tape (eliminated-row.ts).
    const e = this.eliminate(theta, gradients !== null && this.spec.structure.discrete);
    try {
      if (t.kind === 'moments') this.eliminated.moments(e, t.k, r, values, gradients);
      else this.eliminated.expectations(e, r, values, gradients);
    } finally {
      e.done();
    }
  }

  /**
   * Expectations, and counts' log L, of a structure whose edges all go forward: the values from
   * one pass of visit probabilities, each gradient from two more passes, no elimination or tape
   * (forwardExpectationsAt). False where that does not apply (moments, an edge back, a discrete
   * graph, a rate failing a check): the row is eliminated.
   */
  private forwardRow(theta: Float64Array, r: number, values: Float64Array, gradients: Float64Array | null): boolean {
    const p = this.paramLength, rewards = this.byVertex!;
    if (!this.forward) return false;
    const counts = this.counts();
    const m = rewards.count;
    if (!counts) {
      const e = forwardExpectationsAt(this.spec.structure, theta, rewards, gradients ? 'each' : undefined);
      if (!e) return false;
      values.set(e.values, r * m);
      e.gradients.forEach((g, j) => gradients!.set(g, (r * m + j) * p));
      return true;
    }
    let value = 0;
    const adjoints = (expectations: Float64Array): Float64Array => {
      const { logLik, adjoint } = countTerms(counts, checkFinite(expectations, 'an expectation'));
      value = logLik;
      return adjoint;
    };
    const e = forwardExpectationsAt(this.spec.structure, theta, rewards, gradients ? adjoints : undefined);
    if (!e) return false;
    if (gradients) gradients.set(e.gradients[0], r * p);
    else adjoints(e.values);
    values[r] = value;
    return true;
  }

  /**
   * Expectations or counts of rows r0..r1 (at most LANES) at once, in kernel lanes, with the
   * bits of each row alone: by the forward passes ({@link forwardRow}), or through the trace's
   * tape (`tape`; as EliminatedRows.expectations). A row the lanes leave out (a failed check, an
   * expectation past the doubles) is evaluated alone, in row order, so that it throws what it
   * throws alone; all are where no lanes apply (a trace past the lanes' memory cap).
   */
  private expectationRows(batch: ThetaRows, r0: number, r1: number, values: Float64Array, gradients: Float64Array | null, tape: ExpectationLanes | null): void {
    const p = this.paramLength, counts = this.counts(), m = this.byVertex!.count;
    const thetas = Array.from({ length: r1 - r0 }, (_, q) => thetaRow(batch, r0 + q));
    const logLiks = new Float64Array(r1 - r0);
    // Counts' log L of each row, and the adjoints whose combination has its gradient; null (the
    // row goes alone) where an expectation is not finite.
    const adjoints = counts && ((expectations: Float64Array, q: number): Float64Array | null => {
      if (!expectations.every(Number.isFinite)) return null;
      const { logLik, adjoint } = countTerms(counts, expectations);
      logLiks[q] = logLik;
      return adjoint;
    });
    const asked = gradients ? adjoints || 'each' : undefined;
    const rows = withMemoryRetry(() => (this.forward ? forwardExpectationsInLanes(this.spec.structure, thetas, this.byVertex!, asked) : tape?.rows(thetas, this.par, asked)));
    for (let q = 0; q < thetas.length; q++) {
      const r = r0 + q;
      let row = rows?.[q] ?? null;
      // Without gradients the lanes answered the expectations only: counts' log L is taken here.
      if (row && adjoints && !gradients && !adjoints(row.values, q)) row = null;
      if (!row) withMemoryRetry(() => this.row(thetas[q], r, values, gradients));
      else if (!counts) {
        values.set(row.values, r * m);
        if (gradients) gradients.set(row.gradient!, r * m * p);
      }
      else {
        values[r] = logLiks[q];
        if (gradients) gradients.set(row.gradient!, r * p);
      }
    }
  }

  // The counts of a counts log-likelihood target, else null.
  private counts(): CheckedCounts | null {
    const t = this.target;
    return t.kind === 'loglik' && t.data.kind === 'counts' ? t.data : null;
  }

  /** The elimination at θ: the trace evaluated (wasm), or a fresh elimination (wasm-direct, and wasm without a trace: see readsTrace). */
  private eliminate(theta: Float64Array, tape: boolean): RowElimination {
    const k = this.k;
    if (this.backend === 'wasm' && this.trace) {
      const trace = this.trace!;
      const nv = trace.valueCount();
      const bufs = this.traceBuffers(nv);
      if (!this.par.ratesInto(theta, bufs.w)) this.explain(theta);
      // A reverse pass follows (tape): the values numbered as the tape.
      const bad = (tape ? k.pk_trace_evaluate_tape : k.pk_trace_evaluate)(trace.kernelPointer, bufs.w, bufs.vals);
      if (bad >= 0) trace.afterEvaluate(bad, f64View(k, bufs.w, this.m).slice());
      return { ptr: trace.kernelPointer, vals: bufs.vals, w: bufs.w, done: () => {} };
    }
    const w = canonicalRates(this.spec.structure, theta);
    checkAbsorption(this.spec.structure, w, theta);
    const s = this.spec.structure;
    const ptr = eliminateRaw({ vertexCount: s.vertexCount, rowPtr: s.rowPtr, col: s.col, weight: w }, tape);
    let bufs = { w: 0, vals: 0 };
    if (tape) {
      bufs = this.traceBuffers(k.pk_trace_nvals(ptr));
      f64View(k, bufs.w, this.m).set(w);
      k.pk_trace_evaluate_tape(ptr, bufs.w, bufs.vals);
    }
    return { ptr, vals: bufs.vals, w: bufs.w, done: () => k.pk_elim_free(ptr) };
  }

  private traceMemory: KernelWorkspace | null = null;
  private traceBuffers(nv: number): { w: number; vals: number } {
    this.traceMemory ??= new KernelWorkspace();
    return this.traceMemory.layout({ w: 8 * this.m, vals: 8 * nv });
  }

  // Discrete E[R^j] for j > 1: the JavaScript recursion over an elimination at θ.
  private discreteMoments(theta: Float64Array): number[] {
    const t = this.target as Extract<CheckedTarget, { kind: 'moments' }>;
    if (this.backend === 'wasm') return this.trace!.momentsChecked(canonicalRates(this.spec.structure, theta), { k: t.k, rewards: t.rewards });
    const csr = ratesAt(this.spec.structure, theta);
    const elim = eliminate(csr);
    try {
      return rewardMoments(elim, csr, t.rewards, t.k);
    } finally {
      elim.dispose();
    }
  }

  // The kernel refused θ's rates: the JavaScript validator names the edge or vertex.
  private explain(theta: Float64Array): never {
    canonicalRates(this.spec.structure, theta);
    throw new GraphError('BAD_THETA', `the rates at θ = [${Array.from(theta).join(', ')}] fail the graph format's checks`);
  }

  dispose(): void {
    this.eliminated.dispose();
    this.fixed.dispose();
    this.traceMemory?.dispose();
    this.points?.dispose();
    if (this.ownsTrace) this.trace?.release();
    releaseParameterisation(this);
  }
}
