// The one interface every evaluation backend implements: for a graph (its
// structure and parameterisation) and a target, map a batch of θ rows to the
// target's values and, when asked, their gradients with respect to θ. WASM
// (trace or direct elimination) implements it here; WebGPU next to it.
import type { CheckedTarget } from './target.js';

/** Where an evaluator computes. 'wasm': the trace, evaluated in WebAssembly; 'wasm-direct': a fresh elimination per θ; 'webgpu': compute shaders. */
export type Backend = 'wasm' | 'wasm-direct' | 'webgpu';

/** A backend, or 'auto' (WebGPU where it works and the batch is large enough to pay, else WASM). */
export type BackendChoice = Backend | 'auto';

/** The WebGPU backend's number type: 'f32', or 'df64' (double-single pairs, where the device's self-test passes). */
export type GpuPrecision = 'f32' | 'df64';

/** Progress of a long batch: θ rows done of the total. */
export type EvaluationProgress = (progress: { done: number; total: number }) => void;

/** Options of {@link Evaluator.evaluate}. */
export interface EvaluateOptions {
  /** θ rows, row-major: P rows × paramLength. Omit (or pass an empty array) when paramLength is 0: one row. */
  thetas?: Float64Array;
  /** Also compute ∂value/∂θ for every value. Default false. */
  gradient?: boolean;
  /** Stops a long batch between rows with AbortError. */
  signal?: AbortSignal;
  /** Rows done, reported at most every 50 ms. */
  onProgress?: EvaluationProgress;
  /**
   * Log-likelihoods of times or steps only: a weight per observation point for this call,
   * replacing the data's (`target.data.weights`, then `censoredWeights`); e.g. a mini-batch.
   * Points of weight 0 cost nothing.
   */
  weights?: Float64Array;
}

/** The values of a batch, row-major. */
export interface Evaluation {
  /** θ rows evaluated. */
  rows: number;
  /** Values per row (k moments, m expectations, or 1 log-likelihood). */
  outputs: number;
  /** Length of θ. */
  paramLength: number;
  /** rows × outputs values. */
  values: Float64Array;
  /** rows × outputs × paramLength: ∂values[r, j]/∂θ_i at [(r·outputs + j)·paramLength + i]; null unless asked for. */
  gradients: Float64Array | null;
}

/**
 * @internal How a WASM evaluator of times would compute the likelihood at one θ row:
 * 'adaptive' where adaptive uniformisation applies (far fewer steps than a GPU's plain
 * uniformisation), else 'uniformisation'; null for other targets. Backend 'auto' asks
 * before it sends a large batch to the GPU.
 */
export const likelihoodMethodAt = Symbol('phasekit.likelihoodMethodAt');

/** A compiled evaluator: a graph's parameterisation and a target, evaluated for any θ rows. */
export interface Evaluator {
  /** Where it computes. */
  readonly backend: Backend;
  /** Its content key (SHA-256 hex of the graph's structure and rates, the target and the backend): the layer-2 cache key. */
  readonly key: string;
  /** Length of θ. */
  readonly paramLength: number;
  /** Values per θ row. */
  readonly outputs: number;
  /** What it computes. */
  readonly target: CheckedTarget;
  /** Why it computes where it does (for 'auto': which backend its last batch ran on, and why). */
  readonly backendReason?: string;
  /** Evaluates a batch of θ rows. */
  evaluate(options?: EvaluateOptions): Promise<Evaluation>;
  /** Frees its kernel (or device) memory now; it is also freed by garbage collection. */
  dispose(): void;
  /** @internal See {@link likelihoodMethodAt}. */
  [likelihoodMethodAt]?(theta: Float64Array): 'adaptive' | 'uniformisation' | 'dense' | 'krylov' | null | Promise<'adaptive' | 'uniformisation' | 'dense' | 'krylov' | null>;
}
