// Trace targets on the GPU — moments, reward expectations (the SFS), counts —
// one thread per parameter particle. The tape (the recorded elimination, the
// same for every particle) is interpreted from a storage buffer: each op is
// read once per thread, uniformly across the workgroup, and its operands and
// result live in a per-particle value array laid out particle-fastest, so
// neighbouring threads touch neighbouring words. (Why an interpreter rather than
// WGSL generated per structure: docs/webgpu.md, measured.)
//
// Slots as in the kernel's tape: 0..NI−1 are the canonical edge weights, made on
// the fly from θ (w = b + C·θ, never stored); NI is the constant 0; op k writes
// slot NI + 1 + k. Gradients are forward mode: every slot carries ∂/∂θ_i.
//
// Then the replays (pk_solve): x = b ⊙ scale0, and per command x[dst] += m·x[src]
// (or x[dst] *= m), m read from the command's slot. Expectations replay their m
// reward vectors in parallel (one thread per particle and reward); moments replay
// k times in turn, b_{j+1} = (j+1)·r ⊙ x_j.
//
// Entry points: tape (ops n0..n1), replay_init, replay (commands n0..n1), replay_out.
import type { GpuPrecision } from './precision.js';
import { kernelHeader, layoutOf, PARTICLE_THREAD, WORKGROUP_SIZE, type KernelInterface } from './common.js';
import type { BindingKind } from '../pipelines/pipeline-record.js';

/** Options of {@link tapeSource}. */
export interface TapeShape {
  precision: GpuPrecision;
  paramLength: number;
  gradient: boolean;
  /** Moments (replays in turn, b from the previous x) or expectations (replays side by side). */
  moments: boolean;
}

/**
 * The kernels' interface. idx: ops (4 words each), the commands' dst, src and slot, the scale
 * slots; cf: the inputs' coefficient rows, then the rewards; bat: θ rows; vals: the tape's
 * values and tangents; xs: the replays' vectors; res: the outputs.
 */
export const TAPE: KernelInterface = {
  params: ['rows', 'stride', 'ni', 'n', 'n0', 'n1', 'order', 'replays', 'offDst', 'offSrc', 'offSlot', 'offScale', 'offR', 'wx', 'guard'],
  buffers: [['idx', 'read', 'u32'], ['cf', 'read', 'T'], ['bat', 'read', 'T'], ['vals', 'read_write', 'T'], ['xs', 'read_write', 'T'], ['res', 'read_write', 'T']],
};

/** The explicit layout of {@link TAPE}. */
export const TAPE_LAYOUT: BindingKind[] = layoutOf(TAPE);

// The replays' thread: particle pid, reward (or replay) r.
const REPLAY_THREAD = `  t_begin(prm.guard);
  let t = thread_index(gid);
  if (t >= prm.rows * prm.replays) { return; }
  let pid = t % prm.rows;
  let r = t / prm.rows;`;

/** The opcodes of wasm-src/kernel.h. */
const OP = { ADD: 1, MUL: 2, FMA: 3, INV: 4 } as const;

