// A compiled evaluator's specification: everything it computes from, and nothing
// live. The graph's canonical structure and rates (base + C·θ), the checked
// target, the backend, and the structural hash that names its trace in layer 1.
// Its bytes are the evaluator's identity: the layer-2 key is their SHA-256, and
// they are what layer 2 persists (an evaluator can be rebuilt from them alone).
//
// Format version 2, little-endian:
//   "PKEV" u32 version u32 backend [u32 precision: webgpu only, 0 f32, 1 df64] u32 targetKind
//   structure: u32 n, u32 discrete, u32 paramLength, then arrays each prefixed by
//     its u32 length: i32 rowPtr, i32 col, u8 hasOutEdge (padded to 4),
//     f64 base, f64 coef, f64 loopBase, f64 loopCoef
//   64 ASCII bytes: structural hash (hex)
//   target: moments: u32 k, f64[] rewards; expectations: u32 m, f64[] rewards;
//     loglik: f64 maxSteps, f64 maxMemoryBytes, u8[] observations (observationParts, concatenated)
import { TraceError } from '../errors/index.js';
import type { Structure } from '../graph/structure.js';
import { decodeObservations, observationParts } from '../likelihood/observations.js';
import type { Backend, GpuPrecision } from './evaluator.js';
import type { CheckedTarget } from './target.js';

/** Version of the evaluator record format; part of every key. */
export const EVALUATOR_FORMAT_VERSION = 2;

/** What a compiled evaluator is made from. */
export interface EvaluatorSpec {
  backend: Backend;
  /** The WebGPU backend's number type (backend 'webgpu' only; default 'f32'). */
  precision?: GpuPrecision;
  structure: Structure;
  /** The structure's SHA-256 (hex): its trace's key in layer 1. */
  structureHash: string;
  target: CheckedTarget;
}

const MAGIC = 0x5645_4b50; // "PKEV" as a little-endian u32
const BACKENDS: Backend[] = ['wasm', 'wasm-direct', 'webgpu'];
const KINDS = ['moments', 'expectations', 'loglik'] as const;
const PRECISIONS: GpuPrecision[] = ['f32', 'df64'];

// Parts are views of the arrays they came from: bytes() copies each once, into one buffer
// (a coalescent SFS spec is megabytes of rewards, encoded for its key on every call).
class Writer {
  private parts: Uint8Array[] = [];
  u32(x: number): void { this.parts.push(new Uint8Array(Uint32Array.of(x).buffer)); }
  f64(x: number): void { this.parts.push(new Uint8Array(Float64Array.of(x).buffer)); }
  array(a: Int32Array | Float64Array | Uint8Array): void {
    this.u32(a.length);
    this.parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    if (a.byteLength % 4) this.parts.push(new Uint8Array(4 - (a.byteLength % 4)));
  }
  /** The concatenation of `arrays` as one u8 array (length in bytes, then the bytes). */
  joined(arrays: Float64Array[]): void {
    this.u32(arrays.reduce((n, a) => n + a.byteLength, 0));
    for (const a of arrays) this.parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  ascii(s: string): void { this.parts.push(new TextEncoder().encode(s)); }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.byteLength; }
    return out;
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) { this.view = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  private need(n: number): void {
    if (n < 0 || this.at + n > this.b.byteLength) throw new TraceError('TRUNCATED', 'evaluator record is truncated or malformed');
  }
  u32(): number { this.need(4); const x = this.view.getUint32(this.at, true); this.at += 4; return x; }
  f64(): number { this.need(8); const x = this.view.getFloat64(this.at, true); this.at += 8; return x; }
  private raw(count: number, size: number): Uint8Array {
    this.need(count * size);
    const bytes = this.b.slice(this.at, this.at + count * size);
    this.at += count * size;
    if ((count * size) % 4) { this.need(4 - ((count * size) % 4)); this.at += 4 - ((count * size) % 4); }
    return bytes;
  }
  i32s(): Int32Array { const n = this.u32(); return new Int32Array(this.raw(n, 4).buffer); }
  f64s(): Float64Array { const n = this.u32(); return new Float64Array(this.raw(n, 8).buffer); }
  u8s(): Uint8Array { const n = this.u32(); return this.raw(n, 1); }
  ascii(n: number): string { this.need(n); const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n)); this.at += n; return s; }
  end(): void { if (this.at !== this.b.byteLength) throw new TraceError('TRUNCATED', 'evaluator record has trailing bytes'); }
}

