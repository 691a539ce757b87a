/* Canonical rates at θ, written straight into kernel memory for a trace
 * evaluation: w[j] = base[j] + Σ_i coef[j·p + i]·θ_i. This is only the fast path
 * of the checks the graph format asks for: on any failure the caller re-runs its
 * own validator, which names the edge or vertex. */
#include "kernel.h"

int32_t pk_rates_at(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                    const double *loop_base, const double *loop_coef, const uint8_t *has_out,
                    int32_t discrete, const double *theta, double *w) {
  const double slack = 1 + 1e-12;
  for (int32_t v = 0; v < n; v++) {
    double lambda = 0;
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) {
      double x = base[j];
      const double *c = coef + (size_t)j * p;
      for (int32_t i = 0; i < p; i++) x += c[i] * theta[i];
      if (!(x >= 0) || x > 1.7976931348623157e308) return 1; /* negative, NaN or infinite */
      w[j] = x;
      lambda += x;
    }
    if (v == 0) { if (lambda > slack) return 1; continue; }
    if (has_out[v] && lambda == 0) return 1;
    if (discrete) {
      double loop = loop_base[v];
      for (int32_t i = 0; i < p; i++) loop += loop_coef[(size_t)v * p + i] * theta[i];
      if (lambda + loop > slack) return 1;
    }
  }
  return 0;
}
