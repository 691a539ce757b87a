// The WebGPU backend in Chromium (--enable-unsafe-webgpu; SwiftShader on machines
// without a GPU): results agree with WASM f64, a module worker computes too, the
// device lost mid-batch is survived, and after a reload the pipelines stored in
// IndexedDB are prewarmed so the first evaluation compiles nothing.
import { test, expect, type Page } from '@playwright/test';

type Status = { available: boolean; reason: string; selfTest?: { df64: boolean } };
type Comparison = { backend: string; reason: string; logLikError: number; gradientError: number };
type Pipelines = { computed: number; prewarmed: number; hits: number; misses: number; stored: number };
const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([name, a]) => (window as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[name as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

async function open(page: Page): Promise<Status> {
  await page.goto('e2e/webgpu/index.html');
  await page.waitForFunction(() => (window as unknown as { fixtureReady?: boolean }).fixtureReady === true);
  const status = await call<Status>(page, 'gpuInfo');
  // Chromium here is started with --enable-unsafe-webgpu (playwright.config.ts): an adapter is expected.
  expect(status.available, status.reason).toBe(true);
  return status;
}

test('f32 and df64 agree with WASM f64 (coalescent n = 8, 200 times, 16 particles)', async ({ page }) => {
  const status = await open(page);
  const f32 = await call<Comparison>(page, 'compare', 8, 16, 200, 'webgpu', 'f32');
  expect(f32.backend).toBe('webgpu');
  expect(f32.logLikError).toBeLessThan(1e-4);
  expect(f32.gradientError).toBeLessThan(1e-4);
  if (!status.selfTest!.df64) return test.info().annotations.push({ type: 'df64', description: 'refused by the self-test here' });
  const df64 = await call<Comparison>(page, 'compare', 8, 16, 200, 'webgpu', 'df64');
  expect(df64.logLikError).toBeLessThan(1e-9);
  expect(df64.gradientError).toBeLessThan(1e-9);
});

test('an Erlang (every stage at one rate) at early and late times: log L and its gradient against the closed form', async ({ page }) => {
  const status = await open(page);
  type Erlang = { backend: string; logLikError: number; gradientError: number };
  for (const [k, times] of [[12, [0.3, 1, 4, 7, 12, 30]], [120, [1, 30, 120, 400]]] as const) {
    for (const precision of status.selfTest!.df64 ? ['f32', 'df64'] as const : ['f32'] as const) {
      const r = await call<Erlang>(page, 'erlang', k, times, precision);
      const tolerance = precision === 'f32' ? 1e-4 : 1e-9;
      expect(r.logLikError, `Erlang ${k}, ${precision}`).toBeLessThan(tolerance);
      expect(r.gradientError, `Erlang ${k}, ${precision}`).toBeLessThan(tolerance);
    }
  }
});

test('a module worker evaluates on WebGPU too', async ({ page }) => {
  await open(page);
  const r = await call<{ ok: boolean; result?: Comparison; error?: string }>(page, 'inWorker', 6, 8, 50, 'f32');
  expect(r.error).toBeUndefined();
  expect(r.result!.backend).toBe('webgpu');
  expect(r.result!.logLikError).toBeLessThan(1e-4);
});

test('a device destroyed mid-batch is recreated and the batch recomputed', async ({ page }) => {
  await open(page);
  const r = await call<{ lastRun: { gpuRows: number; wasmRows: number; deviceRenewals: number }; error: number }>(page, 'deviceLoss', 2);
  expect(r.lastRun).toEqual({ gpuRows: 6, wasmRows: 0, deviceRenewals: 1 });
  expect(r.error).toBeLessThan(1e-4);
});

test('after a reload the stored pipelines are prewarmed: the first evaluation compiles nothing', async ({ page }) => {
  await open(page);
  await call(page, 'firstEvaluationMs', 5);
  const first = await call<Pipelines>(page, 'pipelines');
  expect(first.stored).toBeGreaterThanOrEqual(4); // the self-test's and the likelihood's three entry points
  await page.reload();
  await open(page);
  // The device's start compiles every stored record (the self-test may ask for its own first: then it is live already).
  const warmed = await call<Pipelines & { result: { warmed: number; skipped: number; failed: number } }>(page, 'prewarmed');
  expect(warmed.result.warmed + warmed.result.skipped).toBe(first.stored);
  expect(warmed.result).toMatchObject({ failed: 0 });
  expect(warmed.result.warmed).toBeGreaterThanOrEqual(first.stored - 1);
  const computedBefore = warmed.computed;
  await call(page, 'firstEvaluationMs', 5);
  const after = await call<Pipelines>(page, 'pipelines');
  expect(after.computed).toBe(computedBefore);
  expect(after.misses).toBe(warmed.misses);
  expect(after.hits).toBeGreaterThanOrEqual(warmed.hits + 3);
});
