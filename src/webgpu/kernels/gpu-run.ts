// One batch's work on the device: its buffers bound once, then dispatches, each
// with its own parameter words (written just before its submit, so the queue
// orders them), over as many threads as the batch has — in two dimensions when
// one row of workgroups would pass the device's limit.
import { GpuError } from '../errors.js';
import { readBack, uniformOf } from '../device/buffers.js';
import type { GpuContext } from '../device/gpu-context.js';
import { WORKGROUP_SIZE } from '../wgsl/common.js';

/** The device was lost while this batch ran: nothing it produced may be used. */
export class DeviceLostSignal extends Error {
  constructor(readonly reason: string) { super(`the WebGPU device was lost: ${reason}`); }
}

/** The batch's buffers did not fit in device memory: try fewer particles. */
export class BatchTooLargeSignal extends Error {}

/** Allocates a batch's buffers inside an out-of-memory error scope: BatchTooLargeSignal if the device refuses. */
export async function allocateBatch<B>(ctx: GpuContext, make: () => B, release: (b: B) => void, fault?: () => boolean): Promise<B> {
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  let made: B | undefined;
  let thrown: unknown;
  try {
    made = make();
  } catch (e) {
    thrown = e;
  }
  const error = await device.popErrorScope();
  if (error || thrown || fault?.()) {
    if (made !== undefined) release(made);
    if (ctx.lost) throw new DeviceLostSignal(ctx.lost);
    if (thrown && !(error || fault?.())) throw thrown;
    throw new BatchTooLargeSignal(error?.message ?? (thrown as Error | undefined)?.message ?? 'injected out-of-memory');
  }
  return made!;
}

/** A batch's bind group and parameter buffer; dispatch() encodes and submits one kernel call. */
export class GpuRun {
  private readonly params: GPUBuffer;
  private readonly group: GPUBindGroup;
  private readonly errorsBefore: number;

  constructor(private readonly ctx: GpuContext, layout: GPUBindGroupLayout, buffers: GPUBuffer[], paramBytes = 64) {
    const { device } = ctx;
    this.errorsBefore = ctx.uncaptured;
    this.params = uniformOf(device, paramBytes, 'params');
    this.group = device.createBindGroup({
      layout,
      entries: [this.params, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  /** Workgroups in x for `threads` threads (the rest go to y): parameter `wx` of the kernels. */
  workgroupsX(threads: number): number {
    return Math.max(1, Math.min(Math.ceil(threads / WORKGROUP_SIZE), this.ctx.limits.maxComputeWorkgroupsPerDimension));
  }

  /** Runs `pipeline` over `threads` threads with these parameter words. */
  dispatch(pipeline: GPUComputePipeline, params: Uint32Array<ArrayBuffer>, threads: number): void {
    this.check();
    const { device } = this.ctx;
    device.queue.writeBuffer(this.params, 0, params);
    const groups = Math.ceil(threads / WORKGROUP_SIZE);
    const wx = this.workgroupsX(threads), wy = Math.ceil(groups / wx);
    if (wy > this.ctx.limits.maxComputeWorkgroupsPerDimension) throw new GpuError('UNSUPPORTED', `${threads} threads exceed the device's dispatch size`);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.group);
    pass.dispatchWorkgroups(wx, wy);
    pass.end();
    device.queue.submit([encoder.finish()]);
  }

  /** Waits for the submitted work (so an abort or progress report lands between dispatches). */
  async settle(): Promise<void> {
    await this.ctx.device.queue.onSubmittedWorkDone();
    this.check();
  }

  /** The first `bytes` of `buffer`, after everything submitted; DeviceLostSignal if the device went away meanwhile. */
  async read(buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
    this.check();
    let data: ArrayBuffer;
    try {
      data = await readBack(this.ctx.device, buffer, bytes);
    } catch (e) {
      if (this.ctx.lost) throw new DeviceLostSignal(this.ctx.lost);
      throw e;
    }
    this.check();
    return new Float32Array(data);
  }

  dispose(): void {
    this.params.destroy();
  }

  private check(): void {
    if (this.ctx.lost) throw new DeviceLostSignal(this.ctx.lost);
    if (this.ctx.uncaptured !== this.errorsBefore) throw new GpuError('KERNEL_FAILED', `a WebGPU kernel failed on ${this.ctx.adapter}: ${this.ctx.lastError}`);
  }
}
