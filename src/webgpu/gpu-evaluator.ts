// The WebGPU evaluator: the one Evaluator interface, computed in compute
// shaders for many θ rows at once (kernels/). What the GPU does not answer is
// computed by the WASM evaluator of the same specification, so every row's
// result is the f64 kernel's wherever the GPU cannot speak for it:
//   - a batch with an invalid θ row: WASM, which names the row and the problem;
//   - rows the GPU flags (probability 0 within f32's range, non-finite values,
//     more steps than maxSteps): those rows, one by one;
//   - discrete moments beyond the first (another recursion, in WASM only);
//   - the device lost mid-batch: a new device recomputes the whole batch once;
//     lost again, the whole batch goes to WASM. No result mixes two devices;
//   - out of device memory: smaller batches, down to one particle, then WASM.
import { GraphError, throwIfAborted } from '../errors/index.js';
import { checkThetaRows, thetaRow, type ThetaRows } from '../graph/arguments.js';
import { holdParameterisation, releaseParameterisation, type KernelParameterisation } from '../kernel/parameterisation.js';
import { KernelWorkspace } from '../kernel/workspace.js';
import { countTerms } from '../likelihood/counts.js';
import type { Trace } from '../trace/trace.js';
import type { Evaluation, EvaluateOptions, Evaluator, GpuPrecision } from '../evaluate/evaluator.js';
import type { EvaluatorSpec } from '../evaluate/spec.js';
import { needsElimination, outputCount, type CheckedTarget } from '../evaluate/target.js';
import { WasmEvaluator } from '../evaluate/wasm-evaluator.js';
import { acquireGpu, renewGpu, type GpuContext } from './device/gpu-context.js';
import { GpuError } from './errors.js';
import type { BatchLimits, GpuRowResults } from './kernels/batching.js';
import { BatchTooLargeSignal, DeviceLostSignal } from './kernels/gpu-run.js';
import { GpuPointLikelihood } from './kernels/point-likelihood-kernel.js';
import { GpuTraceTargets } from './kernels/trace-kernel.js';

/** Most parameters the GPU evaluates: forward-mode tangents cost (1 + paramLength)× (WASM's reverse mode does not grow with it). */
export const MAX_GPU_PARAMS = 16;

const PROGRESS_INTERVAL_MS = 50;

/** Options of {@link createGpuEvaluator}. */
export interface GpuEvaluatorOptions {
  /** Batch bounds and test hooks (see BatchLimits). Defaults: 512 MiB per batch, 2²² updates per dispatch. */
  limits?: Partial<BatchLimits>;
}

/** What one evaluation did, for callers who want to know (benchmarks, tests). */
export interface GpuRunReport {
  /** Rows computed on the GPU. */
  gpuRows: number;
  /** Rows computed in WASM (flagged rows, unsupported targets, a batch after two device losses). */
  wasmRows: number;
  /** Devices replaced during the evaluation (0 or 1). */
  deviceRenewals: number;
}

type Kernel = GpuPointLikelihood | GpuTraceTargets;

/** A compiled evaluator computing in WebGPU compute shaders (see the file comment). */
export class GpuEvaluator implements Evaluator {
  readonly backend = 'webgpu' as const;
  readonly paramLength: number;
  readonly outputs: number;
  readonly target: CheckedTarget;
  readonly precision: GpuPrecision;
  /** Why it computes where it does; updated when a batch had to go (partly) to WASM. */
  backendReason: string;
  /** What the last evaluate() did. */
  lastRun: GpuRunReport = { gpuRows: 0, wasmRows: 0, deviceRenewals: 0 };
  private kernel: Kernel | null = null;
  /** The device `kernel` was made for. */
  private kernelDevice: GpuContext | null = null;
  private wasm: WasmEvaluator | null = null;
  private readonly rates: KernelParameterisation;
  private readonly weights = new KernelWorkspace();
  private readonly limits: BatchLimits;

  /** @internal Use createGpuEvaluator() or createEvaluator({ backend: 'webgpu' }). */
  constructor(readonly spec: EvaluatorSpec, readonly key: string, private readonly trace: Trace | null, private ctx: GpuContext, options: GpuEvaluatorOptions = {}) {
    this.target = spec.target;
    this.paramLength = spec.structure.paramLength;
    this.outputs = outputCount(spec.target);
    this.precision = spec.precision ?? 'f32';
    this.rates = holdParameterisation(this, spec.structure);
    this.limits = { memoryBytes: 512 * 1024 * 1024, dispatchWork: 1 << 22, ...options.limits };
    this.backendReason = this.wasmOnly() ?? `webgpu (${this.precision}) on ${describe(ctx)}`;
  }

