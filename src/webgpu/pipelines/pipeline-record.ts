// What layer 3 stores of a compute pipeline: everything that makes it, never
// the binary (the web cannot persist one). Its key is the SHA-256 of the
// record's canonical bytes, so a stored record is verified by hashing it, and a
// pipeline made for another adapter or feature set has another key.
import { CacheError } from '../../cache/errors.js';
import { sha256Hex } from '../../trace/structural-hash.js';

/** Version of the stored record layout; part of every key. */
export const PIPELINE_FORMAT_VERSION = 1;

/** How a kernel sees binding i of group 0. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

/** A compute pipeline as a kernel asks for it. */
export interface PipelineRequest {
  /** The WGSL module. */
  code: string;
  entryPoint: string;
  /** Bindings 0..n−1 of group 0: the explicit layout. */
  layout: BindingKind[];
  /** Pipeline-overridable constants. */
  constants?: Record<string, number>;
}

/** A request bound to the device it compiles for: the stored record. */
export interface PipelineRecord extends Required<PipelineRequest> {
  /** The device's features, sorted. */
  features: string[];
  /** The adapter: vendor, architecture, device, description. */
  adapter: string;
}

const KINDS: readonly BindingKind[] = ['uniform', 'read-only-storage', 'storage'];

/** The record's canonical bytes (keys sorted, so equal records give equal bytes). */
export function encodePipelineRecord(r: PipelineRecord): Uint8Array {
  const constants = Object.fromEntries(Object.entries(r.constants).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const canonical = { v: PIPELINE_FORMAT_VERSION, adapter: r.adapter, code: r.code, constants, entryPoint: r.entryPoint, features: [...r.features].sort(), layout: r.layout };
  return new TextEncoder().encode(JSON.stringify(canonical));
}

/** Parses stored bytes; throws CacheError CORRUPT when they are not a record of this version. */
export function decodePipelineRecord(bytes: Uint8Array): PipelineRecord {
  let x: Record<string, unknown>;
  try {
    x = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new CacheError('CORRUPT', 'stored pipeline record is not JSON');
  }
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  const ok = typeof x === 'object' && x !== null && x.v === PIPELINE_FORMAT_VERSION
    && typeof x.code === 'string' && typeof x.entryPoint === 'string' && typeof x.adapter === 'string'
    && Array.isArray(x.layout) && x.layout.every((k) => KINDS.includes(k as BindingKind))
    && strings(x.features)
    && typeof x.constants === 'object' && x.constants !== null && !Array.isArray(x.constants)
    && Object.values(x.constants).every((c) => typeof c === 'number' && Number.isFinite(c));
  if (!ok) throw new CacheError('CORRUPT', 'stored pipeline record has the wrong shape or version');
  return x as unknown as PipelineRecord;
}

/** The record's key: SHA-256 (hex) of its canonical bytes. */
export function pipelineKey(bytes: Uint8Array): Promise<string> {
  return sha256Hex(bytes);
}
