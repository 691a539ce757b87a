// Runs trace targets on the GPU (wgsl/tape.ts) for θ rows: the tape, then the
// replays, in batches sized to the device, each as dispatches of bounded work.
// Returns E[…] per row and output (moments of one reward vector, or expectations
// of several) with their θ-gradients, and marks rows whose result is not finite
// (an INV of a non-positive value, f32 overflow) for the caller's WASM.
import type { Structure } from '../../graph/structure.js';
import { kernel } from '../../kernel/module.js';
import type { Trace } from '../../trace/trace.js';
import type { GpuContext } from '../device/gpu-context.js';
import { storageFrom, storageOf } from '../device/buffers.js';
import { pipelineCache } from '../pipelines/default-pipeline-cache.js';
import { floatsPerValue, packValues, valueAt, type GpuPrecision } from '../wgsl/precision.js';
import { paramWords } from '../wgsl/common.js';
import { TAPE, TAPE_LAYOUT, tapeSource } from '../wgsl/tape.js';
import { allocateBatch, BatchTooLargeSignal, GpuRun } from './gpu-run.js';
import { batchRows, type BatchLimits, type GpuRowResults } from './batching.js';

/** What the replays compute: k moments of one reward vector, or the expectations of m reward vectors. */
export type ReplayTarget = { kind: 'moments'; k: number; rewards: Float64Array } | { kind: 'expectations'; m: number; rewards: Float64Array };

/** The tape's arrays as the kernel reads them: ops, then the commands' dst, src (−1 as 0xffffffff) and slots, then the scale slots. */
function tapeWords(trace: Trace): { words: Uint32Array; ops: number; commands: number; offDst: number; offSrc: number; offSlot: number; offScale: number } {
  const k = kernel(), ptr = trace.kernelPointer;
  const ops = k.pk_trace_nops(ptr), commands = k.pk_elim_ncmd(ptr), n = trace.vertexCount;
  const mem = new Uint32Array(k.memory.buffer);
  const words = new Uint32Array(4 * ops + 3 * commands + n);
  const take = (p: number, len: number, at: number) => words.set(mem.subarray(p >>> 2, (p >>> 2) + len), at);
  const offDst = 4 * ops, offSrc = offDst + commands, offSlot = offSrc + commands, offScale = offSlot + commands;
  take(k.pk_trace_ops(ptr), 4 * ops, 0);
  take(k.pk_elim_dst(ptr), commands, offDst);
  take(k.pk_elim_src(ptr), commands, offSrc); // −1 reads as 0xffffffff
  take(k.pk_trace_slots(ptr), commands, offSlot);
  take(k.pk_trace_scale_slots(ptr), n, offScale);
  return { words, ops, commands, offDst, offSrc, offSlot, offScale };
}

/** A structure's trace targets on one device. */
export class GpuTraceTargets {
  private readonly tape: ReturnType<typeof tapeWords>;
  private readonly p: number;
  private readonly n: number;
  private readonly ni: number;
  /** Reward vectors replayed side by side (expectations), or 1 (moments, in turn). */
  private readonly replays: number;
  /** Values per row. */
  readonly outputs: number;
  private statics: { idx: GPUBuffer; cf: GPUBuffer } | null = null;

  constructor(private readonly ctx: GpuContext, private readonly structure: Structure, trace: Trace, private readonly target: ReplayTarget, private readonly precision: GpuPrecision) {
    this.tape = tapeWords(trace);
    this.p = structure.paramLength;
    this.n = structure.vertexCount;
    this.ni = structure.col.length;
    this.replays = target.kind === 'moments' ? 1 : target.m;
    this.outputs = target.kind === 'moments' ? target.k : target.m;
  }

