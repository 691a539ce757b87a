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

int32_t pk_rates_at(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                    const double *loop_base, const double *loop_coef, const uint8_t *has_out,
                    int32_t discrete, const double *theta, double *w, double *exit) {
  const double slack = 1 + 1e-12;
  const int32_t m = rp[n];
  int32_t ok = 1, zero = 0;
  /* Pass 1, over edges: the rates and their range check, in one pass (a large graph's
   * arrays do not fit in cache: each pass costs a trip through memory); with one
   * parameter a vectorised loop. */
  if (p == 1 && theta[0] != 0) {
    const double t = theta[0];
    for (int32_t j = 0; j < m; j++) {
      double x = base[j] + coef[j] * t;
      w[j] = x;
      ok &= (x >= 0) & (x <= DBL_MAX); /* NaN fails both */
      zero |= x == 0;
    }
  } else {
    /* One pass over the edges: each rate summed term by term in θ's order, as the JS path
     * does (one pass per θ_i read every coefficient row p times through memory). */
    for (int32_t j = 0; j < m; j++) {
      const double *c = coef + (size_t)j * p;
      double x = base[j];
      for (int32_t i = 0; i < p; i++)
        if (theta[i] != 0) x += c[i] * theta[i]; /* as the JS path: a zero θ_i adds nothing, not even −0 + 0 */
      w[j] = x;
      ok &= (x >= 0) & (x <= DBL_MAX);
      zero |= x == 0;
    }
  }
  if (!ok) return 1;
  /* Pass 2, over vertices: the per-vertex checks, and row sums (each added in edge order,
   * as the JS check adds it) only where needed: a chain of dependent additions over every
   * edge costs more than the checks. With no rate exactly 0 (nearly always), a vertex has a
   * positive rate when it has an edge at all: its edges are not read again (they cost
   * 3 ns each here, twice pass 1). */
  const int32_t sums = exit || discrete;
  for (int32_t v = 0; v < n; v++) {
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
  return zero ? 2 : 0;
}
