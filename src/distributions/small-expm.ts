// exp(τ(I − H⁻¹))·e₁ for the small Hessenberg H of a shift-and-invert Krylov run (at most
// a hundred or so rows): a rational approximation on a fraction of τ, then squarings.
import { matmulAdd } from '../kernel/dense.js';

/** ‖A‖₁ of an m × m row-major matrix. */
function norm1(a: Float64Array, m: number): number {
  let best = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += Math.abs(a[i * m + j]);
    best = Math.max(best, s);
  }
  return best;
}

function multiply(x: Float64Array, y: Float64Array, m: number, out: Float64Array): void {
  out.fill(0);
  matmulAdd(x, y, m, m, m, out);
}

/**
 * The [3/4] Padé approximant of eˣ, used at |x| ≤ 0.05 (error about 10⁻¹⁷). Higher degrees
 * reach further with fewer squarings but their partial fractions cancel: [6/7] at 0.5 was
 * off by 10⁻¹² on a diagonal test matrix, [3/4] at 0.05 by 10⁻¹⁶.
 */
const PADE_DEGREE = 4;
const PADE_REACH = 0.05;
/** Its coefficients: numerator p₀..p₃, denominator q₀..q₄. */
const PADE_P: number[] = [];
const PADE_Q: number[] = [];
{
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const L = PADE_DEGREE - 1, M = PADE_DEGREE;
  for (let j = 0; j <= L; j++) PADE_P.push((fact(L + M - j) * fact(L)) / (fact(L + M) * fact(j) * fact(L - j)));
  for (let j = 0; j <= M; j++) PADE_Q.push(((-1) ** j * fact(L + M - j) * fact(M)) / (fact(L + M) * fact(j) * fact(M - j)));
}

/** Solves A X = B for m × m row-major A and B by Gaussian elimination with partial pivoting (B overwritten); false if singular. */
function solveInPlace(a: Float64Array, b: Float64Array, m: number): boolean {
  const w = Float64Array.from(a);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(w[r * m + c]) > Math.abs(w[p * m + c])) p = r;
    const pivot = w[p * m + c];
    if (!(Math.abs(pivot) > 0)) return false;
    if (p !== c) for (let j = 0; j < m; j++) {
      [w[p * m + j], w[c * m + j]] = [w[c * m + j], w[p * m + j]];
      [b[p * m + j], b[c * m + j]] = [b[c * m + j], b[p * m + j]];
    }
    for (let r = c + 1; r < m; r++) {
      const f = w[r * m + c] / pivot;
      if (f === 0) continue;
      for (let j = c; j < m; j++) w[r * m + j] -= f * w[c * m + j];
      for (let j = 0; j < m; j++) b[r * m + j] -= f * b[c * m + j];
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    const pivot = w[c * m + c];
    for (let j = 0; j < m; j++) b[c * m + j] /= pivot;
    for (let r = 0; r < c; r++) {
      const f = w[r * m + c];
      if (f !== 0) for (let j = 0; j < m; j++) b[r * m + j] -= f * b[c * m + j];
    }
  }
  return true;
}

/** The poles z_k of the Padé approximant (roots of q, by Durand–Kerner) and its residues a_k = p(z_k)/q'(z_k): r(x) = Σ a_k/(x − z_k). */
const PADE_POLES: { re: number; im: number; weight: [number, number] }[] = (() => {
  type C = [number, number];
  const mul = (x: C, y: C): C => [x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]];
  const div = (x: C, y: C): C => { const d = y[0] * y[0] + y[1] * y[1]; return [(x[0] * y[0] + x[1] * y[1]) / d, (x[1] * y[0] - x[0] * y[1]) / d]; };
  const horner = (c: number[], z: C): C => c.reduceRight<C>((acc, k) => { const t = mul(acc, z); return [t[0] + k, t[1]]; }, [0, 0]);
  const lead = PADE_Q[PADE_DEGREE];
  const monic = PADE_Q.map((x) => x / lead);
  let roots: C[] = Array.from({ length: PADE_DEGREE }, (_, k) => mul([2, 0], [Math.cos(0.4 + (2 * Math.PI * k) / PADE_DEGREE), Math.sin(0.4 + (2 * Math.PI * k) / PADE_DEGREE)]));
  for (let it = 0; it < 500; it++)
    roots = roots.map((z, i) => {
      let den: C = [1, 0];
      roots.forEach((w, j) => { if (j !== i) den = mul(den, [z[0] - w[0], z[1] - w[1]]); });
      const step = div(horner(monic, z), den);
      return [z[0] - step[0], z[1] - step[1]];
    });
  const dq = PADE_Q.slice(1).map((x, j) => x * (j + 1));
  return roots.map((z) => ({ re: z[0], im: Math.abs(z[1]) < 1e-12 ? 0 : z[1], weight: div(horner(PADE_P, z), horner(dq, z)) }));
})();