/** The spec's bytes (its SHA-256 is the evaluator's key). */
export function encodeSpec(spec: EvaluatorSpec): Uint8Array {
  const w = new Writer();
  const s = spec.structure, t = spec.target;
  w.u32(MAGIC); w.u32(EVALUATOR_FORMAT_VERSION); w.u32(BACKENDS.indexOf(spec.backend));
  if (spec.backend === 'webgpu') w.u32(PRECISIONS.indexOf(spec.precision ?? 'f32'));
  w.u32(KINDS.indexOf(t.kind));
  w.u32(s.vertexCount); w.u32(s.discrete ? 1 : 0); w.u32(s.paramLength);
  // Not `canonical` (where each stored edge went): graphs that differ only in the order
  // their edges were added are the same evaluator.
  w.array(s.rowPtr); w.array(s.col); w.array(s.hasOutEdge);
  w.array(s.base); w.array(s.coef); w.array(s.loopBase); w.array(s.loopCoef);
  w.ascii(spec.structureHash.padEnd(64, '0').slice(0, 64));
  if (t.kind === 'moments') { w.u32(t.k); w.array(t.rewards); }
  else if (t.kind === 'expectations') { w.u32(t.m); w.array(t.rewards); }
  else { w.f64(t.limits.maxSteps); w.f64(t.limits.maxMemoryBytes); w.joined(observationParts(t.data)); }
  return w.bytes();
}

/** Parses spec bytes, checking their layout (not their hash: that is the caller's, against the key). */
export function decodeSpec(bytes: Uint8Array): EvaluatorSpec {
  const r = new Reader(bytes);
  if (r.u32() !== MAGIC) throw new TraceError('BAD_MAGIC', 'these bytes are not a phasekit evaluator record');
  const version = r.u32();
  if (version !== EVALUATOR_FORMAT_VERSION) throw new TraceError('VERSION_MISMATCH', `evaluator record version ${version}; this phasekit reads version ${EVALUATOR_FORMAT_VERSION}`);
  const backend = BACKENDS[r.u32()];
  const precision = backend === 'webgpu' ? PRECISIONS[r.u32()] : undefined;
  const kind = KINDS[r.u32()];
  if (!backend || !kind || (backend === 'webgpu' && !precision)) throw new TraceError('TRUNCATED', 'evaluator record names an unknown backend, precision or target');
  const n = r.u32(), discrete = r.u32() === 1, p = r.u32();
  const rowPtr = r.i32s(), col = r.i32s(), hasOutEdge = r.u8s();
  const base = r.f64s(), coef = r.f64s(), loopBase = r.f64s(), loopCoef = r.f64s();
  const m = col.length;
  if (rowPtr.length !== n + 1 || hasOutEdge.length !== n || base.length !== m || coef.length !== m * p || loopBase.length !== n || loopCoef.length !== n * p || rowPtr[n] !== m)
    throw new TraceError('TRUNCATED', 'evaluator record has inconsistent structure arrays');
  for (let v = 0; v < n; v++) if (rowPtr[v + 1] < rowPtr[v]) throw new TraceError('TRUNCATED', 'evaluator record has a malformed row pointer');
  for (let j = 0; j < m; j++) if (col[j] < 0 || col[j] >= n) throw new TraceError('TRUNCATED', 'evaluator record has an edge out of range');
  const structureHash = r.ascii(64);
  // Edges of a decoded structure are its canonical edges (messages name those).
  const structure: Structure = { vertexCount: n, discrete, rowPtr, col, canonical: null, hasOutEdge, paramLength: p, base, coef, loopBase, loopCoef };
  let target: CheckedTarget;
  if (kind === 'moments') { const k = r.u32(); target = { kind, k, rewards: r.f64s() }; }
  else if (kind === 'expectations') { const mm = r.u32(); target = { kind, m: mm, rewards: r.f64s() }; }
  else {
    const maxSteps = r.f64(), maxMemoryBytes = r.f64();
    try {
      target = { kind, limits: { maxSteps, maxMemoryBytes }, data: decodeObservations(r.u8s(), n) };
    } catch {
      throw new TraceError('TRUNCATED', 'evaluator record has malformed observations');
    }
  }
  r.end();
  if ((target.kind === 'moments' && target.rewards.length !== n) || (target.kind === 'expectations' && target.rewards.length !== target.m * n))
    throw new TraceError('TRUNCATED', 'evaluator record has rewards of the wrong length');
  return { backend, ...(precision ? { precision } : {}), structure, structureHash, target };
}
