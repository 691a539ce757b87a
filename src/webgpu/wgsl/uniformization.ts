// The likelihood of observed times (or steps) on the GPU: one thread per
// parameter particle, all particles of a batch sharing the uniformisation rate
// λ (the batch's largest exit rate), so they share the Poisson windows too.
// Stepping: v_0 = α, v_{n+1} = v_n K, K = I + S/λ (discrete: the transition
// matrix, λ = 1), gathering by target over the structure's transient edges —
// the same sparsity pattern for every particle, so neighbouring threads read
// neighbouring words. K's entries are made on the fly from θ (w = b + C·θ),
// nothing per particle is stored but the vectors.
//
// Gradients are forward mode: each thread carries ∂v/∂θ_i beside v (f is exactly
// invariant in λ, so λ is held fixed). Forward mode stores nothing per step but
// a_n, b_n: the reverse pass of the WASM kernel would need every v_n, which on a
// GPU is (steps × vertices × particles) words. It costs (1 + paramLength) times
// the values alone, which suits the small θ of phase-type models.
//
// Only the rows the mass can have reached are stepped: v_n is 0 from its row bound on
// (point-plan.ts), and each row's sources ascend, so a row's gather stops at the first
// source past the bound. The terms left out are all +0.
//
// Entry points: init (v_0, and index 0 of a: 1 − Σα, the discrete pmf at 0),
// step (steps n0..n1: a_n = v_n·s, b_n = Σ v_n, then v_{n+1}), observe (each
// observation's f = Σ_k W_k x_k over its window, with tangents: either written
// per observation, for the host's f64 log-sum, or summed as log f in blocks).
import type { GpuPrecision } from './precision.js';
import { each, kernelHeader, layoutOf, PARTICLE_THREAD, WORKGROUP_SIZE, type KernelInterface } from './common.js';
import type { BindingKind } from '../pipelines/pipeline-record.js';

/** Options of {@link uniformizationSource}. */
export interface UniformizationShape {
  precision: GpuPrecision;
  /** Length of θ. */
  paramLength: number;
  /** Carry ∂/∂θ (forward mode). */
  gradient: boolean;
  /** Keep b_n (mass still transient): there are censored observations. */
  censored: boolean;
  /** Write each observation's f and tangents (else block sums of log f and ∂ log f, in f32). */
  perObservation: boolean;
}

/** Observations summed per block when not written one by one. */
export const OBSERVATION_BLOCK = 32;

/**
 * The kernels' interface. idx: rcp, rsrc, then 4 words per observation (kind, lo, hi, window
 * offset), then the row bounds of v_0, v_1, … (nB of them at offB; the last holds for every
 * later step); cf: coefficient rows; bat: θ rows, 1/λ, multiplicities, window weights; st: v
 * and its tangents, two buffers; ab: a then b records; res: observation results.
 */
export const UNIFORMIZATION: KernelInterface = {
  params: ['rows', 'stride', 'nt', 'n0', 'n1', 'steps', 'offX', 'offS', 'offA', 'boff', 'nobs', 'wx', 'offObs', 'offW', 'offIl', 'offB', 'nB', 'guard'],
  buffers: [['idx', 'read', 'u32'], ['cf', 'read', 'T'], ['bat', 'read', 'T'], ['st', 'read_write', 'T'], ['ab', 'read_write', 'T'], ['res', 'read_write', 'T']],
};

/** The explicit layout of {@link UNIFORMIZATION}. */
export const UNIFORMIZATION_LAYOUT: BindingKind[] = layoutOf(UNIFORMIZATION);

