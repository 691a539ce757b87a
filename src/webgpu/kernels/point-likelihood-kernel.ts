// Runs the GPU likelihood of times or steps (wgsl/uniformization.ts) for θ rows:
// groups of rows sharing λ, each group in batches sized to the device's limits
// and memory, each batch as dispatches of bounded work. Returns log L and its
// gradient per row, summed over observations in f64 on the host, and marks the
// rows the GPU could not answer (an observation of probability 0 in f32/df64's
// range, a non-finite result, more steps than maxSteps) for the caller to
// compute in WASM.
import type { Structure } from '../../graph/structure.js';
import type { CheckedPoints } from '../../likelihood/observations.js';
import type { GpuContext } from '../device/gpu-context.js';
import { storageFrom, storageOf } from '../device/buffers.js';
import { pipelineCache } from '../pipelines/default-pipeline-cache.js';
import { floatsPerValue, packValues, valueAt, type GpuPrecision } from '../wgsl/precision.js';
import { paramBytes, paramWords } from '../wgsl/common.js';
import { OBSERVATION_BLOCK, UNIFORMIZATION, UNIFORMIZATION_LAYOUT, uniformizationSource } from '../wgsl/uniformization.js';
import { allocateBatch, BatchTooLargeSignal, GpuRun } from './gpu-run.js';
import { batchRows, type BatchLimits, type GpuRowResults } from './batching.js';
import { groupByRate, groupObservations, pointStructure, rowRates, stepBounds, type GroupObservations, type PointStructure } from './point-plan.js';

/** The likelihood of one structure and data set on one device. */
export class GpuPointLikelihood {
  private readonly ps: PointStructure;
  private readonly p: number;
  private readonly censored: boolean;
  private coefficients: GPUBuffer | null = null;

  constructor(private readonly ctx: GpuContext, private readonly structure: Structure, private readonly data: CheckedPoints, private readonly precision: GpuPrecision, private readonly maxSteps: number) {
    this.ps = pointStructure(structure);
    this.p = structure.paramLength;
    this.censored = data.censored.some((_, i) => data.censoredWeights[i] > 0);
  }

  /** log L (and ∂ log L/∂θ) of each θ row; rows in `fallback` are left for WASM. */
  async evaluate(thetas: Float64Array, rows: number, gradient: boolean, limits: BatchLimits, onRows: (done: number) => Promise<void>): Promise<GpuRowResults> {
    const p = this.p, out: GpuRowResults = { values: new Float64Array(rows), gradients: gradient ? new Float64Array(rows * p) : null, fallback: new Uint8Array(rows) };
    const discrete = this.structure.discrete;
    const lambdas = rowRates(this.ps, p, discrete, thetas, rows);
    const groups = groupByRate(lambdas);
    let done = 0;
    for (const group of groups) {
      const lambda = discrete ? 1 : group.reduce((top, r) => Math.max(top, lambdas[r]), -Infinity); // not a spread: groups may hold 100k+ rows
      const obs = groupObservations(this.data, discrete, lambda);
      if (obs.steps >= this.maxSteps) {
        for (const r of group) out.fallback[r] = 1;
      } else {
        await this.runGroup(group, lambda, obs, thetas, gradient, limits, out, async (n) => { done += n; await onRows(done); });
      }
    }
    return out;
  }

  /** Frees the device buffers. */
  dispose(): void {
    this.coefficients?.destroy();
    this.coefficients = null;
  }

  private async runGroup(group: number[], lambda: number, obs: GroupObservations, thetas: Float64Array, gradient: boolean, limits: BatchLimits, out: GpuRowResults, onRows: (n: number) => Promise<void>): Promise<void> {
    const { ctx, ps, p, precision } = this;
    const { device } = ctx;
    const D = 1 + (gradient ? p : 0), N = obs.steps, nobs = obs.multiplicity.length;
    const perObservation = precision === 'df64';
    const nblocks = Math.ceil(nobs / OBSERVATION_BLOCK);
    const shape = { precision, paramLength: p, gradient, censored: this.censored, perObservation };
    const code = uniformizationSource(shape);
    const [init, step, observe] = await Promise.all(['init', 'step', 'observe'].map((entryPoint) =>
      pipelineCache().pipeline(ctx, { code, entryPoint, layout: UNIFORMIZATION_LAYOUT })));
    const layout = pipelineCache().layoutFor(device, UNIFORMIZATION_LAYOUT).group;
    this.coefficients ??= storageFrom(device, packValues(ps.coefficients, precision), 'coefficients');
    const bounds = stepBounds(ps);
    const offB = ps.csr.length + obs.descriptors.length;
    const idx = new Uint32Array(offB + bounds.length);
    idx.set(ps.csr);
    idx.set(obs.descriptors, ps.csr.length);
    idx.set(bounds, offB);
    const idxBuffer = storageFrom(device, idx, 'structure and observations');
    const fv = 4 * floatsPerValue(precision);
    const aRecords = N + 2, bRecords = this.censored ? N + 1 : 0;
    const resultWords = perObservation ? nobs * D : nblocks * D + 1;
    const perRow = { st: 2 * ps.nt * D * fv, ab: (aRecords + bRecords) * D * fv, res: resultWords * fv, bat: p * fv };
    try {
      for (let start = 0; start < group.length;) {
        const rows = batchRows(ctx, perRow, group.length - start, limits);
        const batch = group.slice(start, start + rows.count);
        const done = await this.runBatch(batch, lambda, obs, thetas, gradient, limits, {
          layout, idxBuffer, pipelines: { init, step, observe }, D, N, nobs, nblocks, perObservation, aRecords, bRecords, resultWords, fv, offB, nB: bounds.length,
        }, out);
        if (!done) { limits.maxRows = Math.max(1, rows.count >> 1); continue; }
        start += batch.length;
        await onRows(batch.length);
      }
    } finally {
      idxBuffer.destroy();
    }
  }

