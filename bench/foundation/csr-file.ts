// The CSR graph file the native driver reads (bench/native/driver.c), and the
// uniformisation step count the TypeScript pdf path will use, so both sides
// step the same number of times.
import { writeFileSync } from 'node:fs';
import { UNIFORMIZATION_TAIL, type Csr } from '../../src/index.js';
import { poissonWindow } from '../../src/distributions/poisson.js';
import type { StepMatrix } from '../../src/distributions/stepper.js';

/** Writes n, m, rowPtr, col, weight (int32 / float64, little-endian). */
export function writeCsrFile(path: string, csr: Csr): void {
  const n = csr.vertexCount, m = csr.col.length;
  const buf = Buffer.alloc(8 + 4 * (n + 1) + 4 * m + 8 * m);
  buf.writeInt32LE(n, 0);
  buf.writeInt32LE(m, 4);
  let o = 8;
  for (let i = 0; i <= n; i++, o += 4) buf.writeInt32LE(csr.rowPtr[i], o);
  for (let j = 0; j < m; j++, o += 4) buf.writeInt32LE(csr.col[j], o);
  for (let j = 0; j < m; j++, o += 8) buf.writeDoubleLE(csr.weight[j], o);
  writeFileSync(path, buf);
}

/**
 * The stepping matrix the library steps (src/distributions/stepper.ts: transient vertices
 * only, incoming edges by target), for the native driver to step the same data:
 * int32 count, int32 nnz, int32 inPtr[count+1], int32 src[nnz], float64 p[nnz],
 * float64 stay[count], float64 exit[count], float64 alpha[count].
 */
export function writeStepFile(path: string, m: StepMatrix): void {
  const nnz = m.src.length;
  const buf = Buffer.alloc(8 + 4 * (m.count + 1) + 4 * nnz + 8 * nnz + 24 * m.count);
  buf.writeInt32LE(m.count, 0);
  buf.writeInt32LE(nnz, 4);
  let o = 8;
  for (const x of m.inPtr) { buf.writeInt32LE(x, o); o += 4; }
  for (const x of m.src) { buf.writeInt32LE(x, o); o += 4; }
  for (const a of [m.p, m.stay, m.exit, m.alpha]) for (const x of a) { buf.writeDoubleLE(x, o); o += 8; }
  writeFileSync(path, buf);
}

/** Steps, stop mass and λ of src/distributions/distribution.ts's continuous pdf at these times (mirrors its choice of λ and tails). */
export function uniformizationPlan(csr: Csr, times: number[]): { steps: number; stopMass: number; lambda: number } {
  const transient = (v: number) => v !== 0 && csr.rowPtr[v + 1] > csr.rowPtr[v];
  let lambda = 0, maxExit = 0;
  for (let v = 1; v < csr.vertexCount; v++) {
    if (!transient(v)) continue;
    lambda = Math.max(lambda, csr.exitRate[v]);
    let s = 0;
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) if (!transient(csr.col[j])) s += csr.weight[j];
    maxExit = Math.max(maxExit, s);
  }
  const stopMass = UNIFORMIZATION_TAIL / Math.max(1, maxExit);
  const steps = lambda === 0 ? 0 : Math.max(...times.map((t) => poissonWindow(lambda * t, stopMass).right));
  return { steps, stopMass, lambda: lambda === 0 ? 1 : lambda };
}
