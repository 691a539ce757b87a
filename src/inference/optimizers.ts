// Step rules that move the particles along their Stein directions φ (ascent):
// Adam (Kingma & Ba 2015) and AdaGrad (Duchi et al. 2011), per particle and
// coordinate, with a step size that follows a schedule over the iterations.
// Adam's steps are relative to the particles' spread in each coordinate: the
// cloud contracts from the prior's width to the posterior's, often by a factor
// of a hundred, and a step that is right for one is far too big or too small for
// the other. Scaling every particle's coordinate c by the same number does not
// move SVGD's fixed point (φ = 0), only how fast the particles get there.
// AdaGrad's steps are absolute: its growing normaliser already shrinks them as
// 1/√t, and shrinking them with the spread as well stalls the contraction.
import { GraphError } from '../errors/index.js';

/** The optimizers. */
export type OptimizerName = 'adam' | 'adagrad';

/**
 * How the step size changes over iterations t = 0, 1, …:
 * 'constant'; 'exponential' (halving every `halfLife` iterations, default a quarter of the run);
 * 'cosine' (from stepSize down to `final`·stepSize at the last iteration, default 0.01).
 */
export type StepSchedule =
  | 'constant'
  | 'exponential'
  | 'cosine'
  | { kind: 'exponential'; halfLife?: number }
  | { kind: 'cosine'; final?: number };

/** The step size at iteration t of T, under `schedule`. */
export function stepSizeAt(schedule: CheckedSchedule, stepSize: number, t: number, T: number): number {
  switch (schedule.kind) {
    case 'constant': return stepSize;
    case 'exponential': return stepSize * Math.pow(0.5, t / (schedule.halfLife ?? Math.max(1, T / 4)));
    case 'cosine': {
      const final = schedule.final;
      return stepSize * (final + (1 - final) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, T)) / Math.max(1, T))));
    }
  }
}

/** A checked schedule. */
export type CheckedSchedule = { kind: 'constant' } | { kind: 'exponential'; halfLife?: number } | { kind: 'cosine'; final: number };

/** Checks a schedule option. */
export function checkSchedule(schedule: unknown): CheckedSchedule {
  if (schedule === undefined || schedule === 'constant') return { kind: 'constant' };
  if (schedule === 'exponential' || schedule === 'cosine') return checkSchedule({ kind: schedule });
  const s = schedule as { kind?: unknown; halfLife?: unknown; final?: unknown };
  if (typeof s === 'object' && s !== null && s.kind === 'exponential') {
    if (s.halfLife !== undefined && !(typeof s.halfLife === 'number' && s.halfLife > 0 && Number.isFinite(s.halfLife)))
      throw new GraphError('BAD_ARGUMENT', `schedule.halfLife must be a finite number of iterations > 0, got ${String(s.halfLife)}`);
    return { kind: 'exponential', halfLife: s.halfLife as number | undefined };
  }
  if (typeof s === 'object' && s !== null && s.kind === 'cosine') {
    const final = s.final ?? 0.01;
    if (!(typeof final === 'number' && final >= 0 && final <= 1)) throw new GraphError('BAD_ARGUMENT', `schedule.final must be a number in [0, 1], got ${String(final)}`);
    return { kind: 'cosine', final };
  }
  throw new GraphError('BAD_ARGUMENT', `schedule must be 'constant', 'exponential', 'cosine', or { kind, … } of one of them; got ${JSON.stringify(schedule)}`);
}

/** Moves particles (rows of z, P × d) along their directions φ; one instance per run (it keeps per-coordinate state). */
export interface Optimizer {
  /** z += step(φ) with step size `stepSize` (Adam: times scale[c], the spread of coordinate c); returns the root-mean-square over particles of ‖Δz_i‖. */
  step(z: Float64Array, phi: Float64Array, stepSize: number, scale: Float64Array): number;
}

const EPSILON = 1e-8;

class Adam implements Optimizer {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  // β2 = 0.9, not the usual 0.999: φ shrinks by orders of magnitude as the cloud contracts,
  // and a long memory of its early size would keep the steps too small for hundreds of iterations.
  constructor(size: number, private readonly beta1 = 0.9, private readonly beta2 = 0.9) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(z: Float64Array, phi: Float64Array, stepSize: number, scale: Float64Array): number {
    const { m, v, beta1, beta2 } = this, d = scale.length;
    this.t++;
    const c1 = 1 - Math.pow(beta1, this.t), c2 = 1 - Math.pow(beta2, this.t);
    let moved = 0;
    for (let x = 0; x < z.length; x++) {
      m[x] = beta1 * m[x] + (1 - beta1) * phi[x];
      v[x] = beta2 * v[x] + (1 - beta2) * phi[x] * phi[x];
      const delta = (stepSize * scale[x % d] * (m[x] / c1)) / (Math.sqrt(v[x] / c2) + EPSILON);
      z[x] += delta;
      moved += delta * delta;
    }
    return Math.sqrt((moved * d) / z.length);
  }
}

class AdaGrad implements Optimizer {
  private readonly g: Float64Array;
  constructor(size: number) {
    this.g = new Float64Array(size);
  }

  step(z: Float64Array, phi: Float64Array, stepSize: number, scale: Float64Array): number {
    const g = this.g, d = scale.length; // the spread is not used (see the file comment)
    let moved = 0;
    for (let x = 0; x < z.length; x++) {
      g[x] += phi[x] * phi[x];
      const delta = (stepSize * phi[x]) / (Math.sqrt(g[x]) + EPSILON);
      z[x] += delta;
      moved += delta * delta;
    }
    return Math.sqrt((moved * d) / z.length);
  }
}

/** The default step size: Adam's is relative to the spread, AdaGrad's absolute (unconstrained units). */
export const DEFAULT_STEP_SIZE: Record<OptimizerName, number> = { adam: 0.3, adagrad: 1 };

/** A fresh optimizer for `size` coordinates (P × d). */
export function createOptimizer(name: OptimizerName, size: number): Optimizer {
  return name === 'adagrad' ? new AdaGrad(size) : new Adam(size);
}

/** Checks an optimizer name. */
export function checkOptimizer(name: unknown): OptimizerName {
  if (name === undefined) return 'adam';
  if (name === 'adam' || name === 'adagrad') return name;
  throw new GraphError('BAD_ARGUMENT', `optimizer must be 'adam' or 'adagrad', got ${JSON.stringify(name)}`);
}
