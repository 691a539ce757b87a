// The measurement behind the tape kernel's design (docs/webgpu.md): the tape as
// WGSL generated per structure — straight-line code, every value an SSA `let`
// (the shader compiler allocates registers), the edge weights' coefficients
// folded in as constants, chunked into entry points of CHUNK ops with values
// that cross a chunk stored and reloaded — against the interpreter of
// src/webgpu/wgsl/tape.ts, which reads the tape from a storage buffer. Both
// compute every slot the replays read (multipliers and scale factors) with
// one θ-tangent (paramLength 1, f32). Measured: WGSL size, pipeline creation,
// and the run of P particles.
import { compile, type Graph } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import type { GpuContext } from '../../src/webgpu/device/gpu-context.js';
import { storageFrom, storageOf } from '../../src/webgpu/device/buffers.js';
import { GpuRun } from '../../src/webgpu/kernels/gpu-run.js';
import { pipelineCache } from '../../src/webgpu/pipelines/default-pipeline-cache.js';
import { precisionPrelude } from '../../src/webgpu/wgsl/precision.js';
import { paramWords } from '../../src/webgpu/wgsl/common.js';
import { TAPE, TAPE_LAYOUT, tapeSource } from '../../src/webgpu/wgsl/tape.js';

/** Ops per generated module. */
export const CHUNK = 4096;

interface Tape { ni: number; ops: Uint32Array; nops: number; live: Int32Array; base: Float64Array; coef: Float64Array }

async function tapeOf(graph: Graph): Promise<Tape> {
  const s = graph.structure();
  const trace = (await compile(graph, { store: null })).trace;
  const k = kernel(), ptr = trace.kernelPointer, nops = k.pk_trace_nops(ptr), ncmd = k.pk_elim_ncmd(ptr), n = s.vertexCount;
  const mem = new Int32Array(k.memory.buffer);
  const ops = Uint32Array.from(mem.subarray(k.pk_trace_ops(ptr) >> 2, (k.pk_trace_ops(ptr) >> 2) + 4 * nops));
  const slots = [...mem.subarray(k.pk_trace_slots(ptr) >> 2, (k.pk_trace_slots(ptr) >> 2) + ncmd), ...mem.subarray(k.pk_trace_scale_slots(ptr) >> 2, (k.pk_trace_scale_slots(ptr) >> 2) + n)];
  return { ni: s.col.length, ops, nops, live: Int32Array.from(new Set(slots)).sort(), base: s.base, coef: s.coef };
}

const lit = (x: number) => { const s = Math.fround(x).toString(); return /[.e]/.test(s) ? s : `${s}.0`; };

/** The generated modules: module i (entry point `main`) runs ops [i·CHUNK, (i+1)·CHUNK). Values live across chunks go through `spill`. */
export function generatedTape(t: Tape): { modules: string[]; chunks: number; spilled: number; bytes: number } {
  const { ni, ops, nops } = t;
  const chunkOf = (slot: number) => Math.floor((slot - ni - 1) / CHUNK);
  // Slots read in a later chunk than the one that writes them, and the replays' slots: stored.
  const stored = new Set<number>(Array.from(t.live).filter((s) => s > ni));
  for (let k = 0; k < nops; k++) for (let q = 1; q <= (ops[4 * k] === 3 ? 3 : ops[4 * k] === 4 ? 1 : 2); q++) {
    const s = ops[4 * k + q];
    if (s > ni && chunkOf(s) < Math.floor(k / CHUNK)) stored.add(s);
  }
  const index = new Map(Array.from(stored).sort((a, b) => a - b).map((s, i) => [s, i]));
  const chunks = Math.ceil(nops / CHUNK);
  const header = `${precisionPrelude('f32')}
struct Params { ${TAPE.params.map((f) => `${f}: u32`).join(', ')} }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> bat: array<f32>;
@group(0) @binding(2) var<storage, read_write> spill: array<f32>;
`;
  const modules: string[] = [];
  for (let c = 0; c < chunks; c++) {
    const body: string[] = [];
    const have = new Set<number>();
    const ref = (s: number): [string, string] => {
      if (s === ni) return ['0.0', '0.0'];
      if (s < ni) return [`(${lit(t.base[s])} + ${lit(t.coef[s])} * th)`, lit(t.coef[s])];
      if (!have.has(s)) {
        const i = index.get(s)!;
        body.push(`let v${s} = spill[${2 * i}u * prm.stride + pid]; let d${s} = spill[${2 * i + 1}u * prm.stride + pid];`);
        have.add(s);
      }
      return [`v${s}`, `d${s}`];
    };
    for (let k = c * CHUNK; k < Math.min(nops, (c + 1) * CHUNK); k++) {
      const out = ni + 1 + k, [op, a, b, cc] = ops.subarray(4 * k, 4 * k + 4);
      const [va, da] = ref(a);
      if (op === 1) { const [vb, db] = ref(b); body.push(`let v${out} = ${va} + ${vb}; let d${out} = ${da} + ${db};`); }
      else if (op === 2) { const [vb, db] = ref(b); body.push(`let v${out} = ${va} * ${vb}; let d${out} = ${da} * ${vb} + ${va} * ${db};`); }
      else if (op === 3) { const [vb, db] = ref(b), [vc, dc] = ref(cc); body.push(`let v${out} = ${va} + ${vb} * ${vc}; let d${out} = ${da} + ${db} * ${vc} + ${vb} * ${dc};`); }
      else body.push(`let v${out} = 1.0 / ${va}; let d${out} = -${da} * v${out} * v${out};`);
      have.add(out);
      const i = index.get(out);
      if (i !== undefined) body.push(`spill[${2 * i}u * prm.stride + pid] = v${out}; spill[${2 * i + 1}u * prm.stride + pid] = d${out};`);
    }
    modules.push(`${header}@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let pid = gid.x + gid.y * prm.wx * 64u;
  if (pid >= prm.rows) { return; }
  let th = bat[pid];
  ${body.join('\n  ')}
}`);
  }
  return { modules, chunks, spilled: stored.size, bytes: modules.reduce((n, m) => n + m.length, 0) };
}

