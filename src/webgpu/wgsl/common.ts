// WGSL shared by the kernels: their interface (a parameter struct and storage
// buffers, declared from one list that also gives the host its explicit layout
// and its parameter words by name), the particle index (a 2-D dispatch when one
// row of workgroups would exceed the device's limit) and θ with its affine rates.
import type { BindingKind } from '../pipelines/pipeline-record.js';
import { precisionPrelude, type GpuPrecision } from './precision.js';

/** A kernel module's interface: its parameter words (u32, in order) and buffers (bindings 1…; 0 is the parameters). */
export interface KernelInterface {
  params: readonly string[];
  buffers: readonly (readonly [name: string, access: 'read' | 'read_write', element: 'u32' | 'T'])[];
}

/** The module's header: the number type, PT (θ length), NP (tangents), D = 1 + NP, the Params struct and the bindings. */
export function kernelHeader(k: KernelInterface, precision: GpuPrecision, paramLength: number, tangents: number): string {
  return /* wgsl */ `${precisionPrelude(precision)}
const PT: u32 = ${paramLength}u;
const NP: u32 = ${tangents}u;
const D: u32 = ${1 + tangents}u;
struct Params { ${k.params.map((f) => `${f}: u32`).join(', ')} }
@group(0) @binding(0) var<uniform> prm: Params;
${k.buffers.map(([name, access, element], i) => `@group(0) @binding(${i + 1}) var<storage, ${access}> ${name}: array<${element}>;`).join('\n')}
${thetaSupport(paramLength)}`;
}

/** The explicit layout of a kernel interface. */
export function layoutOf(k: KernelInterface): BindingKind[] {
  return ['uniform', ...k.buffers.map(([, access]): BindingKind => (access === 'read' ? 'read-only-storage' : 'storage'))];
}

/** Bytes of the uniform buffer that holds a kernel's parameter words (whole 16-byte rows). */
export function paramBytes(k: KernelInterface): number {
  return 16 * Math.ceil(k.params.length / 4);
}

/** The parameter words of one dispatch, by name (unnamed ones 0). */
export function paramWords(k: KernelInterface, values: Record<string, number>): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(paramBytes(k) / 4);
  for (const [name, value] of Object.entries(values)) {
    const at = k.params.indexOf(name);
    if (at < 0) throw new Error(`kernel parameter '${name}' does not exist`);
    words[at] = value;
  }
  return words;
}

/**
 * Lines for i = 0 … count − 1, joined: the tangent directions are unrolled into
 * scalar variables (v0, v1, …) when the source is generated, so they live in
 * registers rather than in a dynamically indexed private array.
 */
export function each(count: number, line: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => line(i)).join('\n    ');
}

/** The first lines of a kernel with one thread per particle: the df64 guard, pid, and the threads past the batch leave. */
export const PARTICLE_THREAD = `  t_begin(prm.guard);
  let pid = thread_index(gid);
  if (pid >= prm.rows) { return; }`;

/** Threads per workgroup in every kernel. */
export const WORKGROUP_SIZE = 64;

/**
 * θ of the thread's particle in private scalars th0, th1, …, and affine(row): base + coef·θ
 * for a coefficient row [base, coef_1..coef_PT] of cf. Needs PT, T, cf, bat and prm.wx.
 */
export function thetaSupport(paramLength: number): string {
  const p = paramLength;
  return /* wgsl */ `
${each(p, (i) => `var<private> th${i}: T;`)}
fn thread_index(gid: vec3<u32>) -> u32 { return gid.x + gid.y * prm.wx * ${WORKGROUP_SIZE}u; }
fn load_theta(pid: u32) {
  ${each(p, (i) => `th${i} = bat[pid * PT + ${i}u];`)}
}
fn affine(row: u32) -> T {
  var x = cf[row];
  ${each(p, (i) => `x = t_add(x, t_mul(cf[row + ${i + 1}u], th${i}));`)}
  return x;
}`;
}
