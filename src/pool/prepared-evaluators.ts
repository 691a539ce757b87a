// The evaluators a pool has prepared, each with what it was prepared from: the graph's
// structure object (one object until the graph changes), the backend asked for, and the copy
// of the target that was sent. A loop of pool.logLikelihood calls over θ with the same data
// then sends the data to a worker once, not at every call. An answer (key, bytes, shape)
// stays good after a worker drops its evaluator: PoolEvaluator sends the bytes again to a
// worker that lacks it.
import type { PreparedEvaluator } from './pool-evaluator.js';

// Bounds on what the main thread keeps: the target copies and the specifications' bytes (a
// coalescent's SFS at n = 30: 1.3 MB of rewards, 2.4 MB of bytes).
const MAX_ANSWERS = 16;
const MAX_BYTES = 64 * 2 ** 20;
// Targets are a few levels deep (target, data, rewards, a vector).
const MAX_DEPTH = 8;

interface Kept {
  structure: object;
  backend: unknown;
  /** The target as sent (a structured clone): the answer is this target's. */
  target: unknown;
  answer: PreparedEvaluator;
  bytes: number;
}

/** Answers of `prepareEvaluator`, least recently used first out. */
export class PreparedEvaluators {
  private kept: Kept[] = [];
  private bytes = 0;

  /** The answer prepared for a target equal to `target` (same data, same types) on this structure and backend. */
  find(structure: object, target: unknown, backend: unknown): PreparedEvaluator | undefined {
    const at = this.kept.findIndex((k) => k.structure === structure && Object.is(k.backend, backend) && sameData(target, k.target));
    if (at === -1) return undefined;
    const [hit] = this.kept.splice(at, 1);
    this.kept.push(hit);
    return hit.answer;
  }

  /**
   * A copy of `target` to send and keep (so that the answer is the copy's, whatever the
   * target's getters do), or undefined when it is too large to keep: send the target itself.
   */
  copyToKeep(target: unknown): unknown {
    return byteSize(target) <= MAX_BYTES ? structuredClone(target) : undefined;
  }

  /** Keeps `answer`, prepared from `sent` (the copy of the target the worker got). */
  keep(structure: object, sent: unknown, backend: unknown, answer: PreparedEvaluator): void {
    const bytes = answer.spec.byteLength + byteSize(sent);
    // Two calls at once with one target both prepare (the second finds it in the worker's cache).
    if (bytes > MAX_BYTES || this.find(structure, sent, backend)) return;
    this.kept.push({ structure, backend, target: sent, answer, bytes });
    this.bytes += bytes;
    while (this.kept.length > MAX_ANSWERS || this.bytes > MAX_BYTES) this.bytes -= (this.kept.shift() as Kept).bytes;
  }

  /** Number of answers kept. */
  get size(): number {
    return this.kept.length;
  }
}

// Node compares bytes with memcmp, ten times faster than a loop.
const compareBytes = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer?.compare;

/**
 * Whether `a` holds the same data as `b`, a structured clone: numbers, strings, booleans, null
 * and undefined, typed arrays of one type with equal bytes, and arrays and plain objects of
 * such, key for key. Anything else (a class instance, a Map, a function) is never the same:
 * the call then goes to the worker, as it would without this.
 */
export function sameData(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  // Deeper than any target (a cyclic one would never end): not the same.
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_DEPTH) return false;
  if (ArrayBuffer.isView(a)) return ArrayBuffer.isView(b) && a.constructor === b.constructor && sameBytes(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(a);
  if ((proto !== Object.prototype && proto !== null) || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (compareBytes) return compareBytes(x, y) === 0;
  // Whole 8-byte words where both views are aligned to them (as numbers: -0 is 0 here, which
  // changes no result), else bytes.
  if (a.byteOffset % 8 === 0 && b.byteOffset % 8 === 0 && a.byteLength % 8 === 0) {
    const p = new Float64Array(a.buffer, a.byteOffset, a.byteLength / 8), q = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
    for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
    return true;
  }
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// Bytes a structured clone holds in typed arrays (what dominates a target's size): a view's
// whole buffer, which its clone carries along. Infinity past MAX_DEPTH, so that such a target
// is not kept.
function byteSize(data: unknown, depth = 0): number {
  if (typeof data !== 'object' || data === null) return 0;
  if (ArrayBuffer.isView(data)) return data.buffer.byteLength;
  if (depth > MAX_DEPTH) return Infinity;
  let bytes = 0;
  for (const value of Array.isArray(data) ? data : Object.values(data)) bytes += byteSize(value, depth + 1);
  return bytes;
}
