/* Stepping a probability vector along the graph: uniformisation for continuous
 * graphs (K = I + S/λ, λ ≥ every exit rate), the transition matrix itself for
 * discrete ones. Both are substochastic with nonnegative entries, so the
 * iteration cannot cancel or blow up. */
#include "kernel.h"

int32_t pk_step_distribution(int32_t n, const int32_t *rp, const int32_t *col, const double *p,
                             const double *stay, const double *exit, double *v, double *tmp,
                             int32_t steps, double *a, double *b, double stop_mass) {
  for (int32_t k = 0; k <= steps; k++) {
    double sa = 0, sb = 0;
    for (int32_t i = 0; i < n; i++) { sa += v[i] * exit[i]; sb += v[i]; }
    a[k] = sa;
    b[k] = sb;
    if (k == steps) return steps;
    if (sb < stop_mass) {                 /* what is left cannot reach the tolerance */
      for (int32_t j = k + 1; j <= steps; j++) { a[j] = 0; b[j] = 0; }
      return k;
    }
    for (int32_t i = 0; i < n; i++) tmp[i] = v[i] * stay[i];
    for (int32_t i = 0; i < n; i++) {
      double vi = v[i];
      if (vi == 0) continue;
      for (int32_t j = rp[i]; j < rp[i + 1]; j++) tmp[col[j]] += vi * p[j];
    }
    double *t = v; v = tmp; tmp = t;
  }
  return steps;
}
