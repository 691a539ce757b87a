// Moments without an elimination, on a graph whose edges all go to higher indices (the
// coalescent and other breadth-first models): pk_forward_moments computes, vertex by vertex
// from the last, exactly what eliminating and replaying would (the same bits), without
// writing the command list (coalescent n = 40: 433k commands, 7 MB).
import type { Csr } from '../graph/rates.js';
import { allocate, f64View, kernel } from './module.js';
import { KernelRates } from './rates-at.js';

/** E[R], …, E[R^k] for `rewards` on continuous rates in kernel memory; null where some edge goes back (eliminate instead). */
export function forwardMoments(csr: Csr, rewards: Float64Array, k: number): number[] | null {
  if (csr.discrete || !(csr instanceof KernelRates)) return null;
  const resident = csr.inKernel();
  if (!resident) return null;
  const kx = kernel(), n = csr.vertexCount;
  // Rewards (n), two work vectors (2n), the k moments.
  const block = allocate(kx, 8 * (3 * n + k));
  try {
    f64View(kx, block, n).set(rewards);
    const out = block + 24 * n;
    if (kx.pk_forward_moments(n, resident.rowPtr, resident.col, resident.w, block, k, block + 8 * n, out) !== 0) return null;
    return Array.from(f64View(kx, out, k));
  } finally {
    kx.pk_free(block);
  }
}
