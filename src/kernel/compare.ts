// Equality of large integer arrays by memcmp in the kernel. The same loop in
// JavaScript runs interpreted the first time (a fresh page or process checking
// a stored trace against its graph), where it cost milliseconds.
import { allocate, kernel } from './module.js';

/** Below this many elements a JavaScript loop is as quick as the copies in. */
const KERNEL_FROM = 256;

/** Whether a and b hold the same numbers. */
export function sameInt32(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  if (a.length < KERNEL_FROM) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const k = kernel();
  const bytes = a.byteLength;
  const p = allocate(k, 2 * bytes);
  try {
    new Int32Array(k.memory.buffer, p, a.length).set(a);
    new Int32Array(k.memory.buffer, p + bytes, b.length).set(b);
    return k.pk_equal(p, p + bytes, bytes) === 1;
  } finally {
    k.pk_free(p);
  }
}
