// A compiled evaluator's specification: everything it computes from, and nothing
// live. The graph's canonical structure and rates (base + C·θ), the checked
// target, the backend, and the structural hash that names its trace in layer 1.
// Its bytes are what layer 2 persists (an evaluator can be rebuilt from them alone);
// its key is a SHA-256 of them taken by section (specKey), so that the structure and
// rates of a large graph, unchanged from call to call, are hashed once per graph.
//
// Format version 3, little-endian (version 2 had the same layout; its key was the
// SHA-256 of the whole record):
//   header: "PKEV" u32 version u32 backend [u32 precision: webgpu only, 0 f32, 1 df64] u32 targetKind
//   structure: u32 n, u32 discrete, u32 paramLength, then arrays each prefixed by
//     its u32 length: i32 rowPtr, i32 col, u8 hasOutEdge (padded to 4),
//     f64 base, f64 coef, f64 loopBase, f64 loopCoef
//   64 ASCII bytes: structural hash (hex)
//   target: moments: u32 k, f64[] rewards; expectations: u32 m, f64[] rewards;
//     loglik: f64 maxSteps, f64 maxMemoryBytes, u8[] observations (observationParts, concatenated)
// Key: SHA-256 of header ‖ hex SHA-256(structure) ‖ structural hash ‖ hex SHA-256(target).
import { TraceError } from '../errors/index.js';
import type { Structure } from '../graph/structure.js';
import { decodeObservations, observationParts, type CheckedObservations } from '../likelihood/observations.js';
import type { Backend, GpuPrecision } from './evaluator.js';
import type { CheckedTarget } from './target.js';
import { sha256Hex, sha256HexOfParts } from '../trace/structural-hash.js';

/** Version of the evaluator record format; part of every key. */
export const EVALUATOR_FORMAT_VERSION = 3;

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
  /** SHA-256 (hex) of what bytes() would return, without joining the parts where the platform allows. */
  digest(): Promise<string> { return sha256HexOfParts(this.parts); }
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
  get offset(): number { return this.at; }
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
  /** Passes over a length-prefixed array of `size`-byte items (and its padding) without reading it. */
  skip(size: number): void {
    const bytes = this.u32() * size, padded = bytes + ((4 - (bytes % 4)) % 4);
    this.need(padded);
    this.at += padded;
  }
  ascii(n: number): string { this.need(n); const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n)); this.at += n; return s; }
  end(): void { if (this.at !== this.b.byteLength) throw new TraceError('TRUNCATED', 'evaluator record has trailing bytes'); }
}

function writeHeader(w: Writer, spec: EvaluatorSpec): void {
  w.u32(MAGIC); w.u32(EVALUATOR_FORMAT_VERSION); w.u32(BACKENDS.indexOf(spec.backend));
  if (spec.backend === 'webgpu') w.u32(PRECISIONS.indexOf(spec.precision ?? 'f32'));
  w.u32(KINDS.indexOf(spec.target.kind));
}

function writeStructure(w: Writer, s: Structure): void {
  w.u32(s.vertexCount); w.u32(s.discrete ? 1 : 0); w.u32(s.paramLength);
  // Not `canonical` (where each stored edge went): graphs that differ only in the order
  // their edges were added are the same evaluator.
  w.array(s.rowPtr); w.array(s.col); w.array(s.hasOutEdge);
  w.array(s.base); w.array(s.coef); w.array(s.loopBase); w.array(s.loopCoef);
}

const structureHashAscii = (spec: EvaluatorSpec) => spec.structureHash.padEnd(64, '0').slice(0, 64);

function writeTarget(w: Writer, t: CheckedTarget): void {
  if (t.kind === 'moments') { w.u32(t.k); w.array(t.rewards); }
  else if (t.kind === 'expectations') { w.u32(t.m); w.array(t.rewards); }
  else { w.f64(t.limits.maxSteps); w.f64(t.limits.maxMemoryBytes); w.joined(observationParts(t.data)); }
}

function section(write: (w: Writer) => void): Writer {
  const w = new Writer();
  write(w);
  return w;
}

/** The spec's bytes: what layer 2 stores. */
export function encodeSpec(spec: EvaluatorSpec): Uint8Array {
  const w = new Writer();
  writeHeader(w, spec);
  writeStructure(w, spec.structure);
  w.ascii(structureHashAscii(spec));
  writeTarget(w, spec.target);
  return w.bytes();
}

// The structure section's SHA-256 per structure object: a graph's structure() is one object
// until the graph changes, and its arrays are never written after it is made (as for
// structuralHash).
const structureDigests = new WeakMap<Structure, Promise<string>>();

