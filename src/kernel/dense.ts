// Dense matrix products in the kernel (wasm-src/dense.c, vectorised): the squarings of
// the dense distributions and likelihood, and the observations' vectors carried through
// them as the rows of one matrix. The same sums, term by term, as the JavaScript loop
// below, which answers before the kernel is loaded.
import { f64View, kernelIfReady } from './module.js';
import { KernelWorkspace } from './workspace.js';

// One workspace for every product (each is synchronous). Rows go through in blocks of
// about BLOCK_BYTES, so it stays small however many rows a product has.
let space: KernelWorkspace | null = null;
const BLOCK_BYTES = 1 << 20;

/** out (r × n) += x (r × k) · y (k × n), all row-major; returns out. */
export function matmulAdd(x: Float64Array, y: Float64Array, r: number, k: number, n: number, out: Float64Array): Float64Array {
  const K = kernelIfReady();
  if (K === null) return matmulAddJs(x, y, r, k, n, out);
  const block = Math.max(1, Math.min(r, Math.floor(BLOCK_BYTES / (8 * Math.max(k, n, 1)))));
  space ??= new KernelWorkspace();
  const at = space.layout({ x: 8 * block * k, y: 8 * k * n, out: 8 * block * n });
  f64View(K, at.y, k * n).set(y.subarray(0, k * n));
  for (let r0 = 0; r0 < r; r0 += block) {
    const rows = Math.min(block, r - r0);
    f64View(K, at.x, rows * k).set(x.subarray(r0 * k, (r0 + rows) * k));
    const o = out.subarray(r0 * n, (r0 + rows) * n);
    f64View(K, at.out, rows * n).set(o);
    K.pk_matmul_add(rows, k, n, at.x, at.y, at.out);
    o.set(f64View(K, at.out, rows * n));
  }
  return out;
}

function matmulAddJs(x: Float64Array, y: Float64Array, r: number, k: number, n: number, out: Float64Array): Float64Array {
  for (let i = 0; i < r; i++)
    for (let q = 0; q < k; q++) {
      const a = x[i * k + q];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * y[q * n + j];
    }
  return out;
}
