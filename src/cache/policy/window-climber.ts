/** Options for {@link WindowClimber}. */
export interface WindowClimberOptions {
  /** First step, as a share of capacity (default 0.25; Caffeine's is 0.0625). */
  initialStep?: number;
  /** Factor applied to the step after every sample, so the window settles (default 0.98). */
  stepDecay?: number;
  /** A hit-rate change at least this large reads as a new workload: the step starts over (default 0.05). */
  restartThreshold?: number;
  /** Factor applied to the step after a move that raised the hit rate by more than `gainThreshold` (default 2). */
  acceleration?: number;
  /** A hit-rate gain above this counts as a gain for `acceleration` (default 0.002). */
  gainThreshold?: number;
  /** Open by growing the window (when it starts at its smallest size); default: open by shrinking. */
  growFirst?: boolean;
}

/**
 * Hill climbing on the hit rate for W-TinyLFU's admission window, as in Caffeine
 * (Einziger, Eytan, Friedman & Manes 2018, "Adaptive software cache management"): after
 * each sample of accesses, keep moving the window the same way while the hit rate does not
 * drop, reverse when it does, shrink the step as it goes, and take a full step again when
 * the hit rate jumps (the workload changed). Recency-heavy workloads walk the window up
 * towards LRU; frequency-skewed ones and loops walk it down.
 *
 * Changes of ours:
 * - A sample taken while the window could not move (it sits at a bound) says nothing about
 *   direction, so it only restarts the walk on a workload-sized change. Without this, phase
 *   noise at a bound (a loop's rhythm against the sketch's halvings) flips the walk into
 *   full exploratory steps again and again.
 * - A move that paid doubles the next step (up to the whole capacity), and a restart never
 *   shortens a step: a recency-heavy workload, which misses most while the window is small,
 *   reaches a full-size window in a few samples instead of twenty.
 */
export class WindowClimber {
  private readonly initialStep: number;
  private readonly stepDecay: number;
  private readonly restartThreshold: number;
  private readonly acceleration: number;
  private readonly gainThreshold: number;
  private readonly growFirst: boolean;
  // Signed: positive grows the window.
  private step: number;
  private previousRate = NaN;

  constructor(options: WindowClimberOptions = {}) {
    this.initialStep = options.initialStep ?? 0.25;
    this.stepDecay = options.stepDecay ?? 0.98;
    this.restartThreshold = options.restartThreshold ?? 0.05;
    this.acceleration = options.acceleration ?? 2;
    this.gainThreshold = options.gainThreshold ?? 0.002;
    // Shrink first: the 1 % start suits frequency-skewed workloads, and a recency-heavy one
    // answers the first shrink with a hit-rate drop that turns the walk around. A window
    // already at one entry cannot shrink, so it opens by growing (as Caffeine's small caches do).
    this.growFirst = options.growFirst ?? false;
    this.step = this.growFirst ? this.initialStep : -this.initialStep;
  }

  /**
   * The change of window share (of capacity) after a sample with this hit rate. `moved`
   * says whether the previous change actually resized the window; `accesses`, when given,
   * is the sample's size, so that a change within its noise never reads as a new workload.
   */
  adjust(hitRate: number, moved: boolean, accesses = Infinity): number {
    const previous = this.previousRate;
    this.previousRate = hitRate;
    if (Number.isNaN(previous)) {
      const step = this.step;
      this.step *= this.stepDecay;
      return step;
    }
    const change = hitRate - previous;
    // Three standard errors of the difference of two such samples.
    const noise = 3 * Math.sqrt((2 * hitRate * (1 - hitRate)) / accesses);
    const restart = Math.abs(change) >= Math.max(this.restartThreshold, noise);
    if (!moved && !restart) {
      this.step *= this.stepDecay;
      return 0;
    }
    let step = change < 0 ? -this.step : this.step;
    // A jump up keeps an accelerated step; a drop turns round with a fresh one.
    if (restart) step = Math.sign(step) * (change > 0 ? Math.max(Math.abs(step), this.initialStep) : this.initialStep);
    this.step = change > this.gainThreshold ? Math.sign(step) * Math.min(1, Math.abs(step) * this.acceleration) : step * this.stepDecay;
    return step;
  }

  /** Forgets the last hit rate (a sample said nothing): the next one is compared with none. */
  forgetRate(): void {
    this.previousRate = NaN;
  }

  /** Forgets the walk (the tier was cleared). */
  reset(): void {
    this.previousRate = NaN;
    this.step = this.growFirst ? this.initialStep : -this.initialStep;
  }
}