/** Solves (ar + i·ai) X = B for complex m × m A and real B, returning X's real and imaginary parts; undefined if singular. */
function solveComplex(ar: Float64Array, ai: Float64Array, b: Float64Array, m: number): { re: Float64Array; im: Float64Array } | undefined {
  const wr = Float64Array.from(ar), wi = Float64Array.from(ai), xr = Float64Array.from(b), xi = new Float64Array(m * m);
  const swap = (x: Float64Array, p: number, c: number) => { for (let j = 0; j < m; j++) [x[p * m + j], x[c * m + j]] = [x[c * m + j], x[p * m + j]]; };
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.hypot(wr[r * m + c], wi[r * m + c]) > Math.hypot(wr[p * m + c], wi[p * m + c])) p = r;
    if (!(Math.hypot(wr[p * m + c], wi[p * m + c]) > 0)) return undefined;
    if (p !== c) { swap(wr, p, c); swap(wi, p, c); swap(xr, p, c); swap(xi, p, c); }
    const pr = wr[c * m + c], pi = wi[c * m + c], d = pr * pr + pi * pi;
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const er = wr[r * m + c], ei = wi[r * m + c];
      if (er === 0 && ei === 0) continue;
      const fr = (er * pr + ei * pi) / d, fi = (ei * pr - er * pi) / d; // f = e / pivot
      for (let j = 0; j < m; j++) {
        const ur = wr[c * m + j], ui = wi[c * m + j], vr = xr[c * m + j], vi = xi[c * m + j];
        wr[r * m + j] -= fr * ur - fi * ui; wi[r * m + j] -= fr * ui + fi * ur;
        xr[r * m + j] -= fr * vr - fi * vi; xi[r * m + j] -= fr * vi + fi * vr;
      }
    }
  }
  for (let c = 0; c < m; c++) {
    const pr = wr[c * m + c], pi = wi[c * m + c], d = pr * pr + pi * pi;
    for (let j = 0; j < m; j++) {
      const vr = xr[c * m + j], vi = xi[c * m + j];
      xr[c * m + j] = (vr * pr + vi * pi) / d; xi[c * m + j] = (vi * pr - vr * pi) / d;
    }
  }
  return { re: xr, im: xi };
}

/**
 * exp(τ(I − H⁻¹)) − I for the m × m Hessenberg H of a shift-and-invert Krylov run, without
 * forming H⁻¹ (undefined where it is not finite). H has eigenvalues near 0 for the chain's fast modes
 * (10⁻¹⁶ for a rate 10⁸ at γ = 5·10⁷) known only to rounding; an explicit inverse turns
 * them into modes of any sign and size that leak into the slow ones (the 2-state stiff
 * chain's survival came out 40× off).
 *
 * Instead E = r(X) − I, with r the [3/4] Padé approximant of eˣ in partial fractions
 * Σ a_k/(x − z_k) and X = c(I − H⁻¹), c = τ/2^s, is written without H⁻¹ or cancellation:
 *   E = Σ_k (a_k c / z_k) (H − I) ((c − z_k)H − cI)⁻¹,
 * whose matrices stay well conditioned as H's eigenvalues go to 0 (r is L-stable: those
 * modes go to 0 instead of being resolved). Then s squarings of I + E, kept as E. s is set
 * for modes with |x| up to τ·(1 + ‖H⁻¹‖), the inverse's size (right even where its digits
 * are not) capped at 10⁶ so that c stays far above H's rounding.
 */
export function shiftInvertExpMinusIdentity(h: Float64Array, m: number, tau: number): Float64Array | undefined {
  const inv = identityInto(new Float64Array(m * m), m);
  const size = solveInPlace(h, inv, m) ? norm1(inv, m) : Infinity;
  const reach = tau * (1 + Math.min(size, 1e6));
  const s = Math.max(0, Math.ceil(Math.log2(reach / PADE_REACH)));
  const c = tau / 2 ** s;
  const d = Float64Array.from(h);
  for (let i = 0; i < m; i++) d[i * m + i] -= 1;
  const e = new Float64Array(m * m), ar = new Float64Array(m * m), ai = new Float64Array(m * m);
  for (const pole of PADE_POLES) {
    if (pole.im < 0) continue; // its conjugate's term is this one's conjugate: 2 Re(…) below
    for (let i = 0; i < m * m; i++) { ar[i] = (c - pole.re) * h[i]; ai[i] = -pole.im * h[i]; }
    for (let i = 0; i < m; i++) ar[i * m + i] -= c;
    const x = solveComplex(ar, ai, d, m);
    if (!x) return undefined;
    // g = a_k c / z_k
    const zr = pole.re, zi = pole.im, zz = zr * zr + zi * zi;
    const [wr, wi] = pole.weight;
    const gr = (c * (wr * zr + wi * zi)) / zz, gi = (c * (wi * zr - wr * zi)) / zz;
    const twice = pole.im > 0 ? 2 : 1;
    for (let i = 0; i < m * m; i++) e[i] += twice * (gr * x.re[i] - gi * x.im[i]);
  }
  let cur = e, next = new Float64Array(m * m);
  for (let j = 0; j < s; j++) {
    multiply(cur, cur, m, next);
    for (let i = 0; i < next.length; i++) next[i] += 2 * cur[i];
    [cur, next] = [next, cur];
  }
  for (let i = 0; i < cur.length; i++) if (!Number.isFinite(cur[i])) return undefined;
  return cur;
}

/** The first column of exp(τ(I − H⁻¹)): see shiftInvertExpMinusIdentity. */
export function shiftInvertExpFirstColumn(h: Float64Array, m: number, tau: number): Float64Array | undefined {
  const e = shiftInvertExpMinusIdentity(h, m, tau);
  if (!e) return undefined;
  const column = new Float64Array(m);
  for (let i = 0; i < m; i++) column[i] = e[i * m] + (i === 0 ? 1 : 0);
  return column;
}

function identityInto(a: Float64Array, m: number): Float64Array {
  a.fill(0);
  for (let i = 0; i < m; i++) a[i * m + i] = 1;
  return a;
}
