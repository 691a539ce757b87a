// `phasekit loglik --backend webgpu|auto` and layer 3 in `phasekit cache status`.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setGpuProvider } from '../../src/webgpu/index.js';
import { onDeviceOrFallback } from '../webgpu/support.js';
import { exponentialTheta, runCli } from './run-cli.js';

afterEach(() => setGpuProvider(null));

const files = { 'exp.json': exponentialTheta };
const args = ['loglik', 'exp.json', '--theta', '[[1], [2], [4]]', '--times', '[0.5, 1, 1.5]', '--no-cache'];

describe('phasekit loglik --backend', () => {
  it('webgpu without an adapter exits 3 with one line naming the reason', async () => {
    setGpuProvider(async () => ({ gpu: { requestAdapter: async () => null } as unknown as GPU }));
    const r = await runCli([...args, '--backend', 'webgpu'], files);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^phasekit: loglik: no WebGPU adapter.* \[NO_ADAPTER\]\n$/);
  });

  it('bin/phasekit.js with a Vulkan driver list that names nothing exits 3, its last stderr line naming the reason', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const graph = join(await mkdtemp(join(tmpdir(), 'phasekit-cli-webgpu-')), 'exp.json');
    await writeFile(graph, exponentialTheta);
    const run = spawnSync('node', ['bin/phasekit.js', 'loglik', graph, '--theta', '[1]', '--times', '[1]', '--backend', 'webgpu'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    // Dawn and the Vulkan loader print their own diagnostics first; phasekit's line is one line, and the last.
    const ours = run.stderr.trim().split('\n').filter((l) => l.startsWith('phasekit:'));
    expect(ours).toEqual([expect.stringMatching(/^phasekit: loglik: no WebGPU adapter \(VK_ICD_FILENAMES=\/nonexistent\/icd.json.*\[NO_ADAPTER\]$/)]);
  });

  it('auto without an adapter computes in WASM (exit 0)', async () => {
    setGpuProvider(async () => ({ reason: 'none in this test' }));
    const r = await runCli([...args, '--backend', 'auto'], files);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { loglik: number[] }).loglik).toHaveLength(3);
  });

  it('webgpu computes what wasm computes (f32 and df64)', async () => onDeviceOrFallback(async () => {
    const wasm = JSON.parse((await runCli([...args, '--backend', 'wasm'], files)).stdout) as { loglik: number[]; gradient: number[][] };
    for (const [precision, tol] of [['f32', 1e-5], ['df64', 1e-12]] as const) {
      const r = await runCli([...args, '--backend', 'webgpu', '--precision', precision], files);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const gpu = JSON.parse(r.stdout) as typeof wasm;
      gpu.loglik.forEach((ll, i) => expect(Math.abs(ll - wasm.loglik[i])).toBeLessThanOrEqual(tol * Math.abs(wasm.loglik[i])));
      gpu.gradient.forEach((g, i) => expect(Math.abs(g[0] - wasm.gradient[i][0])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(wasm.gradient[i][0]))));
    }
  }));
});

describe('phasekit cache status', () => {
  it('lists layer 3, the pipelines, with its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phasekit-cli-pipelines-'));
    const r = await runCli(['cache', 'status', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pipelines).toMatchObject({ layer: 3, dir: join(dir, 'pipelines'), entries: 0 });
  });
});
