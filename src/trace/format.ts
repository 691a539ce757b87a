// The binary trace format, version 2 (little-endian, 4-byte aligned):
//
//   offset  size  field
//        0     4  magic "PKTR"
//        4     4  u32 format version (TRACE_FORMAT_VERSION)
//        8    32  structural hash, raw SHA-256 bytes
//       40     4  u32 n, vertices
//       44     4  u32 m, inputs (canonical edges)
//       48     4  u32 ops, tape length
//       52     4  u32 commands
//       56     4  u32 flags (bit 0: discrete)
//       60     4  u32 checksum: low 32 bits of XXH64 (seed 0) of bytes 0–59 followed by
//                 the payload: every byte but the checksum's own is covered
//       64        payload, int32 arrays in this order:
//                 rowPtr[n+1] col[m] ops[4·ops] dst[commands] src[commands]
//                 slot[commands] scaleSlot[n]
//
// A tape op is 16 bytes {opcode, a, b, c}; a command 12 bytes.
import { KernelError, TraceError } from '../errors/index.js';
import { allocate, kernel } from '../kernel/module.js';
import { Trace, traceByteLength } from './trace.js';
import { TRACE_FORMAT_VERSION } from './structural-hash.js';

const MAGIC = 0x52544b50; // "PKTR" read as little-endian u32
const HEADER = 64;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Low 32 bits of XXH64 (seed 0) of `bytes`, computed in the kernel. */
export function checksum32(bytes: Uint8Array): number {
  const k = kernel();
  const p = allocate(k, bytes.byteLength);
  try {
    new Uint8Array(k.memory.buffer, p, bytes.byteLength).set(bytes);
    return k.pk_checksum(p, bytes.byteLength) >>> 0;
  } finally {
    k.pk_free(p);
  }
}

/** A record's checksum: over bytes 0–59 and the payload (everything but the checksum field). */
function traceChecksum(bytes: Uint8Array): number {
  const covered = new Uint8Array(bytes.byteLength - 4);
  covered.set(bytes.subarray(0, 60));
  covered.set(bytes.subarray(HEADER), 60);
  return checksum32(covered);
}

/** Serialises a trace, stamped with its structural hash (hex; default: the trace's own). */
export function encodeTrace(trace: Trace, hash: string | undefined = trace.hash): Uint8Array {
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) throw new TraceError('BAD_MAGIC', 'encodeTrace needs the trace\'s structural hash (64 hex digits)');
  const k = kernel();
  const { vertices: n, inputs: m, ops, commands } = trace.stats();
  const bytes = new Uint8Array(traceByteLength(n, m, ops, commands));
  const header = new DataView(bytes.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint32(4, TRACE_FORMAT_VERSION, true);
  bytes.set(hexToBytes(hash), 8);
  [n, m, ops, commands, trace.discrete ? 1 : 0].forEach((x, i) => header.setUint32(40 + 4 * i, x, true));
  const payload = new Int32Array(bytes.buffer, HEADER);
  const ptr = trace.kernelPointer;
  const mem = () => new Int32Array(k.memory.buffer);
  let at = 0;
  const put = (src: Int32Array) => { payload.set(src, at); at += src.length; };
  const putKernel = (p: number, len: number) => put(mem().subarray(p >>> 2, (p >>> 2) + len));
  put(trace.rowPtr);
  put(trace.col);
  putKernel(k.pk_trace_ops(ptr), 4 * ops);
  putKernel(k.pk_elim_dst(ptr), commands);
  putKernel(k.pk_elim_src(ptr), commands);
  putKernel(k.pk_trace_slots(ptr), commands);
  putKernel(k.pk_trace_scale_slots(ptr), n);
  header.setUint32(60, traceChecksum(bytes), true);
  return bytes;
}

/** What the header of trace bytes says, without checking the payload. */
export interface TraceHeader {
  version: number;
  hash: string;
  vertices: number;
  inputs: number;
  ops: number;
  commands: number;
  discrete: boolean;
}

