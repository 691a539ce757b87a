// A compiled evaluator whose batches run on a pool's workers: rows split across
// them, each worker keeping the evaluator by its content key. A worker that does
// not know the key yet gets the specification's bytes with its first part.
import type { BackendChoice, Backend, Evaluation, EvaluateOptions, Evaluator } from '../evaluate/evaluator.js';
import type { CheckedTarget } from '../evaluate/target.js';
import { checkThetaRows } from '../graph/arguments.js';
import type { Pool } from './pool.js';
import { PoolError } from './errors.js';

/** What the preparing worker answers: the evaluator's key, bytes and shape. */
export interface PreparedEvaluator {
  key: string;
  /** The specification's bytes (see evaluate/spec.ts). */
  spec: Uint8Array;
  backend: Backend;
  paramLength: number;
  outputs: number;
  target: CheckedTarget;
}

/** Arguments of the worker method `evaluateCompiled`. */
export interface EvaluateCompiledArgs {
  key: string;
  /** Sent to workers that do not hold the key yet. */
  spec?: Uint8Array;
  thetas: Float64Array;
  gradient: boolean;
  /** Per-call weights of the observation points (see EvaluateOptions.weights). */
  weights?: Float64Array;
}

/** Arguments of the worker method `prepareEvaluator`. */
export interface PrepareEvaluatorArgs {
  target: unknown;
  backend?: BackendChoice;
}

/** An {@link Evaluator} on a pool's workers (from {@link Pool.createEvaluator}). */
export class PoolEvaluator implements Evaluator {
  readonly key: string;
  readonly backend: Backend;
  readonly paramLength: number;
  readonly outputs: number;
  readonly target: CheckedTarget;
  private readonly spec: Uint8Array;

  /** @internal */
  constructor(private readonly pool: Pool, prepared: PreparedEvaluator) {
    ({ key: this.key, backend: this.backend, paramLength: this.paramLength, outputs: this.outputs, target: this.target, spec: this.spec } = prepared);
  }

  async evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const batch = checkThetaRows(this.paramLength, options.thetas);
    const { rows } = batch, p = this.paramLength, out = this.outputs, gradient = options.gradient === true;
    const values = new Float64Array(rows * out);
    const gradients = gradient ? new Float64Array(rows * out * p) : null;
    const onProgress = options.onProgress;
    await this.pool.inParts(rows, { signal: options.signal, onProgress: onProgress && ((pr) => onProgress({ done: pr.done, total: pr.total })) }, async (from, to, call) => {
      const args: EvaluateCompiledArgs = { key: this.key, thetas: batch.data.slice(from * p, to * p), gradient, weights: options.weights };
      type Part = { values: Float64Array; gradients: Float64Array | null };
      const run = (always: boolean) => this.pool.enqueue<Part>('evaluateCompiled', null, args, call, {
        // The bytes go only to a worker that does not hold the evaluator yet.
        attach: (slot) => (!always && slot.knows(this.key) ? args : { ...args, spec: this.spec }),
        onDone: (slot) => slot.learn(this.key),
      });
      // A worker that dropped the evaluator meanwhile says so: the part goes again, with the bytes.
      const part = await run(false).catch((e: unknown) => {
        if (e instanceof PoolError && e.code === 'UNKNOWN_EVALUATOR') return run(true);
        throw e;
      });
      values.set(part.values, from * out);
      if (gradients && part.gradients) gradients.set(part.gradients, from * out * p);
    });
    return { rows, outputs: out, paramLength: p, values, gradients };
  }

  /** Does nothing: the workers keep their evaluators by key, within a bound. */
  dispose(): void {}
}
