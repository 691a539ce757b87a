// The RBF kernel k(x, y) = exp(−‖x − y‖²/h) of Stein variational gradient
// descent (Liu & Wang 2016), its bandwidth h by the median heuristic, and the
// Stein direction it gives each particle:
//   φ(z_i) = (1/P) Σ_j [ k(z_j, z_i) ∇log p(z_j) + ∇_{z_j} k(z_j, z_i) ],
// a kernel-weighted pull up the log-density plus a repulsion that keeps the
// particles apart: ∇_{z_j} k(z_j, z_i) = (2/h)(z_i − z_j) k(z_j, z_i).

/** Particles whose pairwise distances the median is taken over, at most (a strided subset beyond). */
const MEDIAN_PARTICLES = 2000;

/** The k-th smallest of `a` (0-based), reordering `a` (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The median of `a` (the mean of the middle two for an even count), reordering `a`. */
export function median(a: Float64Array): number {
  const n = a.length, m = n >>> 1;
  if (n % 2 === 1) return select(a, m);
  const upper = select(a, m);
  let lower = -Infinity;
  for (let i = 0; i < m; i++) if (a[i] > lower) lower = a[i]; // after selection, a[0..m) ≤ a[m]
  return (lower + upper) / 2;
}

/**
 * The median heuristic: h = med² / log(P + 1), med² the median squared distance between
 * particles (rows of `z`, P × d). A typical pair then has k = 1/(P + 1): a particle's own
 * gradient weighs about as much as all the others' together. All particles equal: h = 1.
 */
export function medianBandwidth(z: Float64Array, P: number, d: number): number {
  const M = Math.min(P, MEDIAN_PARTICLES);
  if (M < 2) return 1;
  const row = (k: number) => Math.floor((k * P) / M);
  const d2 = new Float64Array((M * (M - 1)) / 2);
  let at = 0;
  for (let a = 0; a < M; a++) {
    const i = row(a) * d;
    for (let b = a + 1; b < M; b++) {
      const j = row(b) * d;
      let s = 0;
      for (let c = 0; c < d; c++) { const x = z[i + c] - z[j + c]; s += x * x; }
      d2[at++] = s;
    }
  }
  const med2 = median(d2);
  return med2 > 0 ? med2 / Math.log(P + 1) : 1;
}

/** Writes φ(z_i) for every particle into `out` (P × d); `scores` holds ∇log p at each particle (0 where unknown). */
export function steinDirection(z: Float64Array, scores: Float64Array, P: number, d: number, h: number, out: Float64Array): void {
  out.fill(0);
  const repel = 2 / h;
  for (let i = 0; i < P; i++) {
    const zi = i * d;
    for (let c = 0; c < d; c++) out[zi + c] += scores[zi + c]; // k(z_i, z_i) = 1, no repulsion from itself
    for (let j = i + 1; j < P; j++) {
      const zj = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) { const x = z[zi + c] - z[zj + c]; s += x * x; }
      const k = Math.exp(-s / h);
      if (k === 0) continue;
      for (let c = 0; c < d; c++) {
        const push = repel * (z[zi + c] - z[zj + c]) * k;
        out[zi + c] += k * scores[zj + c] + push;
        out[zj + c] += k * scores[zi + c] - push;
      }
    }
  }
  for (let x = 0; x < P * d; x++) out[x] /= P;
}
