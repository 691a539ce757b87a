// One WebGPU device per process (page, worker), made on first use: adapter,
// device with the adapter's largest buffer limits, the self-test, and, in the
// background, layer 3's prewarm of stored pipelines. A device that is lost is
// replaced once per loss by the evaluator that noticed (renewGpu); whoever
// asks after that gets the new one.
import { GpuError } from '../errors.js';
import { pipelineCache } from '../pipelines/default-pipeline-cache.js';
import type { PipelineTarget } from '../pipelines/pipeline-cache.js';
import { readBack, storageFrom, storageOf } from './buffers.js';
import { noAdapterHint, platformGpu, type GpuProvider } from './gpu-access.js';
import { judgeSelfTest, selfTestInput, selfTestRequest, SELF_TEST_CASES, SELF_TEST_OUTPUTS, type SelfTestResult } from './self-test.js';

/** The adapter, as reported. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe, WARP) or an adapter that says it is a fallback. */
  cpu: boolean;
}

/** A started device and what is known about it. */
export class GpuContext implements PipelineTarget {
  /** Why the device was lost, once it is. */
  lost: string | null = null;
  /** Errors no scope caught (validation, internal): a kernel that ran on them produced nothing usable. */
  uncaptured = 0;
  /** The last of those, in words. */
  lastError = '';
  /** Its limits that decide batch sizes. */
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number };
  readonly features: string[];
  readonly adapter: string;

  constructor(readonly device: GPUDevice, readonly adapterSummary: AdapterSummary, readonly selfTest: SelfTestResult, readonly generation: number) {
    const l = device.limits;
    this.limits = { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize, maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension };
    this.features = [...device.features].sort();
    const a = adapterSummary;
    this.adapter = [a.vendor, a.architecture, a.device, a.description].join('|');
    void device.lost.then((info) => { this.lost = info.message || String(info.reason); });
    // Dawn would print these and carry on with the dispatch skipped: count them instead, so a batch that met one fails.
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured++;
      this.lastError = (event as GPUUncapturedErrorEvent).error?.message ?? 'unknown error';
    });
  }
}

let provider: GpuProvider = platformGpu;
let current: Promise<GpuContext> | null = null;
let generation = 0;

function summarize(adapter: GPUAdapter): AdapterSummary {
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const s = (x: unknown) => (typeof x === 'string' ? x : '');
  const vendor = s(info?.vendor), architecture = s(info?.architecture), device = s(info?.device), description = s(info?.description);
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const cpu = fallback || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${architecture} ${description} ${device}`);
  return { vendor, architecture, device, description, cpu };
}

async function runSelfTest(context: Pick<GpuContext, 'device' | 'features' | 'adapter'>): Promise<SelfTestResult> {
  const { device } = context;
  const pipeline = await pipelineCache().pipeline(context, selfTestRequest());
  const input = storageFrom(device, selfTestInput(), 'self-test input');
  const bytes = 16 * SELF_TEST_OUTPUTS * SELF_TEST_CASES.length;
  const output = storageOf(device, bytes, 'self-test output');
  try {
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }] });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(SELF_TEST_CASES.length / 64));
    pass.end();
    device.queue.submit([encoder.finish()]);
    return judgeSelfTest(new Float32Array(await readBack(device, output, bytes)));
  } finally {
    input.destroy();
    output.destroy();
  }
}

async function start(): Promise<GpuContext> {
  const access = await provider();
  if ('reason' in access) throw new GpuError('NO_WEBGPU', `WebGPU is unavailable: ${access.reason}`);
  let adapter: GPUAdapter | null;
  try {
    adapter = await access.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new GpuError('NO_ADAPTER', `no WebGPU adapter: requestAdapter failed (${(e as Error).message})${noAdapterHint()}`);
  }
  if (!adapter) throw new GpuError('NO_ADAPTER', `no WebGPU adapter${noAdapterHint()}`);
  const summary = summarize(adapter);
  const a = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'phasekit',
      requiredLimits: { maxStorageBufferBindingSize: a.maxStorageBufferBindingSize, maxBufferSize: a.maxBufferSize },
    });
  } catch (e) {
    throw new GpuError('NO_DEVICE', `the WebGPU adapter (${summary.description || summary.architecture || summary.vendor}) gave no device: ${(e as Error).message}`);
  }
  const probe = { device, features: [...device.features].sort(), adapter: [summary.vendor, summary.architecture, summary.device, summary.description].join('|') };
  // Stored pipelines compile in the background while the self-test runs.
  void pipelineCache().prewarm(probe).catch(() => {});
  let selfTest: SelfTestResult;
  try {
    selfTest = await runSelfTest(probe);
  } catch (e) {
    device.destroy();
    throw new GpuError('SELF_TEST_FAILED', `the WebGPU device could not run its self-test: ${(e as Error).message}`);
  }
  if (!selfTest.f32) {
    device.destroy();
    throw new GpuError('SELF_TEST_FAILED', `the WebGPU device failed its self-test: ${selfTest.detail}`);
  }
  return new GpuContext(device, summary, selfTest, ++generation);
}

/** The process's device, started on first use; throws GpuError (with the reason) where there is none. */
export function acquireGpu(): Promise<GpuContext> {
  if (!current) {
    const started = start();
    current = started;
    // A failure is remembered (no retry storm), except that a later renewGpu may try again.
    started.catch(() => {});
  }
  return current;
}

/** A fresh device in place of `lost` (once: callers that lost the same device share the new one). */
export function renewGpu(lost: GpuContext): Promise<GpuContext> {
  const now = current;
  if (!now) return acquireGpu();
  return now.then(
    (ctx) => {
      if (ctx === lost || ctx.lost) {
        if (current === now) current = null;
        return acquireGpu();
      }
      return ctx;
    },
    () => {
      if (current === now) current = null;
      return acquireGpu();
    },
  );
}

/** Replaces where WebGPU comes from (tests: a fake without adapter); null restores the platform's. Forgets the current device. */
export function setGpuProvider(next: GpuProvider | null): void {
  provider = next ?? platformGpu;
  current = null;
}
