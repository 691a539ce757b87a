// The WASM kernel timed without the TypeScript wrapper: inputs copied in once,
// then pk_eliminate + three pk_solve replays, exactly what the native driver
// times. The gap between this and the wrapped path is marshalling and
// allocation in TS; the gap between this and native is the wasm code itself.
import type { Csr } from '../../src/index.js';
import type { StepMatrix } from '../../src/distributions/stepper.js';
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
 * Median ms of pk_step_distribution over `steps` plain uniformisation steps in wasm, on the
 * library's own stepping matrix (stepMatrix of the graph's CSR at λ = the largest exit
 * rate), which bench/native/driver.c reads from the step file and steps too: the same C on
 * the same data. Answers the steps done as well (both sides stop at the same step).
 */
export function timeKernelSteps(m: StepMatrix, steps: number, stopMass: number, reps: number): { ms: number; minMs: number; stepsDone: number } {
  const k = kernel();
  const n = Math.max(1, m.count);
  const one = <T extends Int32Array | Float64Array>(a: T): T => (a.length ? a : (new (a.constructor as new (n: number) => T)(1)));
  const ptrs = [copyIn(k, m.inPtr), copyIn(k, one(m.src)), copyIn(k, one(m.p)), copyIn(k, one(m.stay)), copyIn(k, one(m.exit)),
    allocate(k, 8 * n), allocate(k, 8 * n), allocate(k, 8 * (steps + 1)), allocate(k, 8 * (steps + 1))];
  const [rp, src, p, stay, exit, v, tmp, a, b] = ptrs;
  // The kernel's own layout of the rows, as the library's Stepper and the native driver lay them out.
  const layout = k.pk_steps_create(m.count, rp, src, p, -1);
  // The start vector is copied in outside the timed call, as the driver's memcpy is.
  const start = () => new Float64Array(k.memory.buffer, v, m.count).set(m.alpha);
  try {
    let stepsDone = 0;
    start();
    const { ms, minMs } = timeMedian(() => (stepsDone = k.pk_step_distribution(layout, stay, exit, v, tmp, steps, a, b, stopMass)),
      reps, reps > 1 ? 1 : 0, start);
    return { ms, minMs, stepsDone };
  } finally {
    k.pk_steps_free(layout);
    for (const ptr of ptrs) k.pk_free(ptr);
  }
}
