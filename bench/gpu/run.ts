// npm run bench:gpu — the WebGPU backend against WASM, in one run (Node: Dawn;
// then Chromium through Playwright):
//   1. accuracy: f32 and df64 against WASM f64 on the same batches;
//   2. log L + gradient of 1,000 observed times for 1,024 and 16,384 particles,
//      coalescent n = 10 and 20: WebGPU vs WASM on one thread vs the WASM pool;
//   3. pipeline creation (layer 3): cold, memory hit, prewarmed after a "reload";
//   4. the tape kernel's design: WGSL generated per structure vs the interpreter;
//   5. the likelihood stepping only the rows the mass can have reached vs every row
//      (same bits);
//   6. Chromium.
// On a CPU adapter (SwiftShader) the GPU rows are timed on a subset of the
// particles and scaled (SwiftShader is a CPU: the numbers are as they are); WASM
// rows always are (its cost per particle is constant). BENCH_GPU_ROWS=N times N
// GPU rows; BENCH_GPU_FULL=1 times everything in full; BENCH_GPU_SECTIONS picks
// sections (accuracy,throughput,pipelines,tape,reach,browser; default all). Each table
// prints as soon as it is measured. No adapter: it says so and exits 0.
import { chooseVulkanDriver } from './driver.js';

const driver = chooseVulkanDriver();

const { availableParallelism, tmpdir } = await import('node:os');
const { mkdtemp } = await import('node:fs/promises');
const { join } = await import('node:path');
const { createEvaluator, gpuStatus, models, ready } = await import('../../src/index.js');
const { createPool } = await import('../../src/pool/index.js');
const webgpu = await import('../../src/webgpu/index.js');
const { uniformizationSource, UNIFORMIZATION_LAYOUT } = await import('../../src/webgpu/wgsl/uniformization.js');
const { tapeSource, TAPE_LAYOUT } = await import('../../src/webgpu/wgsl/tape.js');
const { compareTapeDesigns } = await import('./tape-codegen.js');
const { setGpuStepPrefix } = await import('../../src/webgpu/kernels/point-plan.js');
const { median, progress } = await import('../foundation/timing.js');
type Graph = import('../../src/index.js').Graph;
type Target = import('../../src/index.js').Target;

await ready();
webgpu.configurePipelineCache({ persistence: 'none' });
const status = await gpuStatus();
console.log(`WebGPU: ${status.reason} (driver: ${driver})`);
if (!status.available) {
  console.log('No WebGPU adapter: nothing to measure on the GPU.');
  process.exit(0);
}
const cpuAdapter = status.adapter!.cpu;
const df64 = status.selfTest!.df64;
console.log(`self-test: f32 ${status.selfTest!.f32 ? 'passes' : 'fails'}, df64 ${df64 ? `passes (largest error ${status.selfTest!.df64Error.toExponential(1)})` : `refused: ${status.selfTest!.detail}`}`);
const full = process.env.BENCH_GPU_FULL === '1';
const sections = new Set((process.env.BENCH_GPU_SECTIONS ?? 'accuracy,throughput,pipelines,tape,reach,browser').split(','));
const fmt = (x: number, digits = 3) => (x >= 100 ? x.toFixed(0) : x.toPrecision(digits));

/** θ rows around `theta` (factors 0.7 … 1.3). */
function particles(theta: number[], rows: number): Float64Array {
  const out = new Float64Array(rows * theta.length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < theta.length; i++) out[r * theta.length + i] = theta[i] * (0.7 + (0.6 * (r + 0.5)) / rows);
  return out;
}

