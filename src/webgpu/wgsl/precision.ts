// The number type every kernel computes in, as WGSL text: 'f32', or 'df64', a
// double-single pair (hi, lo) of f32 with hi + lo the value, giving about 48
// bits of mantissa (error ≲ 2⁻⁴⁴ relative per operation) at f32's exponent
// range. df64 rests on error-free transforms (two-sum, Dekker's two-product)
// that a compiler allowed to reassociate floating point destroys; the device's
// self-test (device/self-test.ts) checks them before df64 is used.
//
// Kernels are written once against T and t_add / t_mul / …, and this prelude
// makes them f32 or df64 code. Host arrays of T are packed by packValues.

import type { GpuPrecision } from '../../evaluate/evaluator.js';

export type { GpuPrecision };

/** 32-bit floats per value of type T. */
export const floatsPerValue = (p: GpuPrecision): 1 | 2 => (p === 'f32' ? 1 : 2);

const F32 = /* wgsl */ `
alias T = f32;
fn t_begin(guard: u32) {}
fn t_c(x: f32) -> T { return x; }
fn t_hi(x: T) -> f32 { return x; }
fn t_add(a: T, b: T) -> T { return a + b; }
fn t_sub(a: T, b: T) -> T { return a - b; }
fn t_mul(a: T, b: T) -> T { return a * b; }
fn t_inv(a: T) -> T { return 1.0 / a; }
`;

// Two-sum (Knuth), quick-two-sum (Dekker, |a| ≥ |b|), split and two-product (Dekker,
// no fma: WGSL does not promise a fused one). Algorithms as in Hida, Li & Bailey's QD.
// Every rounded intermediate passes through opaque(): an XOR with a word the kernel
// reads from its parameters at run time (always 0), which no compiler can see
// through, so it cannot rewrite (a + b) − a as b. Without it SwiftShader's compiler
// does exactly that and quick-two-sum's error term comes back 0.
const DF64 = /* wgsl */ `
alias T = vec2<f32>;
var<private> guard_bits: u32;
fn t_begin(guard: u32) { guard_bits = guard; }
fn opaque(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ guard_bits); }
fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = opaque(a + b);
  let v = opaque(s - a);
  return vec2<f32>(s, (a - opaque(s - v)) + (b - v));
}
fn quick_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = opaque(a + b);
  return vec2<f32>(s, b - opaque(s - a));
}
fn split(a: f32) -> vec2<f32> {
  let t = opaque(4097.0 * a);
  let hi = opaque(t - opaque(t - a));
  return vec2<f32>(hi, a - hi);
}
fn two_prod(a: f32, b: f32) -> vec2<f32> {
  let p = opaque(a * b);
  let x = split(a);
  let y = split(b);
  return vec2<f32>(p, ((opaque(x.x * y.x) - p) + x.x * y.y + x.y * y.x) + x.y * y.y);
}
fn t_c(x: f32) -> T { return vec2<f32>(x, 0.0); }
fn t_hi(x: T) -> f32 { return x.x; }
fn t_add(a: T, b: T) -> T {
  var s = two_sum(a.x, b.x);
  let t = two_sum(a.y, b.y);
  s.y += t.x;
  s = quick_two_sum(s.x, s.y);
  s.y += t.y;
  return quick_two_sum(s.x, s.y);
}
fn t_sub(a: T, b: T) -> T { return t_add(a, -b); }
fn t_mul(a: T, b: T) -> T {
  var p = two_prod(a.x, b.x);
  p.y += a.x * b.y + a.y * b.x;
  return quick_two_sum(p.x, p.y);
}
// 1/a: the f32 quotient, then one Newton step in df64 (doubles its correct bits).
fn t_inv(a: T) -> T {
  let q = vec2<f32>(1.0 / a.x, 0.0);
  let r = t_sub(vec2<f32>(1.0, 0.0), t_mul(a, q));
  return t_add(q, t_mul(q, r));
}
`;

/**
 * The WGSL prelude defining T and its arithmetic for a precision. Every entry point
 * calls t_begin(word) first with a parameter word that is 0 at run time.
 */
export function precisionPrelude(precision: GpuPrecision): string {
  return precision === 'f32' ? F32 : DF64;
}

/** f64 values as a host array of T: f32 each, or (hi, lo) pairs for df64. */
export function packValues(values: ArrayLike<number>, precision: GpuPrecision): Float32Array {
  if (precision === 'f32') return Float32Array.from(values);
  const out = new Float32Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const hi = Math.fround(values[i]);
    out[2 * i] = hi;
    out[2 * i + 1] = Number.isFinite(hi) ? Math.fround(values[i] - hi) : 0;
  }
  return out;
}

/** Value i of a host array of T, in f64. */
export function valueAt(data: Float32Array, i: number, precision: GpuPrecision): number {
  return precision === 'f32' ? data[i] : data[2 * i] + data[2 * i + 1];
}
