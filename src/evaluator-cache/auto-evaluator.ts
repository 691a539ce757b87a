// backend 'auto': one evaluator that computes each batch where it pays. Small
// batches go to WASM without touching WebGPU at all (no device is started, no
// module loaded); large ones go to the GPU when there is a real one (not a CPU
// implementation) whose self-test passed, else to WASM, and likelihoods of times
// whose chain takes adaptive uniformisation, or dense matrices past maxSteps, stay in
// WASM (the GPU steps plain uniformisation: λ_max·t steps where WASM needs one per
// level, or none). `backend` and
// `backendReason` say where the last batch ran and why.
import { likelihoodMethodAt, type Backend, type Evaluation, type EvaluateOptions, type Evaluator, type GpuPrecision } from '../evaluate/evaluator.js';
import type { CheckedTarget } from '../evaluate/target.js';

/** Rows 'auto' needs before it considers the GPU (see src/webgpu/status.ts, AUTO_MIN_ROWS). */
export const AUTO_GPU_MIN_ROWS = 256;

/** How the auto evaluator reaches the GPU evaluator of the same specification (made on first use, through layer 2). */
export type GpuEvaluatorSource = () => Promise<Evaluator>;

/** A WASM evaluator that hands large batches to a WebGPU one when that pays. */
export class AutoEvaluator implements Evaluator {
  private last: Backend = 'wasm';
  private reason = 'wasm: no batch evaluated yet (auto picks per batch)';
  private gpu: Promise<Evaluator> | null = null;
  /** How the likelihood is computed in WASM, probed at the first large batch's first row. */
  private method: 'adaptive' | 'uniformisation' | 'dense' | 'krylov' | null | undefined;

  constructor(private readonly wasm: Evaluator, private readonly gpuSource: GpuEvaluatorSource, private readonly options: { precision: GpuPrecision; minRows: number }) {}

  /** Where the last batch ran ('wasm' before the first). */
  get backend(): Backend { return this.last; }
  /** Why. */
  get backendReason(): string { return this.reason; }
  get key(): string { return this.wasm.key; }
  get paramLength(): number { return this.wasm.paramLength; }
  get outputs(): number { return this.wasm.outputs; }
  get target(): CheckedTarget { return this.wasm.target; }

  async evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const p = this.paramLength;
    const rows = p === 0 ? 1 : Math.floor((options.thetas?.length ?? 0) / p);
    let reason = `wasm: a batch of ${rows} θ row${rows === 1 ? '' : 's'} is below the ${this.options.minRows} that pay for a GPU`;
    if (rows >= this.options.minRows) {
      if (this.method === undefined) this.method = (await this.wasm[likelihoodMethodAt]?.((options.thetas ?? new Float64Array(0)).subarray(0, p))) ?? null;
      if (this.method === 'adaptive') reason = 'wasm: this chain takes adaptive uniformisation, a step per level, where a GPU would step plain uniformisation';
      else if (this.method === 'dense') reason = 'wasm: this chain needs more than maxSteps steps, and WASM computes it with dense matrices, where a GPU would step it';
      else if (this.method === 'krylov') reason = 'wasm: stepping this chain would be long or pass maxSteps, and WASM computes it by shift-and-invert Krylov, where a GPU would step it';
      else {
        const webgpu = await import('../webgpu/index.js');
        const choice = await webgpu.chooseBackend({ rows, paramLength: p, precision: this.options.precision, minRows: this.options.minRows });
        reason = choice.reason;
        if (choice.backend === 'webgpu') {
          try {
            const gpu = await (this.gpu ??= this.gpuSource());
            const result = await gpu.evaluate(options);
            this.reason = gpu.backendReason ?? choice.reason;
            this.last = this.reason.startsWith('wasm') ? 'wasm' : 'webgpu';
            return result;
          } catch (e) {
            if (!(e instanceof webgpu.GpuError)) throw e;
            this.gpu = null;
            reason = `wasm: ${e.message}`;
          }
        }
      }
    }
    const result = await this.wasm.evaluate(options);
    this.last = 'wasm';
    this.reason = reason;
    return result;
  }

  /** Does nothing: both evaluators belong to layer 2. */
  dispose(): void {}
}
