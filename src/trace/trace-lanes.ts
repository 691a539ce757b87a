// Moments for several θ rows at once (wasm-src/trace-lanes.c): the tape, or the forward
// pass of a structure whose edges all go forward, evaluated with every value a vector of
// LANES lanes, one per row, so reading the tape or the structure is shared by the rows.
// Each lane's moments are bitwise those of evaluating its row alone.
import { gradientsInLanes, type KernelRewards, type LaneExpectations, type LaneGradients } from '../kernel/forward-expectations.js';
import { forwardMomentsInLanes } from '../kernel/forward-moments.js';
import { f64View, kernel, LANES, putLanes, takeLane } from '../kernel/module.js';
import { withMemoryOrNone, withMemoryRetry } from '../kernel/residency.js';
import { thetaRow, type ThetaRows } from '../graph/arguments.js';
import type { KernelParameterisation } from '../kernel/parameterisation.js';
import { KernelWorkspace } from '../kernel/workspace.js';
import type { Structure } from '../graph/structure.js';

// The lanes' values take LANES doubles per tape slot; past this the rows go one at a time.
// Island model n = 20's tape (2.4 M ops: 85 MB in lanes) is 2.3× faster per row in lanes.
const MAX_VALUE_BYTES = 128 * 1024 * 1024;

/** What the lanes need of a trace: its size and, fresh for each group, its kernel pointer. */
export interface LaneTrace {
  readonly vertexCount: number;
  readonly kernelPointer: number;
  valueCount(): number;
}

/** A batch's kernel memory for evaluating a trace's moments LANES rows at a time. Dispose when done. */
export class TraceLanes {
  private readonly space = new KernelWorkspace();
  private readonly at: { vals: number; theta: number; r: number; work: number; out: number };

  /** Lanes for `trace`'s first `k` moments with these (checked) rewards; null where the values would pass the memory cap. */
  static open(trace: LaneTrace, paramLength: number, rewards: Float64Array, k: number): TraceLanes | null {
    if (8 * LANES * trace.valueCount() > MAX_VALUE_BYTES) return null;
    return new TraceLanes(trace, paramLength, rewards, k);
  }

  private constructor(private readonly trace: LaneTrace, private readonly paramLength: number, rewards: Float64Array, private readonly k: number) {
    const n = trace.vertexCount;
    this.at = this.space.layout({
      vals: 8 * LANES * trace.valueCount(), theta: 8 * LANES * paramLength, r: 8 * n, work: 16 * LANES * n, out: 8 * LANES * k,
    });
    f64View(kernel(), this.at.r, n).set(rewards);
  }

  /**
   * E[R^1..R^k] at each of up to LANES θ rows (`thetas`, checked), with `kp` the structure's
   * parameterisation: one array per row, or null for a row whose rates fail a check or whose
   * evaluation divides by a non-positive number (evaluated alone, that row's error is named).
   */
  moments(thetas: Float64Array[], kp: KernelParameterisation): (Float64Array | null)[] {
    const K = kernel(), { vals, theta, r, work, out } = this.at, k = this.k;
    putLanes(K, theta, thetas, this.paramLength);
    // The weights are the first slots of the tape's values: written there, no copy.
    const refused = kp.ratesInLanes(theta, vals);
    const ptr = this.trace.kernelPointer;
    const bad = refused | K.pk_trace_evaluate_lanes(ptr, vals);
    K.pk_moments_lanes(ptr, vals, r, k, work, out);
    const results = f64View(K, out, LANES * k);
    return thetas.map((_, lane) => ((bad & (1 << lane)) === 0 ? results.slice(lane * k, (lane + 1) * k) : null));
  }

  /** Frees the batch's kernel memory. */
  dispose(): void {
    this.space.dispose();
  }
}

/**
 * A batch's kernel memory for reward expectations LANES rows at a time through a trace's tape
 * (a graph with cycles): the tape evaluated in lanes, then the expected times by one transposed
 * solve and a sum per reward (pk_expect_times_lanes), and for a gradient one solve and one pass
 * over the edges (pk_expect_gradient_lanes). Each lane is bitwise its row evaluated alone on
 * the trace. Continuous structures only. Dispose when done.
 */
export class ExpectationLanes {
  private readonly space = new KernelWorkspace();
  private readonly at: Record<'vals' | 'theta' | 'tau' | 'out' | 'ys' | 'combined' | 'x' | 'grad', number>;

  /** Lanes for `trace` with these rewards; null where the values would pass the memory cap. */
  static open(trace: LaneTrace, paramLength: number, rewards: KernelRewards): ExpectationLanes | null {
    if (8 * LANES * trace.valueCount() > MAX_VALUE_BYTES) return null;
    return new ExpectationLanes(trace, paramLength, rewards);
  }

