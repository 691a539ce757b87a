/** Options for {@link WindowClimber}. */
export interface WindowClimberOptions {
  /** First step, as a share of capacity (default 0.0625, Caffeine's). */
  initialStep?: number;
  /** Factor applied to the step after every sample, so the window settles (default 0.98). */
  stepDecay?: number;
  /** A hit-rate change at least this large reads as a new workload: the step starts over (default 0.05). */
  restartThreshold?: number;
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
 * One change of ours: a sample taken while the window could not move (it sits at a bound)
 * says nothing about direction, so it only restarts the walk on a workload-sized change.
 * Without this, phase noise at a bound (a loop's rhythm against the sketch's halvings)
 * flips the walk into full exploratory steps again and again.
 */
export class WindowClimber {
  private readonly initialStep: number;
  private readonly stepDecay: number;
  private readonly restartThreshold: number;
  private readonly growFirst: boolean;
  // Signed: positive grows the window.
  private step: number;
  private previousRate = NaN;

  constructor(options: WindowClimberOptions = {}) {
    this.initialStep = options.initialStep ?? 0.0625;
    this.stepDecay = options.stepDecay ?? 0.98;
    this.restartThreshold = options.restartThreshold ?? 0.05;
    // Shrink first: the 1 % start suits frequency-skewed workloads, and a recency-heavy one
    // answers the first shrink with a hit-rate drop that turns the walk around. A window
    // already at one entry cannot shrink, so it opens by growing (as Caffeine's small caches do).
    this.growFirst = options.growFirst ?? false;
    this.step = this.growFirst ? this.initialStep : -this.initialStep;
  }

  /**
   * The change of window share (of capacity) after a sample with this hit rate. `moved`
   * says whether the previous change actually resized the window.
   */
  adjust(hitRate: number, moved: boolean): number {
    const previous = this.previousRate;
    this.previousRate = hitRate;
    if (Number.isNaN(previous)) {
      const step = this.step;
      this.step *= this.stepDecay;
      return step;
    }
    const change = hitRate - previous;
    const restart = Math.abs(change) >= this.restartThreshold;
    if (!moved && !restart) return 0;
    let step = change < 0 ? -this.step : this.step;
    if (restart) step = Math.sign(step) * this.initialStep;
    this.step = step * this.stepDecay;
    return step;
  }

  /** Forgets the walk (the tier was cleared). */
  reset(): void {
    this.previousRate = NaN;
    this.step = this.growFirst ? this.initialStep : -this.initialStep;
  }
}
