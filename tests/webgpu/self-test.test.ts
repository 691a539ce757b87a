// The device's self-test decides whether df64 may run: it must catch a compiler
// that simplifies the error-free transforms away (fast-math), and pass where they
// survive (SwiftShader does, with the run-time guard of wgsl/precision.ts).
import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../../src/webgpu/index.js';
import { judgeSelfTest, SELF_TEST_CASES, SELF_TEST_OUTPUTS } from '../../src/webgpu/device/self-test.js';
import { readBack, storageFrom, storageOf } from '../../src/webgpu/device/buffers.js';
import { pipelineCache } from '../../src/webgpu/pipelines/default-pipeline-cache.js';
import { selfTestInput, selfTestRequest } from '../../src/webgpu/device/self-test.js';
import { onDeviceOrFallback } from './support.js';

/** The self-test kernel's raw output on this device. */
async function kernelOutput(): Promise<Float32Array> {
  const ctx = await acquireGpu();
  const pipeline = await pipelineCache().pipeline(ctx, selfTestRequest());
  const input = storageFrom(ctx.device, selfTestInput(), 'in'), bytes = 16 * SELF_TEST_OUTPUTS * SELF_TEST_CASES.length;
  const output = storageOf(ctx.device, bytes, 'out');
  const encoder = ctx.device.createCommandEncoder(), pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, ctx.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }] }));
  pass.dispatchWorkgroups(Math.ceil(SELF_TEST_CASES.length / 64));
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  return new Float32Array(await readBack(ctx.device, output, bytes));
}

describe('the device self-test', () => {
  it('passes df64 on this device, with its largest error measured below 2⁻⁴⁰', async () => onDeviceOrFallback(async () => {
    const ctx = await acquireGpu();
    expect(ctx.selfTest).toMatchObject({ f32: true, df64: true, detail: '' });
    expect(ctx.selfTest.df64Error).toBeLessThan(2 ** -40);
  }));

  it('refuses df64 when the error terms come back 0, as fast-math compilers make them', async () => onDeviceOrFallback(async () => {
    const out = await kernelOutput();
    // Reassociation turns quick-two-sum's b − (s − a) into 0: every low word of the df64 results is lost.
    for (let c = 0; c < SELF_TEST_CASES.length; c++) for (const word of [5, 7, 9, 11, 17, 19]) out[4 * SELF_TEST_OUTPUTS * c + word] = 0;
    const verdict = judgeSelfTest(out);
    expect(verdict.f32).toBe(true);
    expect(verdict.df64).toBe(false);
    expect(verdict.detail).toMatch(/df64 operations lose precision/);
  }));

  it('refuses df64 when two-sum or two-product lose their error term', async () => onDeviceOrFallback(async () => {
    const out = await kernelOutput();
    for (let c = 0; c < SELF_TEST_CASES.length; c++) { out[4 * SELF_TEST_OUTPUTS * c + 1] = 0; out[4 * SELF_TEST_OUTPUTS * c + 3] = 0; }
    expect(judgeSelfTest(out)).toMatchObject({ df64: false, detail: expect.stringMatching(/error-free transforms/) });
  }));

  it('a device whose f32 arithmetic is wrong fails outright', () => {
    expect(judgeSelfTest(new Float32Array(4 * SELF_TEST_OUTPUTS * SELF_TEST_CASES.length))).toMatchObject({ f32: false, df64: false });
  });
});