  async evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const batch = checkThetaRows(this.paramLength, options.thetas);
    const gradient = options.gradient === true;
    throwIfAborted(options.signal, 'the evaluation');
    this.lastRun = { gpuRows: 0, wasmRows: 0, deviceRenewals: 0 };
    this.backendReason = this.wasmOnly() ?? `webgpu (${this.precision}) on ${describe(this.ctx)}`;
    if (this.wasmOnly() || !this.ratesValid(batch)) return this.inWasm(options, batch.rows);
    if (this.ctx.lost) {
      // Lost since the last batch: a new device, or (none to be had) WASM for this batch.
      try {
        await this.renew();
      } catch (e) {
        this.backendReason = `wasm: the WebGPU device was lost (${this.ctx.lost}) and no new one could be made (${(e as Error).message})`;
        return this.inWasm(options, batch.rows);
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.onGpu(batch, gradient, options);
      } catch (e) {
        if (e instanceof BatchTooLargeSignal) {
          this.backendReason = `wasm: the WebGPU device has no memory even for one particle per batch (${e.message})`;
          return this.inWasm(options, batch.rows);
        }
        if (!(e instanceof DeviceLostSignal)) throw e;
        if (attempt === 0) {
          try {
            await this.renew();
            this.lastRun.deviceRenewals++;
            continue;
          } catch {
            // no new device: WASM below
          }
        }
        this.backendReason = `wasm: the WebGPU device was lost${attempt ? ' twice' : ''} during a batch (${e.reason}); the batch was computed in WASM`;
        return this.inWasm(options, batch.rows);
      }
    }
  }

  dispose(): void {
    this.kernel?.dispose();
    this.kernel = null;
    this.wasm?.dispose();
    this.weights.dispose();
    releaseParameterisation(this);
  }

  /** Why this evaluator computes in WASM whatever the batch, or null. */
  private wasmOnly(): string | null {
    const t = this.target;
    if (t.kind === 'moments' && this.spec.structure.discrete && t.k > 1) return 'wasm: discrete moments beyond the first follow a recursion the GPU backend does not run';
    return null;
  }

  // Every row's rates pass the graph format's checks (in the kernel); false sends the batch to WASM, which names the bad row.
  private ratesValid(batch: ThetaRows): boolean {
    const w = this.weights.layout({ w: 8 * Math.max(1, this.spec.structure.col.length) }).w;
    for (let r = 0; r < batch.rows; r++) if (!this.rates.ratesInto(thetaRow(batch, r), w)) return false;
    return true;
  }

  private async onGpu(batch: ThetaRows, gradient: boolean, options: EvaluateOptions): Promise<Evaluation> {
    const { rows } = batch, p = this.paramLength, out = this.outputs;
    const { signal, onProgress } = options;
    const kernel = this.kernelFor(this.ctx);
    let reported = performance.now();
    const limits: BatchLimits = {
      ...this.limits,
      onDispatch: async () => {
        throwIfAborted(signal, 'the evaluation');
        await this.limits.onDispatch?.();
      },
    };
    const onRows = async (done: number) => {
      const now = performance.now();
      if (onProgress && now - reported >= PROGRESS_INTERVAL_MS && done < rows) { onProgress({ done, total: rows }); reported = now; }
      throwIfAborted(signal, 'the evaluation');
    };
    const result = await kernel.evaluate(batch.data, rows, gradient, limits, onRows);
    const evaluation = await this.finish(result, batch, gradient);
    this.lastRun.gpuRows = rows - this.lastRun.wasmRows;
    onProgress?.({ done: rows, total: rows });
    return { rows, outputs: out, paramLength: p, ...evaluation };
  }

  // GPU rows as they are (counts: their log-likelihood, in f64 here); flagged rows from WASM, one by one.
  private async finish(res: GpuRowResults, batch: ThetaRows, gradient: boolean): Promise<{ values: Float64Array; gradients: Float64Array | null }> {
    const { rows } = batch, p = this.paramLength, t = this.target;
    let values = res.values, gradients = res.gradients;
    if (t.kind === 'loglik' && t.data.kind === 'counts') {
      const d = t.data, m = d.m;
      values = new Float64Array(rows);
      gradients = gradient ? new Float64Array(rows * p) : null;
      for (let r = 0; r < rows; r++) {
        if (res.fallback[r]) continue;
        const { logLik, adjoint } = countTerms(d, res.values.subarray(r * m, (r + 1) * m));
        values[r] = logLik;
        if (!gradients) continue;
        for (let j = 0; j < m; j++) for (let i = 0; i < p; i++) gradients[r * p + i] += adjoint[j] * res.gradients![(r * m + j) * p + i];
      }
    }
    const per = this.outputs;
    for (let r = 0; r < rows; r++) {
      if (!res.fallback[r]) continue;
      const one = await this.wasmRow(batch, r, gradient);
      values.set(one.values, r * per);
      if (gradients && one.gradients) gradients.set(one.gradients, r * per * p);
      this.lastRun.wasmRows++;
    }
    return { values, gradients };
  }

  // One row in WASM; its errors name the row as in the batch.
  private async wasmRow(batch: ThetaRows, r: number, gradient: boolean): Promise<Evaluation> {
    try {
      return await (await this.wasmEvaluator()).evaluate({ thetas: thetaRow(batch, r).slice(), gradient });
    } catch (e) {
      if (e instanceof GraphError && batch.rows > 1) throw new GraphError(e.code, `θ row ${r}: ${e.message}`, { vertex: e.vertex, edge: e.edge });
      throw e;
    }
  }

  private async inWasm(options: EvaluateOptions, rows: number): Promise<Evaluation> {
    const result = await (await this.wasmEvaluator()).evaluate(options);
    this.lastRun.wasmRows = rows;
    return result;
  }

  private async wasmEvaluator(): Promise<WasmEvaluator> {
    this.wasm ??= new WasmEvaluator({ ...this.spec, backend: 'wasm', precision: undefined }, this.key, this.trace);
    return this.wasm;
  }

  // The kernel of this device (a kernel of a replaced device is dropped: its buffers died with it).
  private kernelFor(ctx: GpuContext): Kernel {
    if (this.kernel && this.kernelDevice === ctx) return this.kernel;
    this.kernel?.dispose();
    this.kernelDevice = ctx;
    const t = this.target, s = this.spec.structure;
    if (t.kind === 'loglik' && t.data.kind !== 'counts') this.kernel = new GpuPointLikelihood(ctx, s, t.data, this.precision, t.limits.maxSteps);
    else {
      const replay = t.kind === 'moments' ? { kind: 'moments' as const, k: t.k, rewards: t.rewards }
        : t.kind === 'expectations' ? { kind: 'expectations' as const, m: t.m, rewards: t.rewards }
          : { kind: 'expectations' as const, m: t.data.kind === 'counts' ? t.data.m : 0, rewards: t.data.kind === 'counts' ? t.data.rewards : new Float64Array(0) };
      this.kernel = new GpuTraceTargets(ctx, s, this.trace!, replay, this.precision);
    }
    return this.kernel;
  }

  private async renew(): Promise<void> {
    this.ctx = await renewGpu(this.ctx);
    this.backendReason = this.wasmOnly() ?? `webgpu (${this.precision}) on ${describe(this.ctx)}`;
  }
}

