// The WASM kernel timed without the TypeScript wrapper: inputs copied in once,
// then pk_eliminate + three pk_solve replays, exactly what the native driver
// times. The gap between this and the wrapped path is marshalling and
// allocation in TS; the gap between this and native is the wasm code itself.
import type { Csr } from '../../src/index.js';
import { allocate, copyIn, kernel } from '../../src/kernel/module.js';
import { timeMedian } from './timing.js';

/** Median ms of raw pk_eliminate + 3 moments in wasm, and of pk_eliminate alone. */
export function kernelOnly(csr: Csr, reps: number): { eliminateMomentsMs: number; eliminateMs: number; moments: number[] } {
  const k = kernel();
  const n = csr.vertexCount;
  const rp = copyIn(k, csr.rowPtr), col = copyIn(k, csr.col), w = copyIn(k, csr.weight);
  const err = allocate(k, 8), r = allocate(k, 8 * n), b = allocate(k, 8 * n), x = allocate(k, 8 * n);
  new Float64Array(k.memory.buffer, r, n).fill(1);
  const warm = reps > 1 ? 1 : 0;
  const both = timeMedian(() => {
    const e = k.pk_eliminate(n, rp, col, w, 0, err);
    if (e === 0) throw new Error(`pk_eliminate failed: ${new Int32Array(k.memory.buffer, err, 2).join(',')}`);
    const out: number[] = [];
    k.pk_solve(e, r, x);
    for (let j = 1; ; j++) {
      const mem = k.memory.buffer;
      const rv = new Float64Array(mem, r, n), bv = new Float64Array(mem, b, n), xv = new Float64Array(mem, x, n);
      out.push(xv[0]);
      if (j === 3) break;
      for (let v = 0; v < n; v++) bv[v] = (j + 1) * rv[v] * xv[v];
      k.pk_solve(e, b, x);
    }
    k.pk_elim_free(e);
    return out;
  }, reps, warm);
  const elim = timeMedian(() => k.pk_eliminate(n, rp, col, w, 0, err), reps, warm, (e) => k.pk_elim_free(e));
  k.pk_elim_free(elim.value);
  for (const p of [rp, col, w, err, r, b, x]) k.pk_free(p);
  return { eliminateMomentsMs: both.ms, eliminateMs: elim.ms, moments: both.value };
}

/**
 * Median ms of pk_step_distribution over `steps` plain uniformisation steps in wasm, with
 * exactly the inputs bench/native/driver.c builds (the graph's own CSR, λ = the largest
 * exit rate), so against the driver's stepsMs it compares the same C on the same data.
 */
export function timeKernelSteps(csr: Csr, steps: number, stopMass: number, reps: number): number {
  const k = kernel();
  const n = csr.vertexCount, m = csr.col.length;
  const transient = (u: number) => u !== 0 && csr.rowPtr[u + 1] > csr.rowPtr[u];
  let lambda = 0;
  for (let u = 1; u < n; u++) if (transient(u)) lambda = Math.max(lambda, csr.exitRate[u]);
  if (lambda === 0) lambda = 1;
  const p = new Float64Array(m + 1), stay = new Float64Array(n), exit = new Float64Array(n), v0 = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    if (u !== 0 && !transient(u)) continue;
    let total = 0;
    for (let j = csr.rowPtr[u]; j < csr.rowPtr[u + 1]; j++) {
      const c = csr.col[j];
      total += csr.weight[j];
      if (u === 0) { if (transient(c)) v0[c] += csr.weight[j]; continue; }
      if (transient(c)) p[j] = csr.weight[j] / lambda;
      else exit[u] += csr.weight[j];
    }
    if (u !== 0) stay[u] = 1 - total / lambda;
  }
  const ptrs = [copyIn(k, csr.rowPtr), copyIn(k, csr.col), copyIn(k, p), copyIn(k, stay), copyIn(k, exit), allocate(k, 8 * n), allocate(k, 8 * n), allocate(k, 8 * (steps + 1)), allocate(k, 8 * (steps + 1))];
  const [rp, col, pp, st, ex, v, tmp, a, b] = ptrs;
  try {
    return timeMedian(() => {
      new Float64Array(k.memory.buffer, v, n).set(v0);
      return k.pk_step_distribution(n, rp, col, pp, st, ex, v, tmp, steps, a, b, stopMass);
    }, reps, reps > 1 ? 1 : 0).ms;
  } finally {
    for (const ptr of ptrs) k.pk_free(ptr);
  }
}