/** The WGSL module (entry points init, step, observe) for one shape. */
export function uniformizationSource(s: UniformizationShape): string {
  const np = s.gradient ? s.paramLength : 0, d = 1 + np;
  return /* wgsl */ `${kernelHeader(UNIFORMIZATION, s.precision, s.paramLength, np)}
const BLK: u32 = ${OBSERVATION_BLOCK}u;
fn sidx(buf: u32, b: u32, j: u32, pid: u32) -> u32 { return ((buf * prm.nt + b) * D + j) * prm.stride + pid; }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn init(@builtin(global_invocation_id) gid: vec3<u32>) {
${PARTICLE_THREAD}
  load_theta(pid);
  var mass = array<T, D>();
  for (var b = 0u; b < prm.nt; b++) {
    let row = prm.offA + b * (1u + PT);
    let v = affine(row);
    st[sidx(0u, b, 0u, pid)] = v;
    mass[0] = t_add(mass[0], v);
    for (var i = 0u; i < NP; i++) {
      st[sidx(0u, b, 1u + i, pid)] = cf[row + 1u + i];
      mass[1u + i] = t_add(mass[1u + i], cf[row + 1u + i]);
    }
  }
  ab[pid] = t_sub(t_c(1.0), mass[0]);
  for (var i = 0u; i < NP; i++) { ab[(1u + i) * prm.stride + pid] = t_sub(t_c(0.0), mass[1u + i]); }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn step(@builtin(global_invocation_id) gid: vec3<u32>) {
${PARTICLE_THREAD}
  load_theta(pid);
  let il = bat[prm.offIl];
  let nt = prm.nt;
  for (var n = prm.n0; n < prm.n1; n++) {
    let cur = n & 1u;
    let nxt = cur ^ 1u;
    let last = n == prm.steps;
    // v_n is 0 from row h on; v_{n+1} from hn on. A row of v_n past h reads 0: the state
    // buffers are new for each batch (WebGPU fills them with 0), init writes all of v_0, and
    // the bounds only grow, so no step has written there.
    let h = idx[prm.offB + min(n, prm.nB - 1u)];
    let hn = idx[prm.offB + min(n + 1u, prm.nB - 1u)];
    let top = select(hn, h, last);
    ${each(d, (j) => `var a${j} = t_c(0.0);\n    var m${j} = t_c(0.0);`)}
    for (var b = 0u; b < top; b++) {
      ${each(d, (j) => `let v${j} = st[sidx(cur, b, ${j}u, pid)];`)}
      let srow = prm.offS + b * (1u + PT);
      let s = affine(srow);
      a0 = t_add(a0, t_mul(v0, s));
      ${each(np, (i) => `a${i + 1} = t_add(a${i + 1}, t_add(t_mul(v${i + 1}, s), t_mul(v0, cf[srow + ${i + 1}u])));`)}
      ${each(d, (j) => `m${j} = t_add(m${j}, v${j});`)}
      if (last) { continue; }
      let xrow = prm.offX + b * (1u + PT);
      let stay = t_sub(t_c(1.0), t_mul(affine(xrow), il));
      var acc0 = t_mul(v0, stay);
      ${each(np, (i) => `var acc${i + 1} = t_sub(t_mul(v${i + 1}, stay), t_mul(v0, t_mul(cf[xrow + ${i + 1}u], il)));`)}
      for (var r = idx[b]; r < idx[b + 1u]; r++) {
        let src = idx[nt + 1u + r];
        if (src >= h) { break; }
        let erow = r * (1u + PT);
        let k = t_mul(affine(erow), il);
        let s0 = st[sidx(cur, src, 0u, pid)];
        acc0 = t_add(acc0, t_mul(k, s0));
        ${each(np, (i) => `acc${i + 1} = t_add(acc${i + 1}, t_add(t_mul(k, st[sidx(cur, src, ${i + 1}u, pid)]), t_mul(t_mul(cf[erow + ${i + 1}u], il), s0)));`)}
      }
      ${each(d, (j) => `st[sidx(nxt, b, ${j}u, pid)] = acc${j};`)}
    }
    ${each(d, (j) => `ab[((n + 1u) * D + ${j}u) * prm.stride + pid] = a${j};`)}
    ${s.censored ? each(d, (j) => `ab[prm.boff + (n * D + ${j}u) * prm.stride + pid] = m${j};`) : ''}
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn observe(@builtin(global_invocation_id) gid: vec3<u32>) {
${PARTICLE_THREAD}
  for (var blk = prm.n0; blk < prm.n1; blk++) {
    ${each(d, (j) => `var ll${j} = 0.0;`)}
    var bad = false;
    let i1 = min((blk + 1u) * BLK, prm.nobs);
    for (var i = blk * BLK; i < i1; i++) {
      let o = prm.offObs + 4u * i;
      let region = select(0u, prm.boff, idx[o] == 1u);
      let lo = idx[o + 1u];
      let hi = idx[o + 2u];
      let woff = prm.offW + idx[o + 3u];
      ${each(d, (j) => `var f${j} = t_c(0.0);`)}
      for (var k = lo; k <= hi; k++) {
        let wk = bat[woff + k - lo];
        let at = region + k * D * prm.stride + pid;
        ${each(d, (j) => `f${j} = t_add(f${j}, t_mul(wk, ab[at + ${j}u * prm.stride]));`)}
      }
      ${s.perObservation
    ? each(d, (j) => `res[(i * D + ${j}u) * prm.stride + pid] = f${j};`)
    : `let weight = t_hi(bat[prm.offW - prm.nobs + i]);
      let fv = t_hi(f0);
      if (!(fv > 0.0)) { bad = true; }
      ll0 += weight * log(max(fv, 1e-38));
      ${each(np, (i) => `ll${i + 1} += weight * t_hi(f${i + 1}) / fv;`)}`}
    }
    ${s.perObservation ? '' : `${each(d, (j) => `res[(blk * D + ${j}u) * prm.stride + pid] = t_c(ll${j});`)}
    if (bad) { res[(((prm.nobs + BLK - 1u) / BLK) * D) * prm.stride + pid] = t_c(1.0); }`}
  }
}
`;
}
