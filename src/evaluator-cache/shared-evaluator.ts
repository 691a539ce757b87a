// The face of a cached evaluator that every caller shares. When the cache evicts its entry,
// it gives its kernel (or device) memory back as soon as no evaluation runs, and builds itself
// again on its next use: callers may keep it as long as they like. Left to the garbage
// collector, which knows nothing of kernel memory, evicted evaluators grew the kernel by
// about 2 MB per structure without bound (random 5k-vertex graphs in a loop).
import { likelihoodMethodAt, type Backend, type Evaluation, type EvaluateOptions, type Evaluator } from '../evaluate/evaluator.js';
import type { CheckedTarget } from '../evaluate/target.js';

type LikelihoodMethod = 'adaptive' | 'uniformisation' | 'dense' | 'krylov' | null;

export class SharedEvaluator implements Evaluator {
  readonly backend: Backend;
  readonly key: string;
  readonly paramLength: number;
  readonly outputs: number;
  readonly target: CheckedTarget;
  private inner: Evaluator | null;
  private building: Promise<Evaluator> | null = null;
  private running = 0;
  private releaseWhenIdle = false;
  private lastReason: string | undefined;

  constructor(inner: Evaluator, private readonly rebuild: () => Promise<Evaluator>) {
    this.inner = inner;
    this.backend = inner.backend;
    this.key = inner.key;
    this.paramLength = inner.paramLength;
    this.outputs = inner.outputs;
    this.target = inner.target;
  }

  get backendReason(): string | undefined {
    return this.inner?.backendReason ?? this.lastReason;
  }

  /** Whether its memory is given back (until its next use). */
  get isReleased(): boolean {
    return this.inner === null;
  }

  evaluate(options?: EvaluateOptions): Promise<Evaluation> {
    return this.using((inner) => inner.evaluate(options));
  }

  [likelihoodMethodAt](theta: Float64Array): Promise<LikelihoodMethod> {
    return this.using(async (inner) => inner[likelihoodMethodAt]?.(theta) ?? null);
  }

  /** Gives its memory back now, or when the evaluations running now end; the next use builds it again. */
  release(): void {
    if (this.running > 0) {
      this.releaseWhenIdle = true;
      return;
    }
    this.releaseWhenIdle = false;
    this.lastReason = this.inner?.backendReason ?? this.lastReason;
    this.inner?.dispose();
    this.inner = null;
  }

  /** Does nothing: the cache owns it, and releases it when it evicts it. */
  dispose(): void {}

  private async using<T>(work: (inner: Evaluator) => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work(await this.live());
    } finally {
      if (--this.running === 0 && this.releaseWhenIdle) this.release();
    }
  }

  private live(): Promise<Evaluator> {
    if (this.inner) return Promise.resolve(this.inner);
    this.building ??= this.rebuild().then(
      (inner) => { this.inner = inner; this.building = null; return inner; },
      (error: unknown) => { this.building = null; throw error; },
    );
    return this.building;
  }
}
