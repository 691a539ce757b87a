/* Canonical rates at θ, written straight into kernel memory for a trace
 * evaluation: w[j] = base[j] + Σ_i coef[j·p + i]·θ_i. This is only the fast path
 * of the checks the graph format asks for: on any failure the caller re-runs its
 * own validator, which names the edge or vertex.
 * Two passes: the rates with their range check over the edges, then the row sums and
 * per-vertex checks over the vertices.
 * The arithmetic is that of the JS path (src/graph/structure.ts), term by term.
 * `exit` (may be null) receives the row sums: the exit rates of a continuous graph.
 * Returns 0, 1 when a check fails, or 2 when they pass but some rate is exactly 0 (the
 * direct path's CSR drops those edges, which the JS path does). */
#include "kernel.h"
#include <float.h>

static int32_t all_nonzero(int32_t p, const double *theta) {
  for (int32_t i = 0; i < p; i++) if (theta[i] == 0) return 0;
  return 1;
}

/* The general loop's sums for a few parameters, none 0 (inlined with p a constant: the terms
 * straight-line, θ in registers; the same additions in the same order, so the same bits). */
static inline __attribute__((always_inline)) int32_t rates_small(int32_t from, int32_t to, int32_t p, const double *base,
                                                                 const double *coef, const double *theta, double *w) {
  double t[4];
  for (int32_t i = 0; i < p; i++) t[i] = theta[i];
  int32_t ok = 1, zero = 0;
  for (int32_t j = from; j < to; j++) {
    const double *c = coef + (size_t)j * p;
    double x = base[j];
    /* Unrolled whole: the build's -fno-unroll-loops keeps even a constant-count loop otherwise. */
#ifdef __clang__
#pragma clang loop unroll(full)
#endif
    for (int32_t i = 0; i < p; i++) x += c[i] * t[i];
    w[j] = x;
    ok &= (x >= 0) & (x <= DBL_MAX);
    zero |= x == 0;
  }
  return ok | zero << 1;
}

/* Pass 1 over edges [from, to): the rates, with their range check (bit 0 of the result: all
 * passed) and whether one is exactly 0 (bit 1). With one parameter a vectorised loop, with
 * two to four (none 0) straight-line sums.
 * A function of its own, called chunk by chunk: V8 runs a WebAssembly function in baseline
 * code until it turns hot and never switches a call that is running, so one pass over a
 * large graph's edges stayed baseline to its end on a first call (coalescent n = 50, three
 * million edges: 27–35 ms against 7–9 ms once optimised). A chunk called when hot runs
 * optimised code. */
static __attribute__((noinline)) int32_t rates_range(int32_t from, int32_t to, int32_t p, const double *base, const double *coef,
                                                      const double *theta, double *w) {
  int32_t ok = 1, zero = 0;
  if (p == 1 && theta[0] != 0) {
    const double t = theta[0];
    for (int32_t j = from; j < to; j++) {
      double x = base[j] + coef[j] * t;
      w[j] = x;
      ok &= (x >= 0) & (x <= DBL_MAX); /* NaN fails both */
      zero |= x == 0;
    }
  } else if (p >= 2 && p <= 4 && all_nonzero(p, theta)) {
    switch (p) {
      case 2: return rates_small(from, to, 2, base, coef, theta, w);
      case 3: return rates_small(from, to, 3, base, coef, theta, w);
      default: return rates_small(from, to, 4, base, coef, theta, w);
    }
  } else {
    /* Each rate summed term by term in θ's order, as the JS path does (one pass per θ_i
     * read every coefficient row p times through memory). */
    for (int32_t j = from; j < to; j++) {
      const double *c = coef + (size_t)j * p;
      double x = base[j];
      for (int32_t i = 0; i < p; i++)
        if (theta[i] != 0) x += c[i] * theta[i]; /* as the JS path: a zero θ_i adds nothing, not even −0 + 0 */
      w[j] = x;
      ok &= (x >= 0) & (x <= DBL_MAX);
      zero |= x == 0;
    }
  }
  return ok | zero << 1;
}

/* Pass 2 over vertices [from, to): the per-vertex checks (1 when one fails), and row sums
 * (each added in edge order, as the JS check adds it) only where needed: a chain of
 * dependent additions over every edge costs more than the checks. With no rate exactly 0
 * (nearly always), a vertex has a positive rate when it has an edge at all: its edges are
 * not read again (they cost 3 ns each here, twice pass 1). */
static __attribute__((noinline)) int32_t vertices_range(int32_t from, int32_t to, int32_t p, const int32_t *rp, const double *loop_base,
                                                         const double *loop_coef, const uint8_t *has_out, int32_t discrete,
                                                         const double *theta, const double *w, double *exit, int32_t zero) {
  const double slack = 1 + 1e-12;
  const int32_t sums = exit || discrete;
  for (int32_t v = from; v < to; v++) {
    double sum = 0;
    int32_t any = 0;
    if (sums || v == 0) for (int32_t j = rp[v]; j < rp[v + 1]; j++) sum += w[j];
    if (exit) exit[v] = sum;
    if (v == 0) { if (sum > slack) return 1; continue; }
    if (discrete) {
      double lambda = loop_base[v];
      for (int32_t i = 0; i < p; i++) lambda += loop_coef[(size_t)v * p + i] * theta[i];
      if (has_out[v] && sum == 0) return 1;
      if (sum + lambda > slack) return 1;
      continue;
    }
    if (zero) for (int32_t j = rp[v]; j < rp[v + 1]; j++) any |= w[j] > 0;
    else any = rp[v + 1] > rp[v];
    if (has_out[v] && !any) return 1;
  }
  return 0;
}

int32_t pk_rates_at(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                    const double *loop_base, const double *loop_coef, const uint8_t *has_out,
                    int32_t discrete, const double *theta, double *w, double *exit) {
  enum { CHUNK = 65536 };
  const int32_t m = rp[n];
  int32_t ok = 1, zero = 0;
  /* Pass 1, over edges: the rates and their range check, in one pass (a large graph's
   * arrays do not fit in cache: each pass costs a trip through memory). */
  for (int32_t j = 0; j < m; j += CHUNK) {
    const int32_t flags = rates_range(j, m - j < CHUNK ? m : j + CHUNK, p, base, coef, theta, w);
    ok &= flags & 1;
    zero |= flags >> 1;
  }
  if (!ok) return 1;
  /* Pass 2, over vertices, chunk by chunk as pass 1. */
  for (int32_t v = 0; v < n; v += CHUNK)
    if (vertices_range(v, n - v < CHUNK ? n : v + CHUNK, p, rp, loop_base, loop_coef, has_out, discrete, theta, w, exit, zero)) return 1;
  return zero ? 2 : 0;
}
