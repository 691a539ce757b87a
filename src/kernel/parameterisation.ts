// A structure's parameterisation (w = base + coef·θ) copied into kernel memory
// once, so each evaluation computes and checks its weights in WebAssembly and
// leaves them where the trace reads them: nothing per edge crosses back to JS.
import type { Structure } from '../graph/structure.js';
import { allocate, copyIn, f64View, kernel, type KernelExports } from './module.js';

const registry = new FinalizationRegistry<number[]>((ptrs) => {
  const k = kernel();
  for (const p of ptrs) k.pk_free(p);
});

/** Kernel-resident base, coefficients and self-loop terms of one structure. */
export class KernelParameterisation {
  private readonly k: KernelExports;
  private readonly ptrs: number[];
  /** Kernel pointers of the structure's arrays (valid while this object lives). */
  readonly rowPtr: number;
  readonly col: number;
  readonly base: number;
  readonly coef: number;
  readonly loopBase: number;
  readonly loopCoef: number;
  readonly hasOut: number;
  private readonly theta: number;

  constructor(readonly structure: Structure) {
    const k = (this.k = kernel());
    this.rowPtr = copyIn(k, structure.rowPtr);
    this.col = copyIn(k, structure.col.length ? structure.col : new Int32Array(1));
    this.base = copyIn(k, structure.base);
    this.coef = copyIn(k, structure.coef.length ? structure.coef : new Float64Array(1));
    this.loopBase = copyIn(k, structure.loopBase);
    this.loopCoef = copyIn(k, structure.loopCoef.length ? structure.loopCoef : new Float64Array(1));
    this.hasOut = allocate(k, structure.vertexCount);
    new Uint8Array(k.memory.buffer, this.hasOut, structure.vertexCount).set(structure.hasOutEdge);
    this.theta = allocate(k, 8 * Math.max(1, structure.paramLength));
    this.ptrs = [this.rowPtr, this.col, this.base, this.coef, this.loopBase, this.loopCoef, this.hasOut, this.theta];
    registry.register(this, this.ptrs);
  }

  /** Whether the last {@link ratesInto} that passed wrote some rate of exactly 0. */
  lastHadZero = false;

  /** Writes w = base + coef·θ to kernel memory at `w` (and the exit rates at `exit`, unless 0); false when a check fails (the caller diagnoses). */
  ratesInto(theta: Float64Array, w: number, exit = 0): boolean {
    const s = this.structure;
    f64View(this.k, this.theta, theta.length).set(theta);
    const code = this.k.pk_rates_at(s.vertexCount, s.paramLength, this.rowPtr, this.base, this.coef, this.loopBase,
      this.loopCoef, this.hasOut, s.discrete ? 1 : 0, this.theta, w, exit);
    this.lastHadZero = code === 2;
    return code !== 1;
  }
}

// One kernel copy per structure, shared by every evaluator of it, for as long as the structure lives.
const shared = new WeakMap<Structure, KernelParameterisation>();

/** The kernel copy of `structure`'s parameterisation, made on first use and shared. */
export function kernelParameterisation(structure: Structure): KernelParameterisation {
  let kp = shared.get(structure);
  if (!kp) shared.set(structure, (kp = new KernelParameterisation(structure)));
  return kp;
}
