/* Canonical rates at θ, written straight into kernel memory for a trace
 * evaluation: w[j] = base[j] + Σ_i coef[j·p + i]·θ_i. This is only the fast path
 * of the checks the graph format asks for: on any failure the caller re-runs its
 * own validator, which names the edge or vertex.
 * The rates are one pass with no branch (vectorisable), the checks a second one
 * with no long chain of dependent additions: a continuous graph needs a row sum only
 * for the start vertex, and "all of a row's rates are 0" is an OR of comparisons.
 * The arithmetic is that of the JS path (src/graph/structure.ts), term by term.
 * `exit` (may be null) receives the row sums: the exit rates of a continuous graph. */
#include "kernel.h"
#include <float.h>
#include <string.h>

int32_t pk_rates_at(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                    const double *loop_base, const double *loop_coef, const uint8_t *has_out,
                    int32_t discrete, const double *theta, double *w, double *exit) {
  const double slack = 1 + 1e-12;
  const int32_t m = rp[n];
  memcpy(w, base, (size_t)m * sizeof *w);
  for (int32_t i = 0; i < p; i++) {
    const double t = theta[i];
    if (t == 0) continue; /* as the JS path: a zero θ_i adds nothing, not even −0 + 0 */
    for (int32_t j = 0; j < m; j++) w[j] += coef[(size_t)j * p + i] * t;
  }
  int32_t ok = 1;
  for (int32_t j = 0; j < m; j++) ok &= (w[j] >= 0) & (w[j] <= DBL_MAX); /* NaN fails both */
  if (!ok) return 1;
  if (n > 0) {
    double start = 0;
    for (int32_t j = rp[0]; j < rp[1]; j++) start += w[j];
    if (start > slack) return 1;
  }
  if (exit) /* each vertex's out-rate sum, added in edge order as the JS check adds it */
    for (int32_t v = 0; v < n; v++) {
      double sum = 0;
      for (int32_t j = rp[v]; j < rp[v + 1]; j++) sum += w[j];
      exit[v] = sum;
    }
  for (int32_t v = 1; v < n; v++) {
    if (discrete) {
      double lambda = loop_base[v];
      for (int32_t i = 0; i < p; i++) lambda += loop_coef[(size_t)v * p + i] * theta[i];
      double out = 0;
      for (int32_t j = rp[v]; j < rp[v + 1]; j++) out += w[j];
      if (has_out[v] && out == 0) return 1;
      if (out + lambda > slack) return 1;
      continue;
    }
    if (!has_out[v]) continue;
    int32_t any = 0;
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) any |= w[j] > 0;
    if (!any) return 1;
  }
  return 0;
}