  // One batch; false when the device had no memory for it (the caller halves the batch).
  private async runBatch(batch: number[], lambda: number, obs: GroupObservations, thetas: Float64Array, gradient: boolean, limits: BatchLimits,
    k: { layout: GPUBindGroupLayout; idxBuffer: GPUBuffer; pipelines: Record<'init' | 'step' | 'observe', GPUComputePipeline>; D: number; N: number; nobs: number; nblocks: number; perObservation: boolean; aRecords: number; bRecords: number; resultWords: number; fv: number; offB: number; nB: number },
    out: GpuRowResults): Promise<boolean> {
    const { ctx, ps, p, precision } = this;
    const { device } = ctx;
    const R = batch.length, { D, N, nobs, fv } = k;
    // bat: θ rows, 1/λ, multiplicities, window weights.
    const bat = new Float64Array(R * p + 1 + nobs + obs.windows.length);
    batch.forEach((r, i) => bat.set(thetas.subarray(r * p, (r + 1) * p), i * p));
    const offIl = R * p, offW = offIl + 1 + nobs;
    bat[offIl] = 1 / lambda;
    bat.set(obs.multiplicity, offIl + 1);
    bat.set(obs.windows, offW);
    let buffers: GPUBuffer[];
    try {
      buffers = await allocateBatch(ctx, () => [
        storageFrom(device, packValues(bat, precision), 'batch'),
        storageOf(device, 2 * ps.nt * D * R * fv, 'state'),
        storageOf(device, (k.aRecords + k.bRecords) * D * R * fv, 'a and b'),
        storageOf(device, k.resultWords * R * fv, 'results'),
      ], (bs) => bs.forEach((b) => b.destroy()), limits.injectOutOfMemory);
    } catch (e) {
      if (e instanceof BatchTooLargeSignal && R > 1) return false;
      throw e;
    }
    const [batBuffer, state, ab, res] = buffers;
    const run = new GpuRun(ctx, k.layout, [k.idxBuffer, this.coefficients!, batBuffer, state, ab, res], paramBytes(UNIFORMIZATION));
    try {
      const params = (n0: number, n1: number) => paramWords(UNIFORMIZATION, {
        rows: R, stride: R, nt: ps.nt, n0, n1, steps: N, offX: ps.offX, offS: ps.offS, offA: ps.offA,
        boff: k.aRecords * D * R, nobs, wx: run.workgroupsX(R), offObs: ps.csr.length, offW, offIl, offB: k.offB, nB: k.nB,
      });
      run.dispatch(k.pipelines.init, params(0, 0), R);
      const stepWork = Math.max(1, R * (ps.mt + 2 * ps.nt + 1) * D * (1 + p));
      const stepsPer = Math.max(1, Math.floor(limits.dispatchWork / stepWork));
      for (let n0 = 0; n0 <= N; n0 += stepsPer) {
        run.dispatch(k.pipelines.step, params(n0, Math.min(N + 1, n0 + stepsPer)), R);
        if (limits.onDispatch) await limits.onDispatch();
      }
      const width = Math.max(1, obs.windows.length / Math.max(1, nobs));
      const blocksPer = Math.max(1, Math.floor(limits.dispatchWork / (R * width * OBSERVATION_BLOCK * D)));
      for (let b0 = 0; b0 < k.nblocks; b0 += blocksPer) run.dispatch(k.pipelines.observe, params(b0, Math.min(k.nblocks, b0 + blocksPer)), R);
      const data = await run.read(res, k.resultWords * R * fv);
      this.collect(batch, data, k, gradient, obs, out);
    } finally {
      run.dispose();
      buffers.forEach((b) => b.destroy());
    }
    return true;
  }

  // Per row: log L and gradient in f64 from the kernel's block sums, or (df64) from each observation's f.
  private collect(batch: number[], data: Float32Array, k: { D: number; nobs: number; nblocks: number; perObservation: boolean }, gradient: boolean, obs: GroupObservations, out: GpuRowResults): void {
    const { precision, p } = this;
    const R = batch.length, { D } = k, np = gradient ? p : 0;
    const at = (word: number, row: number) => valueAt(data, word * R + row, precision);
    batch.forEach((r, i) => {
      let ll = 0, bad = false;
      const g = new Float64Array(np);
      if (k.perObservation) {
        for (let o = 0; o < k.nobs; o++) {
          const f = at(o * D, i), m = obs.multiplicity[o];
          if (!(f > 0)) { bad = true; break; }
          ll += m * Math.log(f);
          for (let j = 0; j < np; j++) g[j] += (m * at(o * D + 1 + j, i)) / f;
        }
      } else {
        if (at(k.nblocks * D, i) !== 0) bad = true;
        for (let b = 0; b < k.nblocks; b++) {
          ll += at(b * D, i);
          for (let j = 0; j < np; j++) g[j] += at(b * D + 1 + j, i);
        }
      }
      if (bad || !Number.isFinite(ll) || g.some((x) => !Number.isFinite(x))) { out.fallback[r] = 1; return; }
      out.values[r] = ll;
      if (out.gradients) out.gradients.set(g, r * p);
    });
  }
}