/** The WGSL module (entry points tape, replay_init, replay, replay_out) for one shape. */
export function tapeSource(s: TapeShape): string {
  const np = s.gradient ? s.paramLength : 0;
  return /* wgsl */ `${kernelHeader(TAPE, s.precision, s.paramLength, np)}

// Slot s's value and tangents: an input from θ, else the value array (slot NI is 0).
fn slot_value(s: u32, pid: u32) -> T {
  if (s < prm.ni) { return affine(s * (1u + PT)); }
  return vals[((s - prm.ni) * D) * prm.stride + pid];
}
fn slot_tangent(s: u32, i: u32, pid: u32) -> T {
  if (s < prm.ni) { return cf[s * (1u + PT) + 1u + i]; }
  return vals[((s - prm.ni) * D + 1u + i) * prm.stride + pid];
}
fn xi(r: u32, v: u32, j: u32, pid: u32) -> u32 { return ((r * prm.n + v) * D + j) * prm.stride + pid; }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn tape(@builtin(global_invocation_id) gid: vec3<u32>) {
${PARTICLE_THREAD}
  load_theta(pid);
  for (var k = prm.n0; k < prm.n1; k++) {
    let op = idx[4u * k];
    let a = idx[4u * k + 1u];
    let b = idx[4u * k + 2u];
    let c = idx[4u * k + 3u];
    let va = slot_value(a, pid);
    let out = (1u + k) * D * prm.stride + pid;
    var v: T;
    switch op {
      case ${OP.ADD}u: {
        v = t_add(va, slot_value(b, pid));
        for (var i = 0u; i < NP; i++) { vals[out + (1u + i) * prm.stride] = t_add(slot_tangent(a, i, pid), slot_tangent(b, i, pid)); }
      }
      case ${OP.MUL}u: {
        let vb = slot_value(b, pid);
        v = t_mul(va, vb);
        for (var i = 0u; i < NP; i++) { vals[out + (1u + i) * prm.stride] = t_add(t_mul(slot_tangent(a, i, pid), vb), t_mul(va, slot_tangent(b, i, pid))); }
      }
      case ${OP.FMA}u: {
        let vb = slot_value(b, pid);
        let vc = slot_value(c, pid);
        v = t_add(va, t_mul(vb, vc));
        for (var i = 0u; i < NP; i++) {
          vals[out + (1u + i) * prm.stride] = t_add(slot_tangent(a, i, pid), t_add(t_mul(slot_tangent(b, i, pid), vc), t_mul(vb, slot_tangent(c, i, pid))));
        }
      }
      default: {
        v = t_inv(va);
        let v2 = t_mul(v, v);
        for (var i = 0u; i < NP; i++) { vals[out + (1u + i) * prm.stride] = t_sub(t_c(0.0), t_mul(slot_tangent(a, i, pid), v2)); }
      }
    }
    vals[out] = v;
  }
}

// x_r = b_r ⊙ scale0 with b_r = rewards r (expectations; moments of order 0), or
// b = (order + 1)·r ⊙ x (moments of a higher order, x from the previous replay).
@compute @workgroup_size(${WORKGROUP_SIZE})
fn replay_init(@builtin(global_invocation_id) gid: vec3<u32>) {
${REPLAY_THREAD}
  load_theta(pid);
  for (var v = 0u; v < prm.n; v++) {
    let sc = idx[prm.offScale + v];
    let scale = slot_value(sc, pid);
    let reward = cf[prm.offR + r * prm.n + v];
    ${s.moments ? `
    var b = reward;
    var db = array<T, D>();
    if (prm.order > 0u) {
      let f = t_mul(t_c(f32(prm.order + 1u)), reward);
      b = t_mul(f, xs[xi(r, v, 0u, pid)]);
      for (var i = 0u; i < NP; i++) { db[i] = t_mul(f, xs[xi(r, v, 1u + i, pid)]); }
    }` : `
    let b = reward;
    var db = array<T, D>();`}
    xs[xi(r, v, 0u, pid)] = t_mul(b, scale);
    for (var i = 0u; i < NP; i++) { xs[xi(r, v, 1u + i, pid)] = t_add(t_mul(db[i], scale), t_mul(b, slot_tangent(sc, i, pid))); }
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn replay(@builtin(global_invocation_id) gid: vec3<u32>) {
${REPLAY_THREAD}
  load_theta(pid);
  for (var k = prm.n0; k < prm.n1; k++) {
    let d = idx[prm.offDst + k];
    let src = idx[prm.offSrc + k];
    let sl = idx[prm.offSlot + k];
    let m = slot_value(sl, pid);
    let xd = xs[xi(r, d, 0u, pid)];
    if (src == 0xffffffffu) {
      for (var i = 0u; i < NP; i++) {
        let at = xi(r, d, 1u + i, pid);
        xs[at] = t_add(t_mul(xs[at], m), t_mul(xd, slot_tangent(sl, i, pid)));
      }
      xs[xi(r, d, 0u, pid)] = t_mul(xd, m);
    } else {
      let xsrc = xs[xi(r, src, 0u, pid)];
      for (var i = 0u; i < NP; i++) {
        let at = xi(r, d, 1u + i, pid);
        xs[at] = t_add(xs[at], t_add(t_mul(slot_tangent(sl, i, pid), xsrc), t_mul(m, xs[xi(r, src, 1u + i, pid)])));
      }
      xs[xi(r, d, 0u, pid)] = t_add(xd, t_mul(m, xsrc));
    }
  }
}

// Output (order, or reward r) = x_r at the start vertex, with its tangents.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn replay_out(@builtin(global_invocation_id) gid: vec3<u32>) {
${REPLAY_THREAD}
  let o = ${s.moments ? 'prm.order' : 'r'};
  for (var j = 0u; j < D; j++) { res[(o * D + j) * prm.stride + pid] = xs[xi(r, 0u, j, pid)]; }
}
`;
}