/** Reads and checks a header (magic, version, length). */
export function readTraceHeader(bytes: Uint8Array): TraceHeader {
  if (bytes.byteLength < HEADER) throw new TraceError('TRUNCATED', `trace bytes are ${bytes.byteLength} long, shorter than the 64-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new TraceError('BAD_MAGIC', 'these bytes are not a phasekit trace (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== TRACE_FORMAT_VERSION)
    throw new TraceError('VERSION_MISMATCH', `trace format version ${version}; this phasekit reads version ${TRACE_FORMAT_VERSION}`);
  const [vertices, inputs, ops, commands, flags] = [40, 44, 48, 52, 56].map((o) => view.getUint32(o, true));
  const header = { version, hash: bytesToHex(bytes.subarray(8, 40)), vertices, inputs, ops, commands, discrete: (flags & 1) === 1 };
  if (bytes.byteLength !== traceByteLength(vertices, inputs, ops, commands))
    throw new TraceError('TRUNCATED', `trace bytes are ${bytes.byteLength} long; the header promises ${traceByteLength(vertices, inputs, ops, commands)}`);
  return header;
}

// Kernel buffers lent for reads (start → length): decodeTrace takes over the one its bytes lie in.
const lent = new Map<number, number>();

/** A buffer of `byteLength` bytes in kernel memory to read a stored trace into; decodeTrace of a view into it takes it over. */
export function traceBuffer(byteLength: number): Uint8Array {
  const k = kernel();
  const p = allocate(k, Math.max(1, byteLength));
  lent.set(p, byteLength);
  return new Uint8Array(k.memory.buffer, p, byteLength);
}

/** Frees a buffer from {@link traceBuffer} that never reached decodeTrace. */
export function releaseTraceBuffer(bytes: Uint8Array): void {
  const p = lentBlockOf(bytes);
  if (p === undefined) return;
  lent.delete(p);
  kernel().pk_free(p);
}

function lentBlockOf(bytes: Uint8Array): number | undefined {
  if (lent.size === 0 || bytes.buffer !== kernel().memory.buffer) return undefined;
  for (const [p, length] of lent) if (bytes.byteOffset >= p && bytes.byteOffset + bytes.byteLength <= p + length) return p;
  return undefined;
}

/**
 * Parses and verifies trace bytes (magic, version, length, checksum) into a live trace. Bytes in
 * a buffer from {@link traceBuffer} are used where they lie (the trace adopts the buffer); others
 * are copied into kernel memory first.
 */
export function decodeTrace(bytes: Uint8Array): { trace: Trace; hash: string } {
  const k = kernel();
  const length = bytes.byteLength;
  // A lent buffer is this function's from here on, whatever happens: freed unless adopted.
  const owned = lentBlockOf(bytes);
  if (owned !== undefined) lent.delete(owned);
  let block = owned ?? 0, adopted = false;
  try {
    const h = readTraceHeader(bytes);
    const stored = new DataView(bytes.buffer, bytes.byteOffset, length).getUint32(60, true);
    let at = bytes.byteOffset;
    if (owned === undefined) {
      block = at = allocate(k, length);
      new Uint8Array(k.memory.buffer, at, length).set(bytes);
    }
    const mem = new Uint8Array(k.memory.buffer);
    // The int32 arrays need 4-byte alignment: a record read at any offset moves down to it (within its buffer).
    if (at % 4 !== 0) {
      const aligned = at - (at % 4);
      mem.copyWithin(aligned, at, at + length);
      at = aligned;
    }
    // Header bytes 0–59 moved up over the checksum field: with the payload they are then the
    // contiguous bytes the checksum covers.
    mem.copyWithin(at + 4, at, at + 60);
    if ((k.pk_checksum(at + 4, length - 4) >>> 0) !== stored)
      throw new TraceError('CHECKSUM_MISMATCH', `trace ${h.hash.slice(0, 12)}… is corrupt (checksum mismatch)`);
    const p = at + HEADER;
    const { vertices: n, inputs: m, ops, commands } = h;
    // A record that passed its checksum may still be forged: its structure must be a CSR over its vertices.
    if (!k.pk_csr_valid(n, p, p + 4 * (n + 1), m))
      throw new TraceError('MALFORMED', `trace ${h.hash.slice(0, 12)}… has a structure that is not a CSR of its ${n} vertices`);
    const words = new Int32Array(k.memory.buffer, p, (length - HEADER) >> 2);
    const rowPtr = words.slice(0, n + 1), col = words.slice(n + 1, n + 1 + m);
    let cursor = p + 4 * (n + 1 + m);
    const opsPtr = cursor; cursor += 16 * ops;
    const dst = cursor; cursor += 4 * commands;
    const src = cursor; cursor += 4 * commands;
    const slot = cursor; cursor += 4 * commands;
    const scaleSlot = cursor;
    // The trace adopts the block (its arrays stay where they lie): no second copy.
    const ptr = k.pk_trace_adopt(n, m, ops, commands, block, opsPtr, dst, src, slot, scaleSlot);
    if (ptr === 0) throw new KernelError('OUT_OF_MEMORY', 'the kernel could not allocate memory for this trace');
    if (ptr === -1) throw new TraceError('MALFORMED', `trace ${h.hash.slice(0, 12)}… refers to values or vertices that do not exist`);
    adopted = true;
    const trace = new Trace(ptr, { vertexCount: n, discrete: h.discrete, rowPtr, col });
    trace.hash = h.hash;
    return { trace, hash: h.hash };
  } finally {
    if (!adopted && block) k.pk_free(block);
  }
}