  private constructor(private readonly trace: LaneTrace, private readonly paramLength: number, private readonly rewards: KernelRewards) {
    const n = trace.vertexCount, m = rewards.count, L = 8 * LANES;
    this.at = this.space.layout({ vals: L * trace.valueCount(), theta: L * paramLength, tau: L * n, out: L * m, ys: L * m, combined: L * n, x: L * n, grad: L * paramLength });
  }

  /**
   * Per θ row (up to LANES, checked) its expectations and the `gradients` asked for (see
   * LaneGradients); null for a row whose rates fail a check or whose evaluation divides by a
   * non-positive number, or that is left out (evaluated alone, it takes the checked path).
   * `kp`: the structure's parameterisation.
   */
  rows(thetas: Float64Array[], kp: KernelParameterisation, gradients?: LaneGradients): (LaneExpectations | null)[] {
    const K = kernel(), { vals, theta, tau, out, ys, combined, x, grad } = this.at, p = this.paramLength, r = this.rewards, m = r.count;
    putLanes(K, theta, thetas, p);
    // The weights are the first slots of the tape's values: written there, no copy.
    const refused = kp.ratesInLanes(theta, vals);
    const ptr = this.trace.kernelPointer;
    const bad = refused | K.pk_trace_evaluate_lanes(ptr, vals);
    K.pk_expect_times_lanes(ptr, vals, m, r.rowPtr, r.index, r.value, tau, out);
    const all = f64View(K, out, LANES * m);
    const rows: (LaneExpectations | null)[] = thetas.map((_, l) => ((bad & (1 << l)) === 0 ? { values: takeLane(all, m, l), gradient: null } : null));
    if (gradients) gradientsInLanes(K, rows, gradients, r, this.trace.vertexCount, p, { ys, reward4: combined, grad4: grad },
      () => K.pk_expect_gradient_lanes(ptr, vals, p, kp.rowPtr, kp.col, kp.coef, tau, combined, x, grad));
    return rows;
  }

  /** Frees the batch's kernel memory. */
  dispose(): void {
    this.space.dispose();
  }
}

/** Where a batch's moments come from: the structure, its trace (none: the forward pass only) and its parameterisation. */
export interface MomentSource {
  structure: Structure;
  trace: LaneTrace | null;
  /** The structure's kernel parameterisation, fetched for each group (it may have been released in between). */
  parameterisation(): KernelParameterisation;
}

/**
 * A batch's moment rows in kernel lanes, LANES at a time: by the forward pass where every edge
 * of the structure goes forward, else through the trace's tape. Continuous structures only.
 * Dispose when done.
 */
export class MomentLanes {
  private forward = true;
  private tape: TraceLanes | null | undefined;

  /** `rewards` checked, one per vertex. */
  constructor(private readonly source: MomentSource, private readonly k: number, private readonly rewards: Float64Array) {}

  /**
   * Per row (up to LANES, checked) its moments, not yet checked finite, or null for a row to
   * evaluate alone (it fails a check there, which names it); null for all where no lanes apply
   * (no trace, one too large, or no kernel memory for its lanes). Throws KernelError
   * OUT_OF_MEMORY: the caller gives the caches back and runs the group once more.
   */
  moments(thetas: Float64Array[]): (Float64Array | null)[] | null {
    const { structure, trace } = this.source;
    if (this.forward) {
      const results = forwardMomentsInLanes(structure, thetas, this.rewards, this.k);
      if (results) return results;
      this.forward = false;
    }
    // Lanes the kernel has no room for, even after the caches gave theirs back: rows alone.
    if (this.tape === undefined) this.tape = trace ? withMemoryOrNone(() => TraceLanes.open(trace, structure.paramLength, this.rewards, this.k)) : null;
    return this.tape ? this.tape.moments(thetas, this.source.parameterisation()) : null;
  }

  /**
   * Rows `from` … `to` − 1 of `batch`, LANES at a time, in row order: `put(r, moments)` for a row
   * the lanes answer (moments not yet checked finite), `alone(r)` for one they refuse, so that
   * the first bad row's error is the one thrown, and for every row once no lanes apply. Out of
   * kernel memory, a group gives the caches back and runs once more.
   */
  rows(batch: ThetaRows, from: number, to: number, put: (r: number, moments: Float64Array) => void, alone: (r: number) => void): void {
    for (let first = from; first < to;) {
      const thetas = Array.from({ length: Math.min(LANES, to - first) }, (_, lane) => thetaRow(batch, first + lane));
      const results = withMemoryRetry(() => this.moments(thetas));
      thetas.forEach((_, lane) => {
        const moments = results?.[lane];
        if (moments) put(first + lane, moments);
        else alone(first + lane);
      });
      first += thetas.length;
    }
  }

  dispose(): void {
    this.tape?.dispose();
  }
}
