// What one θ row of a WASM evaluator computes once its graph is eliminated (or its trace
// evaluated) at θ: moments by replays, reward expectations from the expected time in every
// vertex (one transposed solve whatever their number), and their gradients. A continuous
// graph's gradients read no tape: from expected times and conditional expectations, one pass
// over the edges gives ∂/∂w (docs/traces.md); a discrete graph's go back through the tape.
import { checkFinite } from '../errors/index.js';
import type { KernelRewards } from '../kernel/forward-expectations.js';
import { f64View, type KernelExports } from '../kernel/module.js';
import { momentGradients, momentGradientSizes } from '../kernel/moment-gradients.js';
import type { KernelParameterisation } from '../kernel/parameterisation.js';
import { KernelWorkspace } from '../kernel/workspace.js';
import { countTerms } from '../likelihood/counts.js';
import type { CheckedCounts } from '../likelihood/observations.js';

/** An elimination ready for one θ row: the kernel pointer, its tape values (when recorded) and the weights. */
export interface RowElimination {
  ptr: number;
  /** Tape values (for the reverse pass), 0 when there is no tape. */
  vals: number;
  /** Canonical weights at θ (kernel memory). */
  w: number;
  done(): void;
}

/** What the rows read of their evaluator: the kernel, the structure's sizes and parameterisation, the target's rewards. */
export interface RowContext {
  k: KernelExports;
  /** Vertices, canonical edges, parameters. */
  n: number;
  m: number;
  p: number;
  discrete: boolean;
  par: KernelParameterisation;
  /** The target's reward vectors, one after another (kernel memory). */
  rewards: number;
  /** Expectations' and counts' rewards by vertex, nonzero entries only. */
  byVertex: KernelRewards | null;
  /** A counts log-likelihood's counts, else null. */
  counts: CheckedCounts | null;
}

/** The rows of one evaluator after their eliminations, with their kernel workspace. Dispose when done. */
export class EliminatedRows {
  private readonly ws = new KernelWorkspace();

  constructor(private readonly c: RowContext) {}

  /** Raw moments E[R^1..R^k] of row `r`: k replays; for the gradients k transposed solves and a pass over the edges per output (continuous), or k reverse passes and one over the tape per output (discrete). */
  moments(e: RowElimination, kk: number, r: number, values: Float64Array, gradients: Float64Array | null): void {
    const { k, n, p } = this.c;
    if (gradients && !this.c.discrete) {
      // With no tape (kernel/moment-gradients.ts): one seed per output.
      const seeds = Array.from({ length: kk }, (_, j) => Float64Array.from({ length: kk }, (_, i) => (i === j ? 1 : 0)));
      const { par } = this.c;
      const out = momentGradients(k, e.ptr, { rowPtr: par.rowPtr, col: par.col, coef: par.coef, paramLength: p }, this.c.rewards, seeds, this.ws.layout(momentGradientSizes(n, kk, p)));
      values.set(out.moments, r * kk);
      out.gradients.forEach((g, j) => gradients.set(g, (r * kk + j) * p));
      return;
    }
    const ncmd = k.pk_elim_ncmd(e.ptr);
    const ws = this.withReverse(e, { B: 8 * kk * n, X: 8 * kk * n, XS: 8 * kk * ncmd, out: 8 * kk, seed: 8 * kk, work: 24 * n });
    k.pk_moments_forward(e.ptr, this.c.rewards, kk, ws.B, ws.X, ws.XS, ws.out);
    values.set(f64View(k, ws.out, kk), r * kk);
    if (!gradients) return;
    for (let j = 0; j < kk; j++) {
      const seed = f64View(k, ws.seed, kk);
      seed.fill(0);
      seed[j] = 1;
      k.pk_moments_reverse(e.ptr, this.c.rewards, kk, ws.B, ws.XS, ws.seed, ws.work, ws.mbar, ws.sbar);
      this.reverse(e, ws, gradients, (r * kk + j) * p);
    }
  }

  /**
   * Expectations, or counts' log L, of row `r`: the expected time in every vertex from one
   * transposed solve, then every E[R_i] as a sum over its nonzero entries (pk_expect_times),
   * where m solves were taken. A gradient of E[r] is one solve and one pass over the edges
   * (pk_expect_gradient; a discrete graph's goes through the tape); counts' is that of the one
   * reward Σ_i ȳ_i R_i, each expectation's that of its own.
   */
  expectations(e: RowElimination, r: number, values: Float64Array, gradients: Float64Array | null): void {
    const { k, n, p, discrete, par, counts } = this.c, rewards = this.c.byVertex!, m = rewards.count;
    const ncmd = discrete ? k.pk_elim_ncmd(e.ptr) : 0;
    const sizes = { tau: 8 * n, out: 8 * m, y: 8 * m, combined: 8 * n, x: 8 * n, xs: 8 * ncmd, xbar: 8 * n, rbar: 8 * n, grad: 8 * p };
    const ws: Record<string, number> = discrete ? this.withReverse(e, sizes) : this.ws.layout(sizes);
    k.pk_expect_times(e.ptr, m, rewards.rowPtr, rewards.index, rewards.value, ws.tau, ws.out);
    const expectations = f64View(k, ws.out, m);
    // The gradient of E[reward] (kernel memory) into gradient row `at`.
    const back = (reward: number, at: number): void => {
      if (discrete) {
        k.pk_expect_adjoint(e.ptr, reward, ws.x, ws.xs, ws.xbar, ws.rbar, ws.mbar, ws.sbar);
        this.reverse(e, ws, gradients!, at);
        return;
      }
      k.pk_expect_gradient(e.ptr, p, par.rowPtr, par.col, par.coef, ws.tau, reward, ws.x, ws.grad);
      gradients!.set(f64View(k, ws.grad, p), at);
    };
    if (counts) {
      // An expectation past the doubles is an overflow, not data of probability 0.
      const { logLik, adjoint } = countTerms(counts, checkFinite(expectations, 'an expectation'));
      values[r] = logLik;
      if (!gradients) return;
      f64View(k, ws.y, m).set(adjoint);
      k.pk_combine_rewards(n, rewards.rowPtr, rewards.index, rewards.value, ws.y, ws.combined);
      back(ws.combined, r * p);
      return;
    }
    values.set(expectations, r * m);
    if (gradients) for (let j = 0; j < m; j++) back(rewards.dense + 8 * j * n, (r * m + j) * p);
  }

  dispose(): void {
    this.ws.dispose();
  }

  // The reverse pass over the tape: from the adjoints of the multipliers (ws.mbar) and of scale0
  // (ws.sbar), through the tape and w = b + C·θ, into gradient row `at`.
  private reverse(e: RowElimination, ws: Record<string, number>, gradients: Float64Array, at: number): void {
    const { k, m, p } = this.c;
    k.pk_trace_reverse(e.ptr, e.vals, ws.mbar, ws.sbar, ws.vbar, ws.wbar);
    k.pk_chain_theta(m, p, this.c.par.coef, ws.wbar, ws.grad);
    gradients.set(f64View(k, ws.grad, p), at);
  }

  // The workspace laid out for `sizes` and the reverse pass's buffers.
  private withReverse(e: RowElimination, sizes: Record<string, number>): Record<string, number> {
    const { k, n, m, p } = this.c, ncmd = k.pk_elim_ncmd(e.ptr);
    const nv = e.vals ? k.pk_trace_nvals(e.ptr) : 1;
    return this.ws.layout({ ...sizes, mbar: 8 * ncmd, sbar: 8 * n, vbar: 8 * nv, wbar: 8 * m, grad: 8 * p });
  }
}
