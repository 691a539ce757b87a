/* Evaluating a recorded elimination for new weights, and reverse-mode
 * differentiation through it and through the replays that use it. */
#include "kernel.h"
#include <string.h>

int32_t pk_trace_evaluate(pk_elim *e, const double *w, double *vals) {
  const int32_t ni = e->ninputs;
  const uint32_t *o = e->ops;
  int32_t bad = -1;
  memcpy(vals, w, (size_t)ni * sizeof *vals);
  vals[ni] = 0.0;
  double *out = vals + ni + 1;
  for (int32_t k = 0, n = e->nops; k < n; k++, o += 4) {
    switch (o[0]) {
      case PK_OP_ADD: out[k] = vals[o[1]] + vals[o[2]]; break;
      case PK_OP_MUL: out[k] = vals[o[1]] * vals[o[2]]; break;
      case PK_OP_FMA: out[k] = vals[o[1]] + vals[o[2]] * vals[o[3]]; break;
      default: {
        double a = vals[o[1]];
        if (!(a > 0) && bad < 0) bad = k;
        out[k] = 1.0 / a;
      }
    }
  }
  for (int32_t k = 0; k < e->ncmd; k++) e->m[k] = vals[e->slot[k]];
  for (int32_t v = 0; v < e->n; v++) e->scale0[v] = vals[e->scale_slot[v]];
  return bad;
}

void pk_trace_reverse(const pk_elim *e, const double *vals, const double *mbar, const double *sbar, double *vbar, double *wbar) {
  const int32_t ni = e->ninputs, nops = e->nops;
  memset(vbar, 0, ((size_t)ni + 1 + (size_t)nops) * sizeof *vbar);
  for (int32_t k = 0; k < e->ncmd; k++) vbar[e->slot[k]] += mbar[k];
  for (int32_t v = 0; v < e->n; v++) vbar[e->scale_slot[v]] += sbar[v];
  const double *out = vals + ni + 1;
  for (int32_t k = nops - 1; k >= 0; k--) {
    const uint32_t *o = e->ops + 4 * (size_t)k;
    double g = vbar[ni + 1 + k];
    if (g == 0) continue;
    switch (o[0]) {
      case PK_OP_ADD: vbar[o[1]] += g; vbar[o[2]] += g; break;
      case PK_OP_MUL: vbar[o[1]] += g * vals[o[2]]; vbar[o[2]] += g * vals[o[1]]; break;
      case PK_OP_FMA: vbar[o[1]] += g; vbar[o[2]] += g * vals[o[3]]; vbar[o[3]] += g * vals[o[2]]; break;
      default: vbar[o[1]] -= g * out[k] * out[k]; /* d(1/a) = −1/a² */
    }
  }
  memcpy(wbar, vbar, (size_t)ni * sizeof *wbar);
}

void pk_solve_record(const pk_elim *e, const double *r, double *x, double *xs) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  for (int32_t v = 0; v < e->n; v++) x[v] = r[v] * e->scale0[v];
  for (int32_t k = 0, nc = e->ncmd; k < nc; k++) {
    int32_t s = src[k];
    if (s < 0) { xs[k] = x[dst[k]]; x[dst[k]] *= m[k]; }
    else { xs[k] = x[s]; x[dst[k]] += m[k] * x[s]; }
  }
}

void pk_solve_reverse(const pk_elim *e, const double *r, const double *xs, double *xbar, double *mbar, double *sbar, double *rbar) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  for (int32_t k = e->ncmd - 1; k >= 0; k--) {
    int32_t s = src[k], d = dst[k];
    mbar[k] += xbar[d] * xs[k];
    if (s < 0) xbar[d] *= m[k];
    else xbar[s] += m[k] * xbar[d];
  }
  for (int32_t v = 0; v < e->n; v++) {
    sbar[v] += xbar[v] * r[v];
    rbar[v] = xbar[v] * e->scale0[v];
  }
}