/** The adapter in a few words. */
export function describe(ctx: GpuContext): string {
  const a = ctx.adapterSummary;
  return a.description || [a.vendor, a.architecture].filter(Boolean).join(' ') || 'an unnamed adapter';
}

/**
 * A WebGPU evaluator of a specification (backend 'webgpu'). Throws GpuError when there is
 * no usable device, when precision 'df64' is asked of a device whose self-test refused it,
 * or when the structure has more than {@link MAX_GPU_PARAMS} parameters.
 */
export async function createGpuEvaluator(spec: EvaluatorSpec, key: string, trace: Trace | null, options: GpuEvaluatorOptions = {}): Promise<GpuEvaluator> {
  if (spec.backend !== 'webgpu') throw new GraphError('BAD_ARGUMENT', `a WebGPU evaluator needs a 'webgpu' specification, got '${spec.backend}'`);
  const ctx = await acquireGpu();
  if (spec.precision === 'df64' && !ctx.selfTest.df64)
    throw new GpuError('SELF_TEST_FAILED', `df64 is not available on ${describe(ctx)}: its self-test failed (${ctx.selfTest.detail}); use precision 'f32', or backend 'wasm' for f64`);
  if (spec.structure.paramLength > MAX_GPU_PARAMS)
    throw new GpuError('UNSUPPORTED', `the WebGPU backend carries at most ${MAX_GPU_PARAMS} parameters (forward-mode gradients); this graph has ${spec.structure.paramLength}: use backend 'wasm'`);
  if (!trace && needsElimination(spec.target)) throw new GraphError('BAD_ARGUMENT', 'the WebGPU evaluator of a trace target needs the structure\'s trace');
  return new GpuEvaluator(spec, key, trace, ctx, options);
}