// ---- 1. accuracy --------------------------------------------------------------
const accuracyRows: string[] = [];
const accuracyCases: { name: string; graph: Graph; theta: number[]; target: (g: Graph) => Target; rows: number }[] = [
  { name: 'coalescent n=10, 1,000 times', graph: models.coalescent(10), theta: [1], rows: 64, target: (g) => ({ kind: 'loglik', data: { times: g.sample(1000, { theta: [1], seed: 7 }) } }) },
  { name: 'coalescent n=20, 1,000 times', graph: models.coalescent(20), theta: [1], rows: cpuAdapter ? 8 : 256, target: (g) => ({ kind: 'loglik', data: { times: g.sample(1000, { theta: [1], seed: 7 }) } }) },
  { name: 'rabbits N=10, 1,000 times', graph: models.rabbits(10), theta: [1, 2, 4], rows: 32, target: (g) => ({ kind: 'loglik', data: { times: g.sample(1000, { theta: [1, 2, 4], seed: 7 }) } }) },
  { name: 'coalescent n=20, SFS counts', graph: models.coalescent(20), theta: [1], rows: 32, target: (g) => ({ kind: 'loglik', data: { counts: Array.from({ length: 19 }, (_, i) => Math.round(200 / (i + 1))), rewards: models.coalescentSfsRewards(g), scale: 5 } }) },
  { name: 'rabbits N=10, moments k=2', graph: models.rabbits(10), theta: [1, 2, 4], rows: 32, target: () => ({ kind: 'moments', k: 2 }) },
];
for (const c of sections.has('accuracy') ? accuracyCases : []) {
  progress(`accuracy: ${c.name}`);
  const thetas = particles(c.theta, c.rows), target = c.target(c.graph);
  const ref = await (await createEvaluator(c.graph, target, { backend: 'wasm', cache: null })).evaluate({ thetas, gradient: true });
  const errors: string[] = [];
  for (const precision of ['f32', 'df64'] as const) {
    if (precision === 'df64' && !df64) { errors.push('refused', 'refused'); continue; }
    const r = await (await createEvaluator(c.graph, target, { backend: 'webgpu', precision, cache: null })).evaluate({ thetas, gradient: true });
    const gScale = Math.max(...Array.from(ref.gradients!, Math.abs));
    let v = 0, g = 0;
    for (let i = 0; i < ref.values.length; i++) v = Math.max(v, Math.abs(r.values[i] - ref.values[i]) / Math.abs(ref.values[i]));
    for (let i = 0; i < ref.gradients!.length; i++) g = Math.max(g, Math.abs(r.gradients![i] - ref.gradients![i]) / gScale);
    errors.push(v.toExponential(1), g.toExponential(1));
  }
  accuracyRows.push(`| ${c.name} | ${c.rows} | ${errors.join(' | ')} |`);
}
if (accuracyRows.length) {
  console.log(`\n1. Accuracy against WASM f64 on the same batch: log L (or values) relative per row; gradients relative to the batch's largest entry`);
  console.log('| case | particles | f32 log L | f32 gradient | df64 log L | df64 gradient |');
  console.log('|---|--:|--:|--:|--:|--:|');
  accuracyRows.forEach((r) => console.log(r));
}

