// Rates at θ for the direct path, computed and checked in the kernel: on a large
// graph's first call the JS loops would run in V8's unoptimised tiers (13–20 ms at
// coalescent n = 40), where the kernel takes a copy of the structure and one pass.
import { checkAbsorption, type Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import { allocate, f64View, kernelIfReady } from './module.js';
import { kernelParameterisation } from './parameterisation.js';

/**
 * The CSR at θ from the kernel's rates and exit rates, or null when the kernel is not
 * loaded, a check fails or a rate is 0: the JS path (ratesAt) then answers, or names
 * the edge or vertex at fault.
 */
export function kernelRatesAt(structure: Structure, theta: Float64Array): Csr | null {
  const k = kernelIfReady();
  if (k === null) return null;
  const kp = kernelParameterisation(structure);
  const n = structure.vertexCount, m = structure.col.length;
  const w = allocate(k, 8 * Math.max(1, m)), exit = allocate(k, 8 * Math.max(1, n));
  try {
    if (!kp.ratesInto(theta, w, exit)) return null;
    const weight = f64View(k, w, m).slice();
    if (weight.includes(0)) return null; // zero rates are dropped from the CSR: the JS path does that
    const exitRate = f64View(k, exit, n).slice();
    checkAbsorption(structure, weight, theta, true);
    return { vertexCount: n, discrete: structure.discrete, rowPtr: structure.rowPtr, col: structure.col, weight, exitRate };
  } finally {
    k.pk_free(w);
    k.pk_free(exit);
  }
}
