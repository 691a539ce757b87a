// Raw moments E[R^1..R^k] of a continuous graph after its elimination (or its trace evaluated
// at θ) with their gradients, read from no tape: the conditional moments (k solves), the k
// adjoint vectors every seed combines (k transposed solves), then one pass over the edges per
// seed (wasm-src/trace.c, pk_moments_gradient; the derivation is in docs/traces.md).
import { f64View, type KernelExports } from './module.js';

/** The structure in kernel memory the gradient pass reads: CSR and w = b + C·θ's coefficients. */
export interface KernelStructure {
  rowPtr: number;
  col: number;
  coef: number;
  paramLength: number;
}

/** Kernel memory the computation needs, to lay out beside the caller's own (KernelWorkspace.layout). */
export function momentGradientSizes(n: number, k: number, p: number): { X: number; b: number; out: number; mu: number; seed: number; lam: number; grad: number } {
  return { X: 8 * k * n, b: 8 * n, out: 8 * k, mu: 8 * k * n, seed: 8 * k, lam: 8 * k * n, grad: 8 * p };
}

/**
 * The moments of the reward at `r` (kernel memory) after the elimination `elim`, with the
 * gradient of Σ_j seed_j E[R^j] for each seed, in the memory `at` laid out from
 * {@link momentGradientSizes}. The moments have pk_moments' bits.
 */
export function momentGradients(K: KernelExports, elim: number, s: KernelStructure, r: number, seeds: ArrayLike<number>[],
  at: ReturnType<typeof momentGradientSizes>): { moments: Float64Array; gradients: Float64Array[] } {
  const k = seeds[0].length, p = s.paramLength;
  K.pk_moments_conditional(elim, r, k, at.X, at.b, at.out);
  K.pk_moments_adjoint_times(elim, r, k, at.mu);
  const moments = f64View(K, at.out, k).slice();
  const gradients = seeds.map((seed) => {
    f64View(K, at.seed, k).set(seed);
    K.pk_moments_gradient(elim, p, s.rowPtr, s.col, s.coef, k, at.X, at.mu, at.seed, at.lam, at.grad);
    return f64View(K, at.grad, p).slice();
  });
  return { moments, gradients };
}
