// The device's self-test, run once when it starts. f32: a kernel's arithmetic
// comes back as the CPU computes it in f32. df64: the error-free transforms
// survive the shader compiler — two-sum's and two-product's error terms are
// exact, and df64 add, multiply and inverse keep ≲ 2⁻⁴⁴ relative error — on
// inputs chosen so that reassociation or dropped error terms show. A compiler
// that simplifies (s − a) − s to 0 (fast-math) fails it, and df64 is then
// refused on this device (the evaluators compute in WASM's f64 instead).
import { precisionPrelude } from '../wgsl/precision.js';
import type { PipelineRequest } from '../pipelines/pipeline-record.js';

/** What the self-test found. */
export interface SelfTestResult {
  /** f32 arithmetic is as on the CPU. */
  f32: boolean;
  /** df64 arithmetic keeps its precision: error-free transforms exact, ops within 2⁻⁴⁰. */
  df64: boolean;
  /** Largest relative error of df64 add/mul/inv against f64 (NaN when not measured). */
  df64Error: number;
  /** Why a part failed, in words ('' when both pass). */
  detail: string;
}

/** Cases of the test: pairs (a, b) of f64 values. */
export const SELF_TEST_CASES: [number, number][] = (() => {
  const cases: [number, number][] = [
    [1, 2 ** -30], [1 + 2 ** -23, 1 - 2 ** -23], [3, 1 / 3], [1e5 + 1 / 7, -1e5], [Math.PI, Math.E], [0.1, 0.7],
    [123456.789, 1e-5], [2 ** 20 + 1, 2 ** 20 - 1], [-0.3333333333333333, 3.0000000000000004],
  ];
  // Deterministic spread (no Math.random: a failure must reproduce).
  let x = 0x9e3779b9;
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32; };
  for (let i = 0; i < 55; i++) cases.push([(next() - 0.5) * 2 ** (Math.floor(next() * 24) - 12), (next() - 0.5) * 2 ** (Math.floor(next() * 24) - 12)]);
  return cases;
})();

/** Per case, 5 vec4 of results; see the kernel. */
export const SELF_TEST_OUTPUTS = 5;

/** The self-test kernel: for each case (a, b as df64 pairs), error-free transforms and df64 ops of them, and f32 ops. */
export function selfTestRequest(): PipelineRequest {
  const code = /* wgsl */ `${precisionPrelude('df64')}
@group(0) @binding(0) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> output: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let cases = arrayLength(&input) - 1u;
  t_begin(bitcast<u32>(input[cases].x));
  let i = gid.x;
  if (i >= cases) { return; }
  let c = input[i];
  let a = c.xy;
  let b = c.zw;
  let o = i * ${SELF_TEST_OUTPUTS}u;
  output[o] = vec4<f32>(two_sum(a.x, b.x), two_prod(a.x, b.x));
  output[o + 1u] = vec4<f32>(t_add(a, b), t_mul(a, b));
  output[o + 2u] = vec4<f32>(t_inv(a), t_sub(a, b));
  output[o + 3u] = vec4<f32>(a.x + b.x, a.x * b.x, a.x - b.x, a.x / b.x);
  output[o + 4u] = vec4<f32>(t_mul(t_add(a, b), t_sub(a, b)), t_add(t_mul(a, a), t_inv(b)));
}`;
  return { code, entryPoint: 'main', layout: ['read-only-storage', 'storage'] };
}

/** The kernel's input: each case's a and b as (hi, lo) pairs, then a zero word (the run-time guard). */
export function selfTestInput(): Float32Array {
  const out = new Float32Array(4 * SELF_TEST_CASES.length + 4);
  SELF_TEST_CASES.forEach(([a, b], i) => {
    const ah = Math.fround(a), bh = Math.fround(b);
    out.set([ah, Math.fround(a - ah), bh, Math.fround(b - bh)], 4 * i);
  });
  return out;
}

/** Judges the kernel's output against f64 on the CPU. */
export function judgeSelfTest(output: Float32Array): SelfTestResult {
  const input = selfTestInput();
  let f32 = true, eft = true, worst = 0;
  const problems: string[] = [];
  const rel = (got: number, want: number) => (want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want));
  for (let i = 0; i < SELF_TEST_CASES.length; i++) {
    const [ah, al, bh, bl] = input.subarray(4 * i, 4 * i + 4);
    const a = ah + al, b = bh + bl;
    const r = output.subarray(4 * SELF_TEST_OUTPUTS * i, 4 * SELF_TEST_OUTPUTS * (i + 1));
    // Two-sum and two-product of the f32 heads are exact in f64 at these magnitudes.
    if (r[0] !== Math.fround(ah + bh) || r[0] + r[1] !== ah + bh || r[2] !== Math.fround(ah * bh) || r[2] + r[3] !== ah * bh) {
      if (eft) problems.push(`error-free transforms of (${ah}, ${bh}) are not exact`);
      eft = false;
    }
    const f32ok = r[12] === Math.fround(ah + bh) && r[13] === Math.fround(ah * bh) && r[14] === Math.fround(ah - bh) && rel(r[15], ah / bh) < 2 ** -21;
    if (!f32ok) {
      if (f32) problems.push(`f32 arithmetic on (${ah}, ${bh}) differs from the CPU`);
      f32 = false;
    }
    const errors = [
      rel(r[4] + r[5], a + b) * Math.abs(a + b) / Math.max(Math.abs(a), Math.abs(b)),
      rel(r[6] + r[7], a * b),
      rel(r[8] + r[9], 1 / a),
      rel(r[10] + r[11], a - b) * Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)),
      rel(r[16] + r[17], (a + b) * (a - b)) * Math.abs((a + b) * (a - b)) / Math.max(a * a, b * b),
      rel(r[18] + r[19], a * a + 1 / b) * Math.abs(a * a + 1 / b) / Math.max(a * a, Math.abs(1 / b)),
    ];
    for (const e of errors) worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  }
  const opsOk = worst <= 2 ** -40;
  if (!opsOk) problems.push(`df64 operations lose precision (relative error ${worst.toExponential(2)} > 2⁻⁴⁰)`);
  return { f32, df64: f32 && eft && opsOk, df64Error: worst, detail: problems.join('; ') };
}