/**
 * Milliseconds to create every pipeline, and to run P particles (median of `reps`), for both designs.
 * With `maxChunks`, only that many generated entry points are compiled (and the generated run is not measured).
 */
export async function compareTapeDesigns(ctx: GpuContext, graph: Graph, P: number, reps = 3, maxChunks = Infinity): Promise<Record<string, number>> {
  const t = await tapeOf(graph);
  const gen = generatedTape(t);
  const { device } = ctx;
  const cache = pipelineCache();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const theta = new Float32Array(P).fill(1).map((_, i) => 0.5 + i / P);

  // Generated: one module, `chunks` entry points, compiled in parallel.
  let t0 = performance.now();
  const layout = ['uniform', 'read-only-storage', 'storage'] as const;
  const compiled = Math.min(gen.chunks, maxChunks);
  const pipes = await Promise.all(gen.modules.slice(0, compiled).map((code) => cache.pipeline(ctx, { code, entryPoint: 'main', layout: [...layout] })));
  const genCompile = performance.now() - t0;
  const bat = storageFrom(device, theta, 'θ');
  const spill = storageOf(device, 2 * gen.spilled * P * 4, 'spill');
  const genRun = new GpuRun(ctx, cache.layoutFor(device, [...layout]).group, [bat, spill]);
  const genTimes: number[] = [];
  for (let r = 0; r < (compiled === gen.chunks ? reps + 1 : 0); r++) {
    t0 = performance.now();
    for (const p of pipes) genRun.dispatch(p, paramWords(TAPE, { rows: P, stride: P, ni: t.ni, wx: genRun.workgroupsX(P) }), P);
    await genRun.settle();
    if (r > 0) genTimes.push(performance.now() - t0);
  }
  genRun.dispose();
  spill.destroy();

  // Interpreted: the production kernel's `tape` entry point, the whole tape in dispatches of ≤ 2²² op·particle updates.
  t0 = performance.now();
  const code = tapeSource({ precision: 'f32', paramLength: 1, gradient: true, moments: false });
  const tapePipe = await cache.pipeline(ctx, { code, entryPoint: 'tape', layout: TAPE_LAYOUT });
  const interpCompile = performance.now() - t0;
  const cf = new Float32Array(2 * t.ni);
  for (let j = 0; j < t.ni; j++) { cf[2 * j] = t.base[j]; cf[2 * j + 1] = t.coef[j]; }
  const idx = storageFrom(device, Uint32Array.from(t.ops), 'tape'), cfb = storageFrom(device, cf, 'cf');
  const vals = storageOf(device, (1 + t.nops) * 2 * P * 4, 'vals'), xs = storageOf(device, 16, 'unused'), res = storageOf(device, 16, 'unused');
  const run = new GpuRun(ctx, cache.layoutFor(device, TAPE_LAYOUT).group, [idx, cfb, bat, vals, xs, res]);
  const per = Math.max(1, Math.floor((1 << 22) / (P * 6)));
  const times: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    t0 = performance.now();
    for (let k0 = 0; k0 < t.nops; k0 += per) run.dispatch(tapePipe, paramWords(TAPE, { rows: P, stride: P, ni: t.ni, n0: k0, n1: Math.min(t.nops, k0 + per), replays: 1, wx: run.workgroupsX(P) }), P);
    await run.settle();
    if (r > 0) times.push(performance.now() - t0);
  }
  run.dispose();
  [bat, idx, cfb, vals, xs, res].forEach((b) => b.destroy());
  return {
    ops: t.nops, wgslKiB: gen.bytes / 1024, chunks: gen.chunks, spilled: gen.spilled,
    generatedCompileMs: genCompile, generatedRunMs: genTimes.length ? median(genTimes) : NaN, compiledChunks: compiled, interpretedCompileMs: interpCompile, interpretedRunMs: median(times),
  };
}
