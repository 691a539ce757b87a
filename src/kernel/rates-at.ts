// Rates at θ for the direct path, computed and checked in the kernel: on a large
// graph's first call the JS loops would run in V8's unoptimised tiers (13–20 ms at
// coalescent n = 40), where the kernel takes a copy of the structure and one pass.
// The rates stay in kernel memory, where elimination reads them in place; JavaScript
// gets its own copy only when something reads `weight` or `exitRate` (E[T] does not:
// at n = 40 the copies and a scan for zeros were half of the call).
import { checkAbsorption, ratesAt, type Csr } from '../graph/rates.js';
import type { Structure } from '../graph/structure.js';
import { allocate, f64View, kernel, kernelIfReady } from './module.js';
import { kernelParameterisation, type KernelParameterisation } from './parameterisation.js';

/** @internal The rates' kernel memory and the hold on the parameterisation whose pointers they use (no JS object besides). */
export interface RatesMemory { ptrs: number[]; letGo: () => void; live: boolean }
const registry = new FinalizationRegistry<RatesMemory>(releaseRates);

/** @internal Frees rates' kernel memory (once); their KernelRates then reads from JS. */
export function releaseRates(owned: RatesMemory): void {
  if (!owned.live) return;
  owned.live = false;
  const k = kernel();
  for (const p of owned.ptrs) k.pk_free(p);
  owned.letGo();
}

/** A CSR at θ whose rates live in kernel memory until disposed (then read again from the structure). */
export class KernelRates implements Csr {
  readonly vertexCount: number;
  readonly discrete: boolean;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  /** @internal its kernel memory, for owners that count it (see residency.ts). */
  readonly memory: RatesMemory;
  private readonly kp: KernelParameterisation;
  private weightCopy: Float64Array | null = null;
  private exitCopy: Float64Array | null = null;

  constructor(private readonly structure: Structure, private readonly theta: Float64Array, private readonly w: number, private readonly exit: number, kp: KernelParameterisation) {
    this.vertexCount = structure.vertexCount;
    this.discrete = structure.discrete;
    this.rowPtr = structure.rowPtr;
    this.col = structure.col;
    this.kp = kp;
    this.memory = { ptrs: [w, exit], letGo: kp.hold(), live: true };
    registry.register(this, this.memory, this);
  }

  /** Bytes of kernel memory held now. */
  get kernelBytes(): number {
    return this.memory.live ? 8 * (this.col.length + this.vertexCount) : 0;
  }

  get weight(): Float64Array {
    this.weightCopy ??= this.memory.live ? f64View(kernel(), this.w, this.col.length).slice() : this.recomputed().weight;
    return this.weightCopy;
  }

  get exitRate(): Float64Array {
    this.exitCopy ??= this.memory.live ? f64View(kernel(), this.exit, this.vertexCount).slice() : this.recomputed().exitRate;
    return this.exitCopy;
  }

  // After disposal: both arrays from one run of the JS path.
  private recomputed(): Csr {
    const csr = ratesAt(this.structure, this.theta);
    this.weightCopy ??= csr.weight;
    this.exitCopy ??= csr.exitRate;
    return csr;
  }

  /** Kernel pointers of the rates and of the structure's rowPtr and col, or null once disposed. */
  inKernel(): { w: number; rowPtr: number; col: number } | null {
    if (!this.memory.live) return null;
    return { w: this.w, rowPtr: this.kp.rowPtr, col: this.kp.col };
  }

  /** Frees the kernel copy now; `weight` and `exitRate` stay readable (recomputed in JS if not read before). */
  dispose(): void {
    registry.unregister(this);
    releaseRates(this.memory);
  }
}

/**
 * The CSR at θ with the kernel's rates and exit rates, or null when the kernel is not
 * loaded, a check fails or a rate is 0: the JS path (ratesAt) then answers, or names
 * the edge or vertex at fault.
 */
export function kernelRatesAt(structure: Structure, theta: Float64Array): KernelRates | null {
  const k = kernelIfReady();
  if (k === null) return null;
  const kp = kernelParameterisation(structure);
  const n = structure.vertexCount, m = structure.col.length;
  const w = allocate(k, 8 * Math.max(1, m)), exit = allocate(k, 8 * Math.max(1, n));
  let kept = false;
  try {
    // Zero rates are dropped from the CSR: the JS path does that.
    if (!kp.ratesInto(theta, w, exit) || kp.lastHadZero) return null;
    checkAbsorption(structure, null, theta, true);
    kept = true;
    return new KernelRates(structure, theta, w, exit, kp);
  } finally {
    if (!kept) { k.pk_free(w); k.pk_free(exit); }
  }
}
