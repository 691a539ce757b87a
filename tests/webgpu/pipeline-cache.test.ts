// Layer 3, the pipeline cache: one compile however many ask at once, nothing
// compiled for a second evaluator of a structure, stored records prewarmed after
// a restart (and when a device starts), verified records, and the management API
// (cacheInfo, clearCache, export/import, vacuum) over the layer.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheInfo, clearCache, createEvaluator, exportCache, importCache, models, prewarm, ready, vacuum } from '../../src/index.js';
import { encodeArchive } from '../../src/cache/management/archive.js';
import {
  acquireGpu, configurePipelineCache, pipelineCache, PipelineCache, registerPipelineLayer, setGpuProvider,
} from '../../src/webgpu/index.js';
import { encodePipelineRecord, pipelineKey } from '../../src/webgpu/pipelines/pipeline-record.js';
import { onDeviceOrFallback, spread } from './support.js';

beforeAll(async () => {
  await ready();
  registerPipelineLayer();
});
afterEach(() => configurePipelineCache({ persistence: 'none' }));

const dir = () => mkdtemp(join(tmpdir(), 'phasekit-pipelines-'));
const request = (tag: string) => ({
  code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { x[g.x] = ${tag}; }`,
  entryPoint: 'main', layout: ['storage' as const],
});

describe('the pipeline cache (layer 3)', () => {
  it('concurrent requests for one pipeline compile it once and share it', async () => onDeviceOrFallback(async () => {
    const ctx = await acquireGpu();
    const cache = new PipelineCache({ persistence: 'none' });
    const pipelines = await Promise.all(Array.from({ length: 8 }, () => cache.pipeline(ctx, request('1.0'))));
    expect(new Set(pipelines).size).toBe(1);
    expect(await cache.info()).toMatchObject({ layer: 3, computed: 1, misses: 1, hits: 7 });
  }));

  it('a second evaluator of the same structure compiles nothing', async () => onDeviceOrFallback(async () => {
    configurePipelineCache({ persistence: 'none' });
    const target = { kind: 'loglik' as const, data: { times: [0.5, 1, 1.5] } };
    const thetas = spread([1], 4);
    await (await createEvaluator(models.coalescent(6), target, { backend: 'webgpu', cache: null })).evaluate({ thetas, gradient: true });
    const before = await pipelineCache().info();
    await (await createEvaluator(models.coalescent(6), target, { backend: 'webgpu', cache: null })).evaluate({ thetas, gradient: true });
    const after = await pipelineCache().info();
    expect(after.computed).toBe(before.computed);
    expect(after.hits).toBeGreaterThan(before.hits);
  }));

  it('after a restart the stored WGSL is prewarmed: the first request is a memory hit', async () => onDeviceOrFallback(async () => {
    const ctx = await acquireGpu();
    const root = await dir();
    const first = new PipelineCache({ persistence: 'file', root, sync: false });
    await first.pipeline(ctx, request('2.0'));
    await first.close(); // waits for the record, written in the background
    const restarted = new PipelineCache({ persistence: 'file', root, sync: false });
    expect(await restarted.prewarm(ctx)).toMatchObject({ warmed: 1, failed: 0 });
    await restarted.pipeline(ctx, request('2.0'));
    expect(await restarted.info()).toMatchObject({ computed: 1, prewarmed: 1, hits: 1, misses: 0 });
    await restarted.close();
  }));

  it('a device that starts prewarms the process-wide cache in the background', async () => onDeviceOrFallback(async () => {
    const root = await dir();
    configurePipelineCache({ persistence: 'file', root, sync: false });
    await pipelineCache().pipeline(await acquireGpu(), request('3.0'));
    await pipelineCache().flush();
    configurePipelineCache({ persistence: 'file', root, sync: false }); // a "reload": same store, empty memory
    setGpuProvider(null); // forget the device: the next use starts a new one
    await acquireGpu();
    expect(await pipelineCache().lastPrewarm).toMatchObject({ failed: 0 });
    expect((await pipelineCache().info()).prewarmed).toBeGreaterThanOrEqual(1);
  }));

  it('prewarm() compiles the stored pipelines too, and reports them beside the traces', async () => onDeviceOrFallback(async () => {
    const root = await dir();
    configurePipelineCache({ persistence: 'file', root, sync: false });
    await pipelineCache().pipeline(await acquireGpu(), request('7.0'));
    await pipelineCache().flush();
    configurePipelineCache({ persistence: 'file', root, sync: false });
    const result = await prewarm([]);
    expect(result.pipelines).toMatchObject({ warmed: 1, failed: 0 });
    expect(result).toMatchObject({ warmed: 0, failed: 0 });
  }));

  it('a stored record that does not hash to its key is dropped and counted corrupt, never compiled', async () => onDeviceOrFallback(async () => {
    const ctx = await acquireGpu();
    const cache = new PipelineCache({ persistence: 'file', root: await dir(), sync: false });
    const record = { ...request('4.0'), constants: {}, features: ctx.features, adapter: ctx.adapter };
    const key = await pipelineKey(encodePipelineRecord(record));
    await cache.cache.set(key, { ...record, code: record.code.replace('4.0', '5.0') });
    expect(await cache.prewarm(ctx)).toMatchObject({ warmed: 0, failed: 1 });
    expect(await cache.info()).toMatchObject({ computed: 0, corrupt: 1 });
    expect(await cache.cache.has(key)).toBe(false);
    await cache.close();
  }));

  it('is layer 3 of the management API: info, export/import (verified), clear and vacuum', async () => {
    configurePipelineCache({ persistence: 'file', root: await dir(), sync: false });
    const record = { ...request('6.0'), constants: {}, features: ['f'], adapter: 'test|adapter||' };
    const bytes = encodePipelineRecord(record), key = await pipelineKey(bytes);
    await pipelineCache().importRecords([{ key, value: bytes, storedAt: 1, accessedAt: 1, expiresAt: 0, size: bytes.byteLength, hits: 0 }]);
    expect((await cacheInfo()).pipelines).toMatchObject({ layer: 3, tiers: { file: { entries: 1 } } });
    const archive = await exportCache({ layer: 'pipelines' });
    await clearCache({ layer: 'pipelines' });
    expect((await cacheInfo()).pipelines!.tiers.file.entries).toBe(0);
    expect(await importCache(archive)).toBe(1);
    const forged = await encodeArchive([{ key: `pipelines:${key}`, value: encodePipelineRecord({ ...record, code: '/* other */' }), storedAt: 1, accessedAt: 1, expiresAt: 0, size: 10, hits: 0 }]);
    await expect(importCache(forged)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect((await vacuum({ layer: 'pipelines', maxBytes: 0 })).pipelines![0]).toMatchObject({ removed: 1 });
  });
});