function structureDigest(structure: Structure): Promise<string> {
  let digest = structureDigests.get(structure);
  if (!digest) {
    digest = section((w) => writeStructure(w, structure)).digest();
    structureDigests.set(structure, digest);
  }
  return digest;
}

// The structural hash goes in as the record's bytes, not as text: two different byte strings
// must never give one key.
function keyOfSections(header: Uint8Array, structure: string, structureHash: Uint8Array, target: string): Promise<string> {
  const ascii = new TextEncoder();
  return sha256HexOfParts([header, ascii.encode(structure), structureHash, ascii.encode(target)]);
}

// The target section's SHA-256 per checked observations object, with the limits it was taken
// with: checkObservations gives the same object back while a caller's count data are unchanged
// (a coalescent's SFS rewards are megabytes), and its arrays are never written after.
const observationDigests = new WeakMap<CheckedObservations, { maxSteps: number; maxMemoryBytes: number; digest: Promise<string> }>();

function targetDigest(target: CheckedTarget): Promise<string> {
  const digest = () => section((w) => writeTarget(w, target)).digest();
  if (target.kind !== 'loglik') return digest();
  const { maxSteps, maxMemoryBytes } = target.limits;
  const known = observationDigests.get(target.data);
  if (known && known.maxSteps === maxSteps && known.maxMemoryBytes === maxMemoryBytes) return known.digest;
  const fresh = { maxSteps, maxMemoryBytes, digest: digest() };
  observationDigests.set(target.data, fresh);
  return fresh.digest;
}

/** The evaluator's key (layer 2): its record's sections hashed, the structure's once per structure object and the observations' once per checked object. */
export async function specKey(spec: EvaluatorSpec): Promise<string> {
  const [structure, target] = await Promise.all([structureDigest(spec.structure), targetDigest(spec.target)]);
  return keyOfSections(section((w) => writeHeader(w, spec)).bytes(), structure, new TextEncoder().encode(structureHashAscii(spec)), target);
}

/**
 * The key of a record's bytes, to check them against the key they were stored or sent under.
 * Throws TraceError when their header or the structure's length prefixes are not a record's;
 * the rest of the layout is decodeSpec's to check.
 */
export async function keyOfBytes(bytes: Uint8Array): Promise<string> {
  const { headerEnd, structureEnd, hashEnd } = sectionEnds(bytes);
  const [structure, target] = await Promise.all([sha256Hex(bytes.subarray(headerEnd, structureEnd)), sha256Hex(bytes.subarray(hashEnd))]);
  return keyOfSections(bytes.subarray(0, headerEnd), structure, bytes.subarray(structureEnd, hashEnd), target);
}

function readHeader(r: Reader): { backend: Backend; precision: GpuPrecision | undefined; kind: (typeof KINDS)[number] } {
  if (r.u32() !== MAGIC) throw new TraceError('BAD_MAGIC', 'these bytes are not a phasekit evaluator record');
  const version = r.u32();
  if (version !== EVALUATOR_FORMAT_VERSION) throw new TraceError('VERSION_MISMATCH', `evaluator record version ${version}; this phasekit reads version ${EVALUATOR_FORMAT_VERSION}`);
  const backend = BACKENDS[r.u32()];
  const precision = backend === 'webgpu' ? PRECISIONS[r.u32()] : undefined;
  const kind = KINDS[r.u32()];
  if (!backend || !kind || (backend === 'webgpu' && !precision)) throw new TraceError('TRUNCATED', 'evaluator record names an unknown backend, precision or target');
  return { backend, precision, kind };
}

// Where the sections end, from the header and the structure's length prefixes alone: what
// keyOfBytes needs. Every reader decodes the record too (decodeSpec checks the rest), so the
// arrays, megabytes for an SFS evaluator, are not decoded a second time for the key.
function sectionEnds(bytes: Uint8Array): { headerEnd: number; structureEnd: number; hashEnd: number } {
  const r = new Reader(bytes);
  readHeader(r);
  const headerEnd = r.offset;
  r.u32(); r.u32(); r.u32(); // n, discrete, paramLength
  r.skip(4); r.skip(4); r.skip(1); // rowPtr, col, hasOutEdge
  for (let i = 0; i < 4; i++) r.skip(8); // base, coef, loopBase, loopCoef
  const structureEnd = r.offset;
  r.ascii(64);
  return { headerEnd, structureEnd, hashEnd: r.offset };
}

/** Parses spec bytes, checking their layout (not their hash: that is the caller's, against the key). */
export function decodeSpec(bytes: Uint8Array): EvaluatorSpec {
  const r = new Reader(bytes);
  const { backend, precision, kind } = readHeader(r);
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