// ---- 2. throughput ------------------------------------------------------------
const cores = availableParallelism();
const pool = createPool({ size: cores });
const throughputRows: string[] = [];
for (const n of sections.has('throughput') ? [10, 20] : []) {
  const graph = models.coalescent(n);
  const target: Target = { kind: 'loglik', data: { times: graph.sample(1000, { theta: [1], seed: 7 }) } };
  const wasm = await createEvaluator(graph, target, { backend: 'wasm', cache: null });
  const pooled = await pool.createEvaluator(graph, target);
  const gpu = { f32: await createEvaluator(graph, target, { backend: 'webgpu', precision: 'f32', cache: null }), df64: df64 ? await createEvaluator(graph, target, { backend: 'webgpu', precision: 'df64', cache: null }) : null };
  // Per-particle milliseconds of `run` on `rows` rows (1 warm-up of a few rows first).
  const perRow = async (run: (thetas: Float64Array) => Promise<unknown>, rows: number, reps: number) => {
    await run(particles([1], Math.min(rows, 8)));
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const thetas = particles([1], rows);
      const t0 = performance.now();
      await run(thetas);
      times.push(performance.now() - t0);
    }
    return median(times) / rows;
  };
  for (const P of [1024, 16384]) {
    progress(`coalescent n=${n}, P=${P}`);
    const wasmRows = full ? P : Math.min(P, n === 10 ? 128 : 32);
    const poolRows = full ? P : Math.min(P, wasmRows * cores);
    const gpuRows = full ? P : Number(process.env.BENCH_GPU_ROWS ?? (cpuAdapter ? (n === 10 ? 256 : 32) : P));
    const one = await perRow((thetas) => wasm.evaluate({ thetas, gradient: true }), wasmRows, 1);
    const many = await perRow((thetas) => pooled.evaluate({ thetas, gradient: true }), poolRows, 1);
    const f32 = await perRow((thetas) => gpu.f32.evaluate({ thetas, gradient: true }), gpuRows, P >= 16384 || cpuAdapter ? 1 : 3);
    const d64 = gpu.df64 ? await perRow((thetas) => gpu.df64!.evaluate({ thetas, gradient: true }), gpuRows, 1) : NaN;
    const scaled = (rows: number) => (rows < P ? ` (${rows})` : '');
    throughputRows.push(`| n=${n} | ${P} | ${fmt(one * P)}${scaled(wasmRows)} | ${fmt(many * P)}${scaled(poolRows)} | ${fmt(f32 * P)}${scaled(gpuRows)} | ${Number.isNaN(d64) ? 'refused' : `${fmt(d64 * P)}${scaled(gpuRows)}`} | ${fmt(one / f32)}× | ${fmt(many / f32)}× | ${Number.isNaN(d64) ? '–' : `${fmt(many / d64)}×`} |`);
  }
}
await pool.close();
if (throughputRows.length) {
  console.log(`\n2. log L + gradient of 1,000 observed times: milliseconds per batch of P particles (in parentheses: rows timed, scaled to P); pool of ${cores} workers`);
  console.log('| coalescent | P | WASM 1 thread | WASM pool | WebGPU f32 | WebGPU df64 | f32 vs 1 thread | f32 vs pool | df64 vs pool |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  throughputRows.forEach((r) => console.log(r));
}

// ---- 3. pipeline creation -----------------------------------------------------
const storeRoot = await mkdtemp(join(tmpdir(), 'phasekit-bench-pipelines-'));
const requests = [
  ...['init', 'step', 'observe'].map((entryPoint) => ({ code: uniformizationSource({ precision: 'f32', paramLength: 1, gradient: true, censored: false, perObservation: false }), entryPoint, layout: UNIFORMIZATION_LAYOUT })),
  ...['tape', 'replay_init', 'replay', 'replay_out'].map((entryPoint) => ({ code: tapeSource({ precision: 'f32', paramLength: 1, gradient: true, moments: false }), entryPoint, layout: TAPE_LAYOUT })),
];
const all = async (cache: InstanceType<typeof webgpu.PipelineCache>, ctx: Awaited<ReturnType<typeof webgpu.acquireGpu>>) => {
  const t0 = performance.now();
  await Promise.all(requests.map((r) => cache.pipeline(ctx, r)));
  return performance.now() - t0;
};
const pipelineTimes = { cold: [] as number[], hit: [] as number[], prewarm: [] as number[], afterPrewarm: [] as number[] };
for (let rep = 0; rep < (sections.has('pipelines') ? 3 : 0); rep++) {
  progress(`pipeline creation, device ${rep + 1} of 3`);
  webgpu.setGpuProvider(null); // a new device: nothing compiled on it yet
  const ctx = await webgpu.acquireGpu();
  const first = new webgpu.PipelineCache({ persistence: 'file', root: join(storeRoot, String(rep)), sync: false });
  pipelineTimes.cold.push(await all(first, ctx));
  pipelineTimes.hit.push(await all(first, ctx));
  await first.close();
  webgpu.setGpuProvider(null); // "reload": a new device and an empty memory tier over the same store
  const ctx2 = await webgpu.acquireGpu();
  const reloaded = new webgpu.PipelineCache({ persistence: 'file', root: join(storeRoot, String(rep)), sync: false });
  const t0 = performance.now();
  await reloaded.prewarm(ctx2);
  pipelineTimes.prewarm.push(performance.now() - t0);
  pipelineTimes.afterPrewarm.push(await all(reloaded, ctx2));
  await reloaded.close();
}
if (pipelineTimes.cold.length) {
  console.log('\n3. Pipeline creation (the 7 pipelines of the likelihood and trace kernels, f32, one parameter): milliseconds, medians of 3 new devices');
  console.log('| cold (new device, empty cache) | memory hit | prewarm after reload (background) | requests after the prewarm |');
  console.log('|--:|--:|--:|--:|');
  console.log(`| ${fmt(median(pipelineTimes.cold))} | ${fmt(median(pipelineTimes.hit))} | ${fmt(median(pipelineTimes.prewarm))} | ${fmt(median(pipelineTimes.afterPrewarm))} |`);
}

// ---- 4. tape design -----------------------------------------------------------
const tapeRows: string[] = [];
if (sections.has('tape')) {
  const ctx = await webgpu.acquireGpu();
  for (const n of [10, 20]) {
    progress(`tape design, coalescent n=${n}`);
    const r = await compareTapeDesigns(ctx, models.coalescent(n), 1024);
    tapeRows.push(`| coalescent n=${n} | ${r.ops} | ${fmt(r.wgslKiB)} KiB, ${r.chunks} chunk${r.chunks > 1 ? 's' : ''} | ${fmt(r.generatedCompileMs)} | ${fmt(r.interpretedCompileMs)} | ${fmt(r.generatedRunMs)} | ${fmt(r.interpretedRunMs)} | ${fmt(r.interpretedRunMs / r.generatedRunMs)}× |`);
  }
  progress('tape design, coalescent n=30 (generated: the first chunk only)');
  const r = await compareTapeDesigns(ctx, models.coalescent(30), 256, 1, 1);
  tapeRows.push(`| coalescent n=30 | ${r.ops} | ${fmt(r.wgslKiB)} KiB, ${r.chunks} chunks | ≈ ${fmt(r.generatedCompileMs * r.chunks)} (1 chunk: ${fmt(r.generatedCompileMs)}, × ${r.chunks}) | ${fmt(r.interpretedCompileMs)} | not run | ${fmt(r.interpretedRunMs)} (P = 256) | – |`);
  console.log('\n4. The tape kernel: WGSL generated per structure (straight-line, SSA values, constants folded; a module per 4,096 ops) vs the interpreter (tape in a storage buffer): compile and run (values + one tangent, P = 1,024) in milliseconds');
  console.log('| model | tape ops | generated WGSL | generated: compile | interpreter: compile | generated: run | interpreter: run | interpreter ÷ generated, run |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  tapeRows.forEach((row) => console.log(row));
}

// ---- 5. reached rows ------------------------------------------------------------
if (sections.has('reach')) {
  const reachCases: { name: string; graph: Graph; theta: number[]; times: (g: Graph) => number[]; rows: number }[] = [
    { name: 'rabbits N=200, 100 times to t=4', graph: models.rabbits(200), theta: [1, 2, 4], times: () => Array.from({ length: 100 }, (_, i) => 0.04 * (i + 1)), rows: 8 },
    { name: 'rabbits N=60, 1,000 sampled times', graph: models.rabbits(60), theta: [1, 2, 4], times: (g) => Array.from(g.sample(1000, { theta: [1, 2, 4], seed: 7 })), rows: 16 },
    { name: 'coalescent n=20, 1,000 sampled times', graph: models.coalescent(20), theta: [1], times: (g) => Array.from(g.sample(1000, { theta: [1], seed: 7 })), rows: 16 },
  ];
  const reachRows: string[] = [];
  for (const c of reachCases) {
    progress(`reached rows: ${c.name}`);
    const evaluator = await createEvaluator(c.graph, { kind: 'loglik', data: { times: c.times(c.graph) } }, { backend: 'webgpu', precision: 'f32', cache: null });
    const thetas = particles(c.theta, c.rows);
    const ms: Record<'every' | 'reached', number[]> = { every: [], reached: [] };
    const answers: Record<'every' | 'reached', number[]> = { every: [], reached: [] };
    // Alternating, after one untimed round of each (pipelines compiled).
    for (let round = 0; round < 4; round++) {
      for (const which of ['every', 'reached'] as const) {
        setGpuStepPrefix(which === 'reached');
        const t0 = performance.now();
        const r = await evaluator.evaluate({ thetas, gradient: true });
        if (round > 0) ms[which].push(performance.now() - t0);
        answers[which] = [...r.values, ...r.gradients!];
      }
    }
    setGpuStepPrefix(true);
    const same = answers.every.length === answers.reached.length && answers.every.every((x, i) => Object.is(x, answers.reached[i]));
    reachRows.push(`| ${c.name} | ${c.rows} | ${fmt(median(ms.every))} | ${fmt(median(ms.reached))} | ${fmt(median(ms.reached) / median(ms.every), 2)}× | ${same ? 'yes' : 'NO'} |`);
  }
  console.log('\n5. The likelihood on the GPU (f32, log L + gradient): every row stepped vs only the rows the mass can have reached (milliseconds, medians of 3 alternating rounds)');
  console.log('| model, times | particles | every row | reached rows | reached ÷ every | same bits |');
  console.log('|---|--:|--:|--:|--:|---|');
  reachRows.forEach((row) => console.log(row));
}

if (sections.has('browser')) {
  progress('Chromium');
  const { browserRows } = await import('./browser.js');
  const b = await browserRows();
  console.log(`\n6. Chromium (${b.adapter}), --enable-unsafe-webgpu: coalescent n=10, ${b.rows} particles × 1,000 times, log L + gradient (ms); pipelines of a likelihood evaluator`);
  console.log('| WASM 1 thread | WebGPU f32 | f32 vs WASM | first evaluation, new profile (compiles) | first evaluation after reload (prewarmed) | f32 log L error | f32 gradient error |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|');
  console.log(`| ${fmt(b.wasmMs)} | ${fmt(b.gpuMs)} | ${fmt(b.wasmMs / b.gpuMs)}× | ${fmt(b.coldFirstMs)} | ${fmt(b.warmFirstMs)} | ${b.logLikError.toExponential(1)} | ${b.gradientError.toExponential(1)} |`);
}
process.exit(0);
