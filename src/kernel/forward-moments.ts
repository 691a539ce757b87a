// Moments without an elimination, on a graph whose edges all go to higher indices (the
// coalescent and other breadth-first models): pk_forward_moments computes, vertex by vertex
// from the last, exactly what eliminating and replaying would (the same bits), without
// writing the command list (coalescent n = 40: 433k commands, 7 MB).
import type { Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import { isOutOfMemory } from '../errors/index.js';
import { allocate, f64View, kernel, kernelIfReady, LANES, putLanes, type KernelExports } from './module.js';
import { kernelParameterisation, type KernelParameterisation } from './parameterisation.js';
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

// Structures found to have an edge back: not tried again.
const notForward = new WeakSet<Structure>();

/** @internal The kernel pointers a forward pass at θ reads. */
export type Pointers = ReturnType<KernelParameterisation['atTheta']>;

/**
 * @internal One forward pass at θ over the structure, in a block of `doubles` doubles whose
 * first n hold the rewards (unless null: the pass reads them from elsewhere): `run` calls the
 * kernel (-1 an edge back, -2 a failed check, else done with that status), `read` takes the
 * answer from the block. Null where the pass does not apply or fails a check, or kernel
 * memory runs out (unless `outOfMemory` is 'throw'): the caller takes the checked path.
 */
export function forwardPass<T>(structure: Structure, theta: Float64Array, rewards: Float64Array | null, doubles: number,
  run: (k: KernelExports, at: Pointers, block: number) => number, read: (k: KernelExports, block: number, status: number) => T,
  outOfMemory: 'fallback' | 'throw' = 'fallback'): T | null {
  const kx = kernelIfReady();
  if (kx === null || structure.discrete || notForward.has(structure)) return null;
  let block = 0;
  try {
    const kp = kernelParameterisation(structure);
    block = allocate(kx, 8 * doubles);
    if (rewards) f64View(kx, block, structure.vertexCount).set(rewards);
    const status = run(kx, kp.atTheta(theta), block);
    if (status === -1) notForward.add(structure);
    return status >= 0 ? read(kx, block, status) : null;
  } catch (error) {
    if (isOutOfMemory(error) && outOfMemory === 'fallback') return null;
    throw error;
  } finally {
    if (block) kx.pk_free(block);
  }
}

/**
 * E[R], …, E[R^k] at θ (checked by the caller) straight from the structure, its rates computed
 * on the way: no rates, CSR or elimination are made (coalescent n = 50: 26 MB of rates
 * written to fresh memory before). The same bits as {@link forwardMoments} on the checked
 * rates. Null where it does not apply (an edge back, a discrete graph, the kernel not loaded
 * or out of memory) or a rate fails its checks: the caller then takes the checked path.
 */
export function forwardMomentsAt(structure: Structure, theta: Float64Array, rewards: Float64Array, k: number): number[] | null {
  const n = structure.vertexCount, p = structure.paramLength;
  // Rewards (n), work (2n), the k moments.
  return forwardPass(structure, theta, rewards, 3 * n + k,
    (kx, at, block) => kx.pk_forward_moments_at(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, at.theta, block, k, block + 8 * n, block + 24 * n),
    (kx, block) => Array.from(f64View(kx, block + 24 * n, k)));
}

/**
 * E[R] at θ (checked by the caller) and its gradient along θ, for a structure whose edges all
 * go forward: the forward pass, then one reverse pass over the edges (no tape). Null where
 * {@link forwardMomentsAt} would be.
 */
export function forwardGradientAt(structure: Structure, theta: Float64Array, rewards: Float64Array): { value: number; gradient: Float64Array } | null {
  const n = structure.vertexCount, p = structure.paramLength;
  // Rewards (n), work (2n), E[R] (1), the gradient (p).
  return forwardPass(structure, theta, rewards, 3 * n + 1 + p,
    (kx, at, block) => kx.pk_forward_gradient_at(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, at.theta, block, block + 8 * n, block + 24 * n, block + 24 * n + 8),
    (kx, block) => ({ value: f64View(kx, block + 24 * n, 1)[0], gradient: f64View(kx, block + 24 * n + 8, p).slice() }));
}

/**
 * {@link forwardMomentsAt} at up to LANES θ rows at once (kernel lanes, wasm-src/trace-lanes.c):
 * per row its moments, each bitwise what forwardMomentsAt answers, or null for a row that
 * fails a check (evaluated alone, it takes the checked path). Null where the pass does not
 * apply at all; throws KernelError OUT_OF_MEMORY where kernel memory runs out.
 */
export function forwardMomentsInLanes(structure: Structure, thetas: Float64Array[], rewards: Float64Array, k: number): (Float64Array | null)[] | null {
  const n = structure.vertexCount, p = structure.paramLength;
  // Rewards (n), θ by lane (LANES·p), work (2·LANES·n), the moments (LANES·k).
  const theta4 = 8 * n, work = theta4 + 8 * LANES * p, out = work + 16 * LANES * n;
  return forwardPass(structure, thetas[0], rewards, n + LANES * (p + 2 * n + k),
    (kx, at, block) => {
      putLanes(kx, block + theta4, thetas, p);
      return kx.pk_forward_moments_lanes(n, p, at.rowPtr, at.col, at.base, at.coef, at.hasOut, block + theta4, block, k, block + work, block + out);
    },
    (kx, block, failed) => {
      const all = f64View(kx, block + out, LANES * k);
      return thetas.map((_, lane) => ((failed & (1 << lane)) === 0 ? all.slice(lane * k, (lane + 1) * k) : null));
    },
    // Out of memory is the batch's to handle (give the caches back and run once more), not a
    // reason to take the tape's lanes, which need more.
    'throw');
}
