// The cache key of a trace: SHA-256 of everything the trace depends on, in a
// fixed-width little-endian encoding. Rates are the trace's inputs, so they are
// deliberately not part of the key: a changed rate can never load a stale answer.
import type { Structure } from '../graph/structure.js';

/** Version of the trace format and of the elimination it records; part of every key. */
export const TRACE_FORMAT_VERSION = 3;

/**
 * The bytes hashed: u32 format version, u32 vertex count, u32 start vertex (0),
 * u32 discrete (0/1), u32 edge count m, then the canonical CSR as it is: rowPtr
 * (n + 1 u32) and col (m u32). Two block copies, no per-edge work.
 */
export function structuralEncoding(structure: Structure): Uint8Array {
  const n = structure.vertexCount, m = structure.col.length;
  const words = new Uint32Array(5 + n + 1 + m);
  words[0] = TRACE_FORMAT_VERSION;
  words[1] = n;
  words[2] = 0;
  words[3] = structure.discrete ? 1 : 0;
  words[4] = m;
  words.set(structure.rowPtr, 5);
  words.set(structure.col, 6 + n);
  const bytes = new Uint8Array(words.buffer);
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    // Big-endian host: swap to little-endian so every platform hashes the same bytes.
    for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  }
  return bytes;
}

const hashes = new WeakMap<Structure, Promise<string>>();

/**
 * SHA-256 (hex) of the graph structure: the trace cache key. Node's crypto in Node,
 * WebCrypto where the platform has it (browsers' secure contexts, workers: native,
 * ~15× faster here), hash-wasm elsewhere (e.g. pages served over plain http); the same digest.
 * Memoised per structure object.
 */
export function structuralHash(structure: Structure): Promise<string> {
  let hash = hashes.get(structure);
  if (!hash) {
    hash = sha256Hex(structuralEncoding(structure));
    hashes.set(structure, hash);
  }
  return hash;
}

type NodeCrypto = typeof import('node:crypto');
// Node's own hash, reached without an import (browser bundlers see nothing to resolve;
// process.getBuiltinModule: Node ≥ 20.16): synchronous, where WebCrypto's digest takes
// a trip through the thread pool that costs more than hashing a structure.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  ?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

/** SHA-256 of the concatenation of `parts`, as lowercase hex; Node hashes them where they lie. */
export async function sha256HexOfParts(parts: readonly Uint8Array[]): Promise<string> {
  if (nodeCrypto) {
    const hash = nodeCrypto.createHash('sha256');
    for (const part of parts) hash.update(part);
    return hash.digest('hex');
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) { joined.set(part, at); at += part.byteLength; }
  return sha256Hex(joined);
}

/** SHA-256 of bytes as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(bytes).digest('hex');
  const subtle = globalThis.crypto?.subtle;
  // hash-wasm is loaded only where WebCrypto is missing, so bundles that never need it do not carry it.
  if (!subtle) return (await import('./sha256-fallback.js')).sha256(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
