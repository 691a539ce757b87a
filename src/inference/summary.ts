// Summaries of a particle cloud (P rows × d columns, row-major): mean, standard
// deviation and quantiles per column; and the run's history, thinned to a
// bounded number of iterations for plots.

/** Mean of each column. */
export function columnMeans(x: Float64Array, P: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < P; r++) for (let c = 0; c < d; c++) mean[c] += x[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= P;
  return mean;
}

/** Sample standard deviation of each column (divisor P − 1; 0 for one particle). */
export function columnSds(x: Float64Array, P: number, d: number, mean = columnMeans(x, P, d)): Float64Array {
  const sd = new Float64Array(d);
  if (P < 2) return sd;
  for (let r = 0; r < P; r++) for (let c = 0; c < d; c++) { const e = x[r * d + c] - mean[c]; sd[c] += e * e; }
  for (let c = 0; c < d; c++) sd[c] = Math.sqrt(sd[c] / (P - 1));
  return sd;
}

/** The q-quantile of each column, interpolating linearly between order statistics (type 7). */
export function columnQuantiles(x: Float64Array, P: number, d: number, probabilities: readonly number[]): Float64Array[] {
  const out = probabilities.map(() => new Float64Array(d));
  const column = new Float64Array(P);
  for (let c = 0; c < d; c++) {
    for (let r = 0; r < P; r++) column[r] = x[r * d + c];
    column.sort();
    probabilities.forEach((q, k) => {
      const at = q * (P - 1), lo = Math.floor(at), hi = Math.min(P - 1, lo + 1);
      out[k][c] = column[lo] + (at - lo) * (column[hi] - column[lo]);
    });
  }
  return out;
}

/** The state after one iteration, as onProgress reports it and history records it. */
export interface IterationState {
  /** Iterations done (1 after the first). */
  iteration: number;
  /** Mean over particles of log L(θ) + log π(θ) (particles where it is finite). */
  logPosteriorMean: number;
  /** The kernel's bandwidth h in k(x, y) = exp(−‖x − y‖²/h), in the unconstrained space. */
  bandwidth: number;
  /** Root-mean-square over particles of how far each moved this iteration (unconstrained space). */
  stepNorm: number;
}

/** The run, every `stride`-th iteration (and the last): typed arrays, one entry (or row) per recorded iteration. */
export interface History {
  /** Iteration numbers recorded. */
  iteration: Int32Array;
  logPosteriorMean: Float64Array;
  bandwidth: Float64Array;
  stepNorm: Float64Array;
  /** Particle means, rows × paramLength. */
  mean: Float64Array;
  /** Particle standard deviations, rows × paramLength. */
  sd: Float64Array;
  /** With `historyParticles`: the particles, rows × P × paramLength. */
  particles?: Float64Array;
}

/** Records every `stride`-th iteration into growing arrays. */
export class HistoryRecorder {
  private readonly rows: { state: IterationState; mean: Float64Array; sd: Float64Array; particles?: Float64Array }[] = [];

  constructor(private readonly stride: number, private readonly keepParticles: boolean) {}

  /** Whether iteration `it` (1-based) is one to record; the last is always recorded by the caller. */
  wants(it: number): boolean {
    return it % this.stride === 0;
  }

  /** Records the state and the particles (θ rows) of one iteration. */
  record(state: IterationState, thetas: Float64Array, P: number, d: number): void {
    if (this.rows.length && this.rows[this.rows.length - 1].state.iteration === state.iteration) return;
    const mean = columnMeans(thetas, P, d);
    this.rows.push({ state, mean, sd: columnSds(thetas, P, d, mean), particles: this.keepParticles ? thetas.slice() : undefined });
  }

  /** The history as typed arrays. */
  result(d: number): History {
    const n = this.rows.length;
    const pick = (f: (s: IterationState) => number) => Float64Array.from(this.rows, (r) => f(r.state));
    const flat = (f: (r: (typeof this.rows)[number]) => Float64Array, width: number) => {
      const out = new Float64Array(n * width);
      this.rows.forEach((r, i) => out.set(f(r), i * width));
      return out;
    };
    const history: History = {
      iteration: Int32Array.from(this.rows, (r) => r.state.iteration),
      logPosteriorMean: pick((s) => s.logPosteriorMean),
      bandwidth: pick((s) => s.bandwidth),
      stepNorm: pick((s) => s.stepNorm),
      mean: flat((r) => r.mean, d),
      sd: flat((r) => r.sd, d),
    };
    if (this.keepParticles && n) history.particles = flat((r) => r.particles!, this.rows[0].particles!.length);
    return history;
  }
}
