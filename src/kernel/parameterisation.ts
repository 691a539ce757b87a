// A structure's parameterisation (w = base + coef·θ) copied into kernel memory
// once, so each evaluation computes and checks its weights in WebAssembly and
// leaves them where the trace reads them: nothing per edge crosses back to JS.
import type { Structure } from '../graph/structure.js';
import { allocate, f64View, kernel, type KernelExports } from './module.js';

const registry = new FinalizationRegistry<number>((block) => kernel().pk_free(block));

/** Kernel-resident base, coefficients and self-loop terms of one structure. */
export class KernelParameterisation {
  private readonly k: KernelExports;
  /** Kernel pointers of the structure's arrays (valid while this object lives). */
  readonly rowPtr: number;
  readonly col: number;
  readonly base: number;
  readonly coef: number;
  /** Read for discrete graphs only: a continuous graph's point at one unused double. */
  readonly loopBase: number;
  readonly loopCoef: number;
  readonly hasOut: number;
  private readonly theta: number;

  constructor(readonly structure: Structure) {
    const k = (this.k = kernel());
    const s = structure, n = s.vertexCount, m = s.col.length, p = s.paramLength;
    // One block (each allocation costs about what copying a small graph's arrays does):
    // the doubles first, then rowPtr and col, then one byte per vertex.
    const loops = s.discrete ? [s.loopBase, s.loopCoef] : [new Float64Array(1), new Float64Array(1)];
    const doubles = [s.base, s.coef.length ? s.coef : new Float64Array(1), ...loops, new Float64Array(Math.max(1, p))];
    const doubleBytes = doubles.reduce((sum, a) => sum + 8 * Math.max(1, a.length), 0);
    const block = allocate(k, doubleBytes + 4 * (n + 1) + 4 * Math.max(1, m) + n);
    const at: number[] = [];
    let cursor = block;
    for (const a of doubles) {
      at.push(cursor);
      new Float64Array(k.memory.buffer, cursor, a.length).set(a);
      cursor += 8 * Math.max(1, a.length);
    }
    [this.base, this.coef, this.loopBase, this.loopCoef, this.theta] = at;
    this.rowPtr = cursor;
    new Int32Array(k.memory.buffer, this.rowPtr, n + 1).set(s.rowPtr);
    this.col = this.rowPtr + 4 * (n + 1);
    new Int32Array(k.memory.buffer, this.col, m).set(s.col);
    this.hasOut = this.col + 4 * Math.max(1, m);
    new Uint8Array(k.memory.buffer, this.hasOut, n).set(s.hasOutEdge);
    registry.register(this, block);
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