/* Reward expectations E[R_j] = x_j[start], x_j = solve(r_j), for m reward vectors R
 * (row-major m × n), keeping xs (m × ncmd) for pk_expect_reverse. x: n scratch. */
void pk_expect_forward(const pk_elim *e, int32_t m, const double *R, double *x, double *xs, double *out) {
  for (int32_t j = 0; j < m; j++) {
    pk_solve_record(e, R + (size_t)j * e->n, x, xs + (size_t)j * e->ncmd);
    out[j] = x[0];
  }
}

/* Adjoint of pk_expect_forward for output adjoints ebar: sets mbar (ncmd) and sbar (n).
 * xbar and rbar: n scratch each. */
void pk_expect_reverse(const pk_elim *e, int32_t m, const double *R, const double *xs, const double *ebar,
                       double *xbar, double *rbar, double *mbar, double *sbar) {
  memset(mbar, 0, (size_t)e->ncmd * sizeof *mbar);
  memset(sbar, 0, (size_t)e->n * sizeof *sbar);
  for (int32_t j = 0; j < m; j++) {
    if (ebar[j] == 0) continue;
    memset(xbar, 0, (size_t)e->n * sizeof *xbar);
    xbar[0] = ebar[j];
    pk_solve_reverse(e, R + (size_t)j * e->n, xs + (size_t)j * e->ncmd, xbar, mbar, sbar, rbar);
  }
}

/* Raw moments of a continuous graph with their reverse-pass record: b_1 = r,
 * x_j = solve(b_j), b_{j+1} = (j+1)·r ⊙ x_j, out[j−1] = x_j[start]. B and X are
 * k × n, XS is k × ncmd. */
void pk_moments_forward(const pk_elim *e, const double *r, int32_t k, double *B, double *X, double *XS, double *out) {
  const int32_t n = e->n;
  memcpy(B, r, (size_t)n * sizeof *B);
  for (int32_t j = 0; j < k; j++) {
    double *x = X + (size_t)j * n;
    pk_solve_record(e, B + (size_t)j * n, x, XS + (size_t)j * e->ncmd);
    out[j] = x[0];
    if (j + 1 < k) { double *b = B + (size_t)(j + 1) * n; for (int32_t v = 0; v < n; v++) b[v] = (j + 2) * r[v] * x[v]; }
  }
}

/* Adjoint of pk_moments_forward for output adjoints seed (k): sets mbar and sbar.
 * work: 3n scratch. */
void pk_moments_reverse(const pk_elim *e, const double *r, int32_t k, const double *B, const double *XS, const double *seed,
                        double *work, double *mbar, double *sbar) {
  const int32_t n = e->n;
  double *carry = work, *xbar = work + n, *bbar = work + 2 * (size_t)n;
  memset(mbar, 0, (size_t)e->ncmd * sizeof *mbar);
  memset(sbar, 0, (size_t)n * sizeof *sbar);
  memset(carry, 0, (size_t)n * sizeof *carry);
  for (int32_t j = k - 1; j >= 0; j--) {
    memcpy(xbar, carry, (size_t)n * sizeof *xbar);
    xbar[0] += seed[j];
    pk_solve_reverse(e, B + (size_t)j * n, XS + (size_t)j * e->ncmd, xbar, mbar, sbar, bbar);
    for (int32_t v = 0; v < n; v++) carry[v] = (j + 1) * r[v] * bbar[v];
  }
}

/* θ̄ = Cᵀ w̄ for canonical weights w = base + C·θ (C is m × npar, row-major). */
void pk_chain_theta(int32_t m, int32_t npar, const double *coef, const double *wbar, double *grad) {
  for (int32_t i = 0; i < npar; i++) grad[i] = 0;
  for (int32_t j = 0; j < m; j++) {
    double x = wbar[j];
    if (x == 0) continue;
    const double *c = coef + (size_t)j * npar;
    for (int32_t i = 0; i < npar; i++) grad[i] += c[i] * x;
  }
}
