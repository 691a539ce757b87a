// A structure's parameterisation (w = base + coef·θ) copied into kernel memory
// once, so each evaluation computes and checks its weights in WebAssembly and
// leaves them where the trace reads them: nothing per edge crosses back to JS.
import type { Structure } from '../graph/structure.js';
import { isOutOfMemory, KernelError } from '../errors/index.js';
import { allocate, f64View, kernel, type KernelExports } from './module.js';
import { admit, forget, touch, type Resident } from './residency.js';

// The kernel block of one parameterisation, counted as a resident: released under memory
// pressure unless held, else freed when the garbage collector finalises its owner. It
// refers to no JS object (a WeakRef would keep its target alive to the end of a synchronous
// loop), so counting it keeps neither the parameterisation nor its structure alive.
// `adopted` frees kernel arrays handed over by their maker (see KernelArrays).
interface Block extends Resident { ptr: number; holders: number; adopted: (() => void) | null }
const registry = new FinalizationRegistry<Block>((block) => freeBlock(block));
function newBlock(ptr: number, adopted: (() => void) | null): Block {
  const block: Block = { ptr, adopted, bytes: 0, holders: 0, pinned: () => block.holders > 0, release: () => freeBlock(block) };
  return block;
}
function freeBlock(block: Block): void {
  if (!block.ptr) return;
  forget(block);
  kernel().pk_free(block.ptr);
  block.ptr = 0;
  block.adopted?.();
  block.adopted = null;
}

/**
 * A continuous structure's rowPtr, col, base and coef already in kernel memory (a model
 * builder's), handed over: the parameterisation uses them where they lie and calls `free`
 * when it is released.
 */
