/* Stepping a probability vector along the graph: uniformisation for continuous
 * graphs (K = I + S/λ, λ ≥ every exit rate), the transition matrix itself for
 * discrete ones. Both are substochastic with nonnegative entries, so the
 * iteration cannot cancel or blow up. The step gathers along edges by target
 * (a transposed CSR: rp/src/p index incoming edges), which beats scattered stores. */
#include "kernel.h"

/* One step: next = cur·K, with Σ next·exit and Σ next summed as next is made (i ascending).
 * A function of its own, not inlined: V8 runs a WebAssembly function in baseline code until
 * it turns hot and never switches a call that is running, so a first long run of steps
 * made inside one call stayed baseline to its end (plain uniformisation, coalescent n = 35,
 * first pdf ×100: 2.5 s against 0.95 s once optimised). A step called per step is swapped
 * for optimised code as soon as it turns hot. */
static __attribute__((noinline)) void step_once(int32_t n, const int32_t *rp, const int32_t *src, const double *p,
                                                const double *stay, const double *exit, const double *cur, double *next, double *sums) {
  double sa = 0, sb = 0;
  for (int32_t i = 0; i < n; i++) {
    double acc = cur[i] * stay[i];
    for (int32_t j = rp[i]; j < rp[i + 1]; j++) acc += p[j] * cur[src[j]];
    /* Below 1e-290 a probability is flushed before it turns subnormal: subnormal
     * arithmetic is tens of times slower and WebAssembly cannot flush them itself. */
    acc = acc < 1e-290 ? 0 : acc;
    next[i] = acc;
    sa += acc * exit[i];
    sb += acc;
  }
  sums[0] = sa;
  sums[1] = sb;
}

int32_t pk_step_distribution(int32_t n, const int32_t *rp, const int32_t *src, const double *p,
                             const double *stay, const double *exit, double *v, double *tmp,
                             int32_t steps, double *a, double *b, double stop_mass) {
  /* Records a[k] = v·exit and b[k] = Σv for the current v, then advances it, `steps`
   * times; stops early (returning how many were recorded) once the surviving mass
   * is below stop_mass, after which everything is 0 to the tolerance. The final
   * state is left in the caller's v, so calls can be chained chunk by chunk. */
  double *cur = v, *next = tmp;
  /* a_k and b_k of each new vector are summed while it is made (in the same order, i
   * ascending, as a separate pass would): one pass over the vertices per step, not two. */
  double sa = 0, sb = 0;
  for (int32_t i = 0; i < n; i++) { sa += cur[i] * exit[i]; sb += cur[i]; }
  int32_t k = 0;
  for (; k < steps; k++) {
    a[k] = sa;
    b[k] = sb;
    if (sb < stop_mass) { k++; break; }
    double sums[2];
    step_once(n, rp, src, p, stay, exit, cur, next, sums);
    sa = sums[0]; sb = sums[1];
    double *t = cur; cur = next; next = t;
  }
  if (cur != v) for (int32_t i = 0; i < n; i++) v[i] = cur[i];
  return k;
}

/* One adaptive step at 1/λ = inv (see pk_step_adaptive): out[0..2] receive Σ next·exit,
 * Σ next and the largest rate on next's support; out[3] carries the flushed mass on, summed
 * in the same order as before it was a function. Not inlined, as step_once. */
static __attribute__((noinline)) void adaptive_once(int32_t n, const int32_t *rp, const int32_t *src, const double *w,
                                                    const double *rate, const double *exit, const double *cur, double *next,
                                                    double inv, double win, double flush, double *out) {
  double sa = 0, sb = 0, l = 0, lost = out[3];
  for (int32_t i = 0; i < n; i++) {
    double in = 0;
    for (int32_t j = rp[i]; j < rp[i + 1]; j++) in += w[j] * cur[src[j]];
    double stay = 1.0 - rate[i] * inv;
    double acc = (stay > 0 ? cur[i] * stay : 0) + in * win;
    if (acc < flush) { lost += acc; acc = 0; }
    next[i] = acc;
    if (acc != 0) { sa += acc * exit[i]; sb += acc; if (rate[i] > l) l = rate[i]; }
  }
  out[0] = sa; out[1] = sb; out[2] = l; out[3] = lost;
}

int32_t pk_step_adaptive(int32_t n, const int32_t *rp, const int32_t *src, const double *w,
                         double w_scale, const double *rate, const double *exit, double *v, double *tmp,
                         int32_t steps, double *a, double *b, double *lam, double stop_mass,
                         double flush, double *dropped) {
  /* Adaptive uniformisation (van Moorsel & Sanders 1994): step k uses the largest
   * exit rate among the states that hold mass now, lam[k], instead of the largest in
   * the whole graph, so a chain whose mass leaves its fast states steps at the pace of
   * the states it is actually in. K_k = I + S/lam[k] is substochastic on v_k's
   * support (every rate there is ≤ lam[k]); off the support v is 0 and its (possibly
   * negative) diagonal is never used. Entries below `flush` are dropped, which lets
   * the support shrink; the dropped mass is summed into *dropped so the caller can
   * bound its effect. Same chunking and stopping as pk_step_distribution. */
  double *cur = v, *next = tmp, lost = 0;
  /* As in pk_step_distribution, a_k, b_k and lam[k] of each new vector are gathered while
   * it is made, in the same order: one pass over the vertices per step. */
  double sa = 0, sb = 0, l = 0;
  for (int32_t i = 0; i < n; i++) {
    double x = cur[i];
    if (x != 0) { sa += x * exit[i]; sb += x; if (rate[i] > l) l = rate[i]; }
  }
  int32_t k = 0;
  for (; k < steps; k++) {
    a[k] = sa;
    b[k] = sb;
    lam[k] = l;
    if (sb < stop_mass || l == 0) { k++; break; }
    double out[4] = {0, 0, 0, lost};
    adaptive_once(n, rp, src, w, rate, exit, cur, next, 1.0 / l, w_scale / l, flush, out);
    sa = out[0]; sb = out[1]; l = out[2]; lost = out[3];
    double *t = cur; cur = next; next = t;
  }
  if (cur != v) for (int32_t i = 0; i < n; i++) v[i] = cur[i];
  *dropped += lost;
  return k;
}
