// WGSL shared by the kernels: the particle index (a 2-D dispatch when one row of
// workgroups would exceed the device's limit) and θ with its affine rates.

/**
 * Lines for i = 0 … count − 1, joined: the tangent directions are unrolled into
 * scalar variables (v0, v1, …) when the source is generated, so they live in
 * registers rather than in a dynamically indexed private array.
 */
export function each(count: number, line: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => line(i)).join('\n    ');
}

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