export interface KernelArrays {
  rowPtr: number;
  col: number;
  base: number;
  coef: number;
  /** Their size, counted with the kernel's other residents. */
  bytes: number;
  free(): void;
}
// Ends one hold on the block (once, however often it is called).
function letGoOf(block: Block): () => void {
  let held = true;
  return () => {
    if (held && block.holders > 0) block.holders--;
    held = false;
  };
}

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
  private readonly block: Block;

  /** `arrays`: the structure's own, already in kernel memory (continuous structures only), used where they lie. */
  constructor(readonly structure: Structure, arrays?: KernelArrays) {
    const k = (this.k = kernel());
    const s = structure, n = s.vertexCount, m = s.col.length, p = s.paramLength;
    if (arrays && s.discrete) throw new TypeError('phasekit: kernel arrays can be adopted for continuous structures only');
    // One block (each allocation costs about what copying a small graph's arrays does): the
    // doubles first, then rowPtr and col, then one byte per vertex. Adopted arrays are left out.
    const loops = s.discrete ? [s.loopBase, s.loopCoef] : [new Float64Array(1), new Float64Array(1)];
    const copied = arrays ? [] : [s.base, s.coef.length ? s.coef : new Float64Array(1)];
    const doubles = [...copied, ...loops, new Float64Array(Math.max(1, p))];
    const doubleBytes = doubles.reduce((sum, a) => sum + 8 * Math.max(1, a.length), 0);
    const bytes = doubleBytes + (arrays ? 0 : 4 * (n + 1) + 4 * Math.max(1, m)) + n;
    const block = allocate(k, bytes);
    const at: number[] = [];
    let cursor = block;
    for (const a of doubles) {
      at.push(cursor);
      new Float64Array(k.memory.buffer, cursor, a.length).set(a);
      cursor += 8 * Math.max(1, a.length);
    }
    if (arrays) {
      [this.loopBase, this.loopCoef, this.theta] = at;
      ({ base: this.base, coef: this.coef, rowPtr: this.rowPtr, col: this.col } = arrays);
    } else {
      [this.base, this.coef, this.loopBase, this.loopCoef, this.theta] = at;
      this.rowPtr = cursor;
      new Int32Array(k.memory.buffer, this.rowPtr, n + 1).set(s.rowPtr);
      this.col = this.rowPtr + 4 * (n + 1);
      new Int32Array(k.memory.buffer, this.col, m).set(s.col);
      cursor = this.col + 4 * Math.max(1, m);
    }
    this.hasOut = cursor;
    new Uint8Array(k.memory.buffer, this.hasOut, n).set(s.hasOutEdge);
    this.block = newBlock(block, arrays?.free ?? null);
    registry.register(this, this.block, this);
    admit(this.block, bytes + (arrays?.bytes ?? 0));
  }

  /** Keeps this parameterisation in kernel memory (for owners that keep its pointers); returns the function that ends the hold. */
  hold(): () => void {
    this.check();
    this.block.holders++;
    return letGoOf(this.block);
  }

  /** Whether its kernel memory is still there (false once released under memory pressure). */
  get live(): boolean {
    return this.block.ptr !== 0;
  }

  /** @internal marks it as just used (released last under pressure). */
  used(): void {
    touch(this.block);
  }

  private check(): void {
    if (!this.live) throw new KernelError('NOT_READY', 'phasekit: a released kernel parameterisation was used (hold it while its pointers are kept)');
  }

  /** Whether the last {@link ratesInto} that passed wrote some rate of exactly 0. */
  lastHadZero = false;

  /**
   * θ written where the kernel reads it, and the pointers a pass over the structure's rates at
   * θ takes (pk_forward_moments_at, pk_forward_gradient_at), valid until the next θ.
   */
  atTheta(theta: Float64Array): { rowPtr: number; col: number; base: number; coef: number; hasOut: number; theta: number } {
    this.check();
    f64View(this.k, this.theta, theta.length).set(theta);
    return { rowPtr: this.rowPtr, col: this.col, base: this.base, coef: this.coef, hasOut: this.hasOut, theta: this.theta };
  }

  /**
   * The rates of a continuous structure at four θ at once (`theta4`: kernel memory holding
   * θ_i of lane l at i·4 + l), written lane-interleaved at `w4`; answers the bit mask of the
   * lanes whose rates fail a check (see {@link ratesInto}; those rows are diagnosed alone).
   */
  ratesInLanes(theta4: number, w4: number): number {
    this.check();
    const s = this.structure;
    if (s.discrete) throw new TypeError('phasekit: rates in lanes are for continuous structures only');
    return this.k.pk_rates_at_lanes(s.vertexCount, s.paramLength, this.rowPtr, this.base, this.coef, this.hasOut, theta4, w4);
  }

  /** Writes w = base + coef·θ to kernel memory at `w` (and the exit rates at `exit`, unless 0); false when a check fails (the caller diagnoses). */
  ratesInto(theta: Float64Array, w: number, exit = 0): boolean {
    this.check();
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
  if (kp?.live) kp.used();
  else shared.set(structure, (kp = new KernelParameterisation(structure)));
  return kp;
}

/**
 * Makes `arrays` (the structure's rowPtr, col, base and coef, already in kernel memory) its
 * kernel parameterisation, so the first evaluation copies nothing in. They are freed with it,
 * or at once where it has one already. Only a saving: where kernel memory runs out here, they
 * are freed and the structure is copied in on first use, as any other is.
 */
export function adoptParameterisation(structure: Structure, arrays: KernelArrays): void {
  if (shared.get(structure)?.live) {
    arrays.free();
    return;
  }
  try {
    shared.set(structure, new KernelParameterisation(structure, arrays));
  } catch (error) {
    arrays.free();
    if (!isOutOfMemory(error)) throw error;
  }
}

const heldBy = new FinalizationRegistry<() => void>((letGo) => letGo());
const holds = new WeakMap<object, () => void>();

/** The kernel parameterisation of `structure`, held for `owner` until {@link releaseParameterisation} (or `owner` is collected). */
export function holdParameterisation(owner: object, structure: Structure): KernelParameterisation {
  const kp = kernelParameterisation(structure);
  const letGo = kp.hold();
  holds.set(owner, letGo);
  heldBy.register(owner, letGo, owner);
  return kp;
}

/** Ends the hold `owner` took with {@link holdParameterisation}. */
export function releaseParameterisation(owner: object): void {
  heldBy.unregister(owner);
  holds.get(owner)?.();
  holds.delete(owner);
}