  /** Values (rows × outputs) and gradients (rows × outputs × paramLength) of θ rows. */
  async evaluate(thetas: Float64Array, rows: number, gradient: boolean, limits: BatchLimits, onRows: (done: number) => Promise<void>): Promise<GpuRowResults> {
    const { ctx, precision, p, n, tape } = this;
    const { device } = ctx;
    const out: GpuRowResults = { values: new Float64Array(rows * this.outputs), gradients: gradient ? new Float64Array(rows * this.outputs * p) : null, fallback: new Uint8Array(rows) };
    const D = 1 + (gradient ? p : 0);
    const code = tapeSource({ precision, paramLength: p, gradient, moments: this.target.kind === 'moments' });
    const [tapePipe, init, replay, finish] = await Promise.all(['tape', 'replay_init', 'replay', 'replay_out'].map((entryPoint) =>
      pipelineCache().pipeline(ctx, { code, entryPoint, layout: TAPE_LAYOUT })));
    const layout = pipelineCache().layoutFor(device, TAPE_LAYOUT).group;
    this.statics ??= this.uploadStatics();
    const fv = 4 * floatsPerValue(precision);
    const perRow = { vals: (1 + tape.ops) * D * fv, xs: this.replays * n * D * fv, res: this.outputs * D * fv, bat: p * fv };
    for (let start = 0; start < rows;) {
      const count = batchRows(ctx, perRow, rows - start, limits).count;
      const R = count;
      let buffers: GPUBuffer[];
      try {
        buffers = await allocateBatch(ctx, () => [
          storageFrom(device, packValues(thetas.subarray(start * p, (start + R) * p), precision), 'θ'),
          storageOf(device, perRow.vals * R, 'tape values'),
          storageOf(device, perRow.xs * R, 'replays'),
          storageOf(device, perRow.res * R, 'outputs'),
        ], (bs) => bs.forEach((b) => b.destroy()), limits.injectOutOfMemory);
      } catch (e) {
        if (e instanceof BatchTooLargeSignal && R > 1) { limits.maxRows = Math.max(1, R >> 1); continue; }
        throw e;
      }
      const [bat, vals, xs, res] = buffers;
      const run = new GpuRun(ctx, layout, [this.statics.idx, this.statics.cf, bat, vals, xs, res]);
      try {
        const params = (n0: number, n1: number, order: number, threads: number) => paramWords(TAPE, {
          rows: R, stride: R, ni: this.ni, n, n0, n1, order, replays: this.replays, offDst: tape.offDst, offSrc: tape.offSrc,
          offSlot: tape.offSlot, offScale: tape.offScale, offR: this.ni * (1 + p), wx: run.workgroupsX(threads),
        });
        const opsPer = Math.max(1, Math.floor(limits.dispatchWork / (R * D * 3)));
        for (let k0 = 0; k0 < tape.ops; k0 += opsPer) {
          run.dispatch(tapePipe, params(k0, Math.min(tape.ops, k0 + opsPer), 0, R), R);
          if (limits.onDispatch) await limits.onDispatch();
        }
        const threads = R * this.replays;
        const cmdsPer = Math.max(1, Math.floor(limits.dispatchWork / (threads * D * 2)));
        const orders = this.target.kind === 'moments' ? this.target.k : 1;
        for (let order = 0; order < orders; order++) {
          run.dispatch(init, params(0, 0, order, threads), threads);
          for (let c0 = 0; c0 < tape.commands; c0 += cmdsPer) run.dispatch(replay, params(c0, Math.min(tape.commands, c0 + cmdsPer), order, threads), threads);
          run.dispatch(finish, params(0, 0, order, threads), threads);
        }
        const data = await run.read(res, perRow.res * R);
        this.collect(data, start, R, D, gradient, out);
      } finally {
        run.dispose();
        buffers.forEach((b) => b.destroy());
      }
      start += R;
      await onRows(start);
    }
    return out;
  }

  /** Frees the device buffers. */
  dispose(): void {
    this.statics?.idx.destroy();
    this.statics?.cf.destroy();
    this.statics = null;
  }

  private uploadStatics(): { idx: GPUBuffer; cf: GPUBuffer } {
    const { structure: s, p, ni } = this;
    const row = 1 + p;
    const cf = new Float64Array(ni * row + this.target.rewards.length);
    for (let j = 0; j < ni; j++) {
      cf[j * row] = s.base[j];
      for (let i = 0; i < p; i++) cf[j * row + 1 + i] = s.coef[j * p + i];
    }
    cf.set(this.target.rewards, ni * row);
    return { idx: storageFrom(this.ctx.device, this.tape.words, 'tape'), cf: storageFrom(this.ctx.device, packValues(cf, this.precision), 'inputs and rewards') };
  }

  private collect(data: Float32Array, start: number, R: number, D: number, gradient: boolean, out: GpuRowResults): void {
    const { p, precision, outputs } = this;
    for (let i = 0; i < R; i++) {
      const r = start + i;
      let ok = true;
      for (let o = 0; o < outputs; o++) {
        const v = valueAt(data, (o * D) * R + i, precision);
        out.values[r * outputs + o] = v;
        ok &&= Number.isFinite(v);
        if (!gradient) continue;
        for (let j = 0; j < p; j++) {
          const g = valueAt(data, (o * D + 1 + j) * R + i, precision);
          out.gradients![(r * outputs + o) * p + j] = g;
          ok &&= Number.isFinite(g);
        }
      }
      if (!ok) out.fallback[r] = 1;
    }
  }
}
