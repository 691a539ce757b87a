// A fresh worker runs its first large call slowly. V8 runs a wasm function in baseline
// code until it turns hot, and a call already running never switches, so one big first
// call stays baseline from start to end. The TypeScript around it starts in V8's first
// tiers too. (Coalescent n = 40, build + E[T]: 162–197 ms cold against 128–142 ms after a
// warm-up like this one, measured in Node.) So the worker runs small copies of the hot
// paths (a model build, E[T], a pdf, a likelihood) while it is idle. It goes in steps of a
// few milliseconds, each a task of its own, and pauses while a request runs, so a request
// never waits long. Pool.warmUp() runs what is left at once. Only throwaway graphs on the
// direct path are used: no cache is read or written.
import { coalescent } from '../models/coalescent.js';
import { rabbits } from '../models/rabbits.js';
import { PointLikelihood } from '../likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints } from '../likelihood/observations.js';

/** The steps (each a few milliseconds). */
const STEPS: (() => void)[] = [];
for (let round = 0; round < 3; round++) {
  const theta = [1 + round / 8];
  STEPS.push(
    // n = 22 (1,003 states, 3,000 calls of the kernel's per-state functions over the three
    // rounds, against n = 16's 700): V8 optimises a wasm function after a budget of work in
    // it, and the first large build should find these optimised.
    () => { coalescent(22).expectation({ theta }); },
    () => { coalescent(16).pdf([0.25, 0.5, 1, 2, 4], { theta }); },
    () => { rabbits(12).moments(2, { theta: [1, 2, 4] }); },
    () => {
      const g = coalescent(12);
      const data = checkObservations({ times: [0.3, 0.9, 1.7, 3] }, g) as CheckedPoints;
      const likelihood = new PointLikelihood(g.structure(), data);
      likelihood.evaluate({ rows: 1, paramLength: 1, data: Float64Array.from(theta) }, true);
      likelihood.dispose();
    },
  );
}

/** A worker's warm-up: run in idle time (resume()), or all at once (finish()). */
export class WarmUp {
  private next = 0;
  private scheduled = false;

  /** `busy()`: whether a request is running (the warm-up then waits for resume()). */
  constructor(private readonly busy: () => boolean) {}

  /** Whether every step has run (or one failed: a warm-up that fails costs nothing but itself). */
  get done(): boolean {
    return this.next >= STEPS.length;
  }

  /** Goes on with the remaining steps in idle time, one task each. */
  resume(): void {
    if (this.scheduled || this.done) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      if (this.busy() || this.done) return;
      this.step();
      this.resume();
    }, 0);
  }

  /** Runs every remaining step now. */
  finish(): void {
    while (!this.done) this.step();
  }

  private step(): void {
    try {
      STEPS[this.next++]();
    } catch {
      this.next = STEPS.length;
    }
  }
}
