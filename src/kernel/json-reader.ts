// Graph JSON text read by the kernel (wasm-src/json.c): the text crosses into kernel
// memory once (TextEncoder.encodeInto) and the kernel hands back the flat arrays of
// GraphBuffers. A fast path only: null means "not handled here" (anything unusual or
// wrong), and the caller runs the TypeScript reader, which owns every error message.
import type { GraphBuffers } from '../graph/state-graph.js';
import type { KernelExports } from './module.js';

/** The result struct's words: n, m, L, p, discrete, then pointers to states, from, to, weight, coef. */
const HEADER_WORDS = 10;

/** NUL bytes after the text (wasm-src/json.c reads up to 8 bytes past a position). */
const PADDING = 8;

let encoder: TextEncoder | null = null;

/**
 * The graph in `text` handed to `adopt` as buffers, and what adopt returns; null when the
 * kernel does not handle this text. The buffers are views of kernel memory, valid only
 * during `adopt` (which must copy what it keeps and must not call the kernel).
 */
export function readGraphJSONText<T>(k: KernelExports, text: string, adopt: (buffers: GraphBuffers) => T): T | null {
  // Any non-ASCII character is inside a string, and the only strings of the format are its
  // five keys: such a text is left to JSON.parse. So one byte per character suffices, then
  // PADDING NUL bytes, where the kernel's scanners stop (it reads digits 8 bytes at a time).
  const length = text.length;
  const ptr = k.pk_malloc(length + PADDING);
  if (ptr === 0) return null;
  let result = 0;
  try {
    encoder ??= new TextEncoder();
    const bytes = new Uint8Array(k.memory.buffer, ptr, length + PADDING);
    const { read, written } = encoder.encodeInto(text, bytes.subarray(0, length));
    if (read !== length || written !== length) return null;
    bytes.fill(0, length);
    result = k.pk_json_parse(ptr, length);
  } finally {
    k.pk_free(ptr);
  }
  if (result === 0) return null;
  try {
    const buffer = k.memory.buffer;
    // Unsigned: the arrays' pointers may lie past 2 GiB.
    const [n, m, L, p, discrete, states, from, to, weight, coef] = new Uint32Array(buffer, result, HEADER_WORDS);
    return adopt({
      stateLength: L, paramLength: p, discrete: discrete === 1,
      states: new Int32Array(buffer, states, n * L),
      from: new Int32Array(buffer, from, m),
      to: new Int32Array(buffer, to, m),
      weight: new Float64Array(buffer, weight, m),
      coefficients: new Float64Array(buffer, coef, m * p),
    });
  } finally {
    k.pk_json_free(result);
  }
}
