/* Log-likelihood of observed absorption times (continuous graphs, by
 * uniformisation) or step counts (discrete graphs), right-censored observations
 * included, and its exact gradient with respect to the canonical edge weights.
 *
 * Forward: v_0 = α (start weights to transient vertices), v_{n+1} = v_n K with
 * K = I + S/λ (continuous, λ ≥ every exit rate) or the transition matrix T
 * (discrete, λ = 1); a_n = v_n·s (s: rates into absorbing vertices) and
 * b_n = Σ v_n (mass still transient). Then
 *   f(t) = Σ_n Pois(n; λt) a_n,   P(T > t) = Σ_n Pois(n; λt) b_n,
 *   pmf(k) = a_{k−1},             P(τ > k) = b_k.
 * f is exactly invariant in λ, so λ is held fixed when differentiating.
 *
 * Reverse: with c_n = ∂L/∂a_n and d_n = ∂L/∂b_n, u_n = c_n s + d_n 1 + K u_{n+1}
 * (u_{N+1} = 0) is the adjoint of v_n; the gradient of K is Σ_n v_nᵀ u_{n+1},
 * of s is Σ_n c_n v_n, of α is u_0, and each edge weight reaches them through
 * K_ij = w_ij/λ, K_ii = 1 − exit_i/λ, s_i = Σ w_i→absorbing. The v_n the reverse
 * sweep needs are stored, or, past a memory budget, recomputed segment by segment
 * from √N checkpoints, so memory stays bounded whatever λt is.
 *
 * One walk over each time's Poisson window (from the mode outwards, Fox–Glynn
 * style, so nothing underflows) gives f(t); the walk stops once a geometric bound
 * on the rest of the window falls below POISSON_TAIL of its mass, so f is exact
 * to ≤ POISSON_TAIL·max(a) absolutely. Observation times are sorted and merged by
 * the caller; one stepping serves all of them. */
#include "kernel.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define POISSON_TAIL 1e-20

typedef struct pk_lik {
  int32_t n, m, discrete;
  int32_t *rp, *col;
  uint8_t *transient;           /* v ≠ 0 with out-edges */
  int32_t np, nc;               /* density (pmf) points, censored points */
  double *pt, *pw, *ct, *cw;    /* points and weights */
  int32_t max_steps;            /* refuse more steps than this (PK_LIK_TOO_MANY_STEPS) */
  double max_bytes;             /* budget for stored vectors */
  /* workspace, grown on demand */
  double *exit, *s, *stay, *p, *alpha, *gdiag, *h, *u, *unew, *gedge, *pf, *pnorm, *cf, *cnorm;
  double *abcd; int32_t abcd_cap;      /* a, b, c, d: 4 × (N+1) */
  double *store; double store_cap;     /* stored vectors (doubles) */
  /* the last evaluation */
  int32_t steps;                 /* N_eff + 1 vectors: v_0 .. v_N */
  double lambda;
} pk_lik;

enum { PK_LIK_OK = 0, PK_LIK_TOO_MANY_STEPS = 1, PK_LIK_OUT_OF_MEMORY = 2, PK_LIK_TOO_MUCH_MEMORY = 3 };

static void *grow(void *p, size_t bytes) { return realloc(p, bytes ? bytes : 8); }

void pk_lik_free(pk_lik *L) {
  if (!L) return;
  free(L->rp); free(L->col); free(L->transient); free(L->pt); free(L->pw); free(L->ct); free(L->cw);
  free(L->exit); free(L->s); free(L->stay); free(L->p); free(L->alpha); free(L->gdiag); free(L->h);
  free(L->u); free(L->unew); free(L->gedge); free(L->pf); free(L->pnorm); free(L->cf); free(L->cnorm); free(L->abcd); free(L->store);
  free(L);
}

static double *copy_f64(const double *src, int32_t len) {
  double *d = malloc((size_t)(len > 0 ? len : 1) * 8);
  if (d && len > 0) memcpy(d, src, (size_t)len * 8);
  return d;
}

pk_lik *pk_lik_create(int32_t n, const int32_t *rp, const int32_t *col, int32_t discrete,
                      int32_t np, const double *pt, const double *pw, int32_t nc, const double *ct, const double *cw,
                      int32_t max_steps, double max_bytes) {
  pk_lik *L = calloc(1, sizeof *L);
  if (!L) return 0;
  int32_t m = rp[n];
  L->n = n; L->m = m; L->discrete = discrete; L->np = np; L->nc = nc;
  L->max_steps = max_steps; L->max_bytes = max_bytes;
  L->rp = malloc(((size_t)n + 1) * 4); L->col = malloc((size_t)(m > 0 ? m : 1) * 4);
  L->transient = calloc((size_t)n + 1, 1);
  L->pt = copy_f64(pt, np); L->pw = copy_f64(pw, np); L->ct = copy_f64(ct, nc); L->cw = copy_f64(cw, nc);
  size_t nb = ((size_t)n + 1) * 8, mb = ((size_t)(m > 0 ? m : 1)) * 8;
  L->exit = malloc(nb); L->s = malloc(nb); L->stay = malloc(nb); L->alpha = malloc(nb); L->gdiag = malloc(nb);
  L->h = malloc(nb); L->u = malloc(nb); L->unew = malloc(nb); L->p = malloc(mb); L->gedge = malloc(mb);
  L->pf = malloc(((size_t)np + 1) * 8); L->pnorm = malloc(((size_t)np + 1) * 8);
  L->cf = malloc(((size_t)nc + 1) * 8); L->cnorm = malloc(((size_t)nc + 1) * 8);
  if (!L->rp || !L->col || !L->transient || !L->pt || !L->pw || !L->ct || !L->cw || !L->exit || !L->s || !L->stay ||
      !L->alpha || !L->gdiag || !L->h || !L->u || !L->unew || !L->p || !L->gedge || !L->pf || !L->pnorm || !L->cf || !L->cnorm) { pk_lik_free(L); return 0; }
  memcpy(L->rp, rp, ((size_t)n + 1) * 4);
  if (m > 0) memcpy(L->col, col, (size_t)m * 4);
  for (int32_t v = 1; v < n; v++) L->transient[v] = rp[v + 1] > rp[v];
  return L;
}

/* The Poisson(μ) window, walked from the mode outwards with relative weights
 * (mode = 1), stopping each way once a geometric bound on the rest is below
 * POISSON_TAIL of the mass so far. The three walks below take the same steps. */
typedef struct { int32_t left, right; } window;

static window poisson_window(double mu) {
  window w = { 0, 0 };
  if (mu <= 0) return w;
  double mode = floor(mu), total = 1, x = 1;
  int64_t k;
  for (k = (int64_t)mode;; k++) {
    double r = mu / (double)(k + 1);
    if (r < 1 && x * r / (1 - r) <= POISSON_TAIL * total) break;
    x *= r; total += x;
  }
  w.right = (int32_t)(k > INT32_MAX ? INT32_MAX : k);
  x = 1;
  for (k = (int64_t)mode; k > 0; k--) {
    double r = (double)k / mu;
    if (r < 1 && x * r / (1 - r) <= POISSON_TAIL * total) break;
    x *= r; total += x;
  }
  w.left = (int32_t)k;
  return w;
}

/* Σ_k Pois(k; μ)·x[k] over the window (x[k] = 0 for k ≥ len); *norm gets Σ w (relative weights). */
static double poisson_dot(double mu, const double *x, int32_t len, double *norm) {
  if (mu <= 0) { *norm = 1; return len > 0 ? x[0] : 0; }
  int64_t mode = (int64_t)floor(mu);
  double total = 1, acc = mode < len ? x[mode] : 0, w = 1;
  for (int64_t k = mode;; k++) {
    double r = mu / (double)(k + 1);
    if (r < 1 && w * r / (1 - r) <= POISSON_TAIL * total) break;
    w *= r; total += w;
    if (k + 1 < len) acc += w * x[k + 1];
  }
  w = 1;
  for (int64_t k = mode; k > 0; k--) {
    double r = (double)k / mu;
    if (r < 1 && w * r / (1 - r) <= POISSON_TAIL * total) break;
    w *= r; total += w;
    if (k - 1 < len) acc += w * x[k - 1];
  }
  *norm = total;
  return acc / total;
}

/* xbar[k] += g·Pois(k; μ) over the same window (norm from poisson_dot). */
static void poisson_spread(double mu, double g, double norm, double *xbar, int32_t len) {
  if (mu <= 0) { if (len > 0) xbar[0] += g; return; }
  int64_t mode = (int64_t)floor(mu);
  double total = 1, w = 1, s = g / norm;
  if (mode < len) xbar[mode] += s;
  for (int64_t k = mode;; k++) {
    double r = mu / (double)(k + 1);
    if (r < 1 && w * r / (1 - r) <= POISSON_TAIL * total) break;
    w *= r; total += w;
    if (k + 1 < len) xbar[k + 1] += s * w;
  }
  w = 1;
  for (int64_t k = mode; k > 0; k--) {
    double r = (double)k / mu;
    if (r < 1 && w * r / (1 - r) <= POISSON_TAIL * total) break;
    w *= r; total += w;
    if (k - 1 < len) xbar[k - 1] += s * w;
  }
}

/* v_{next} = v K (push form over the transient rows). */
static void step(const pk_lik *L, const double *v, double *next) {
  const int32_t n = L->n, *rp = L->rp, *col = L->col;
  const uint8_t *tr = L->transient;
  for (int32_t i = 0; i < n; i++) next[i] = tr[i] ? v[i] * L->stay[i] : 0;
  for (int32_t i = 1; i < n; i++) {
    double vi = v[i];
    if (!tr[i] || vi == 0) continue;
    for (int32_t j = rp[i]; j < rp[i + 1]; j++) if (tr[col[j]]) next[col[j]] += vi * L->p[j];
  }
}

static double dot_s(const pk_lik *L, const double *v, double *mass) {
  double a = 0, b = 0;
  for (int32_t i = 1; i < L->n; i++) if (L->transient[i]) { a += v[i] * L->s[i]; b += v[i]; }
  *mass = b;
  return a;
}

/* Steps needed: continuous, the right end of the widest window; discrete, the largest step. */
static int64_t steps_needed(const pk_lik *L) {
  int64_t N = 0;
  if (L->discrete) {
    for (int32_t i = 0; i < L->np; i++) if (L->pt[i] - 1 > N) N = (int64_t)L->pt[i] - 1;
    for (int32_t i = 0; i < L->nc; i++) if (L->ct[i] > N) N = (int64_t)L->ct[i];
    return N;
  }
  double tmax = 0;
  for (int32_t i = 0; i < L->np; i++) if (L->pt[i] > tmax) tmax = L->pt[i];
  for (int32_t i = 0; i < L->nc; i++) if (L->ct[i] > tmax) tmax = L->ct[i];
  double mu = L->lambda * tmax;
  if (!(mu < 4e9)) return INT64_MAX;
  return poisson_window(mu).right;
}

/* Stops stepping once this little mass is left: every later a_n, b_n is below it. */
#define MASS_GONE 1e-300

/* Log-likelihood at canonical weights w; with wbar, its gradient (w.r.t. w) too.
 * Returns a PK_LIK_* status; *ll gets log L (−∞ when some observation has probability 0). */
int32_t pk_lik_eval(pk_lik *L, const double *w, double *ll, double *wbar) {
  const int32_t n = L->n, *rp = L->rp, *col = L->col;
  const uint8_t *tr = L->transient;
  /* Rates: exit, absorption rates s, λ, the stepping matrix, α. */
  double lambda = 0;
  for (int32_t i = 0; i < n; i++) {
    double e = 0, s = 0;
    if (i == 0 || tr[i])
      for (int32_t j = rp[i]; j < rp[i + 1]; j++) { e += w[j]; if (!tr[col[j]]) s += w[j]; }
    L->exit[i] = e; L->s[i] = i == 0 ? 0 : s;
    if (i > 0 && tr[i] && e > lambda) lambda = e;
  }
  if (L->discrete || lambda == 0) lambda = 1;
  L->lambda = lambda;
  for (int32_t i = 0; i < n; i++) {
    L->alpha[i] = 0;
    L->stay[i] = tr[i] ? (L->discrete ? 1 - L->exit[i] : 1 - L->exit[i] / lambda) : 0;
    if (tr[i]) for (int32_t j = rp[i]; j < rp[i + 1]; j++) L->p[j] = L->discrete ? w[j] : w[j] / lambda;
  }
  double alpha_mass = 0;
  for (int32_t j = rp[0]; j < rp[1]; j++) if (tr[col[j]]) { L->alpha[col[j]] += w[j]; alpha_mass += w[j]; }

  int64_t need = steps_needed(L);
  if (need >= L->max_steps) return PK_LIK_TOO_MANY_STEPS;
  int32_t N = (int32_t)need;
  if (N + 1 > L->abcd_cap) {
    double *q = grow(L->abcd, (size_t)(N + 1) * 4 * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    L->abcd = q; L->abcd_cap = N + 1;
  }
  double *a = L->abcd, *b = a + (N + 1), *c = b + (N + 1), *d = c + (N + 1);

  /* How the reverse sweep gets v_n: all stored (C = N+1 slots), or √N checkpoints + one segment. */
  size_t nn = (size_t)n;
  int32_t C = N + 1, K = 1;
  if (wbar) {
    double slots = L->max_bytes / (8.0 * (double)nn);
    if ((double)(N + 1) > slots) {
      C = (int32_t)ceil(sqrt((double)(N + 1)));
      K = (N + 1 + C - 1) / C;
      if ((double)K + (double)C > slots) return PK_LIK_TOO_MUCH_MEMORY;
    }
  }
  double want = wbar ? (double)(C == N + 1 ? N + 1 : K + C) * (double)nn : 2.0 * (double)nn;
  if (want < 2.0 * (double)nn) want = 2.0 * (double)nn;
  if (want > L->store_cap) {
    double *q = grow(L->store, (size_t)want * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    L->store = q; L->store_cap = want;
  }
  /* Layout: all stored → store[n·k] = v_k; checkpointed → K checkpoints then a C-vector segment. */
  int checkpointed = wbar && C != N + 1;
  double *cur, *next;
  int32_t steps = N + 1;
  {
    memcpy(L->store, L->alpha, nn * 8);
    cur = L->store;
    double *seg = checkpointed ? L->store + (size_t)K * nn : 0;
    double *scratch[2] = { L->store, L->store + nn };
    for (int32_t k = 0; k <= N; k++) {
      double mass;
      a[k] = dot_s(L, cur, &mass);
      b[k] = mass;
      if (mass < MASS_GONE) { steps = k + 1; break; }
      if (k == N) break;
      if (!wbar) next = scratch[(k + 1) & 1];
      else if (!checkpointed) next = L->store + (size_t)(k + 1) * nn;
      else {
        next = seg; /* scratch: the segment buffer's first two vectors alternate */
        if (cur == seg) next = seg + nn;
      }
      step(L, cur, next);
      if (checkpointed && (k + 1) % C == 0) memcpy(L->store + (size_t)((k + 1) / C) * nn, next, nn * 8);
      cur = next;
    }
  }
  for (int32_t k = steps; k <= N; k++) a[k] = b[k] = 0;
  L->steps = steps;

  /* log L: each observation's probability (kept, with its window's norm, for the reverse pass). */
  double sum = 0;
  for (int32_t i = 0; i < L->np; i++) {
    double f, norm = 1;
    if (!L->discrete) f = poisson_dot(lambda * L->pt[i], a, N + 1, &norm);
    else f = L->pt[i] == 0 ? 1 - alpha_mass : a[(int64_t)L->pt[i] - 1];
    L->pf[i] = f; L->pnorm[i] = norm;
    sum += L->pw[i] * log(f);
  }
  for (int32_t i = 0; i < L->nc; i++) {
    double S, norm = 1;
    if (!L->discrete) S = poisson_dot(lambda * L->ct[i], b, N + 1, &norm);
    else S = b[(int64_t)L->ct[i]];
    L->cf[i] = S; L->cnorm[i] = norm;
    sum += L->cw[i] * log(S);
  }
  /* An observation of probability 0 (or a weight-0 one: 0·log 0 is taken as 0) decides alone. */
  int zero = 0;
  for (int32_t i = 0; i < L->np; i++) if (!(L->pf[i] > 0) && L->pw[i] > 0) zero = 1;
  for (int32_t i = 0; i < L->nc; i++) if (!(L->cf[i] > 0) && L->cw[i] > 0) zero = 1;
  if (zero) {
    *ll = -INFINITY;
    if (wbar) memset(wbar, 0, (size_t)(L->m > 0 ? L->m : 1) * 8);
    return PK_LIK_OK;
  }
  if (sum != sum) { /* only from 0·log 0 terms: weight-0 observations of probability 0 */
    sum = 0;
    for (int32_t i = 0; i < L->np; i++) if (L->pw[i] > 0) sum += L->pw[i] * log(L->pf[i]);
    for (int32_t i = 0; i < L->nc; i++) if (L->cw[i] > 0) sum += L->cw[i] * log(L->cf[i]);
  }
  *ll = sum;
  if (!wbar) return PK_LIK_OK;

  /* c_n, d_n: ∂ log L / ∂a_n, ∂b_n. */
  memset(c, 0, (size_t)(N + 1) * 2 * 8);
  double start_bar = 0; /* ∂ log L/∂(Σα), from discrete observations of 0 steps */
  for (int32_t i = 0; i < L->np; i++) {
    if (L->pw[i] == 0) continue;
    double g = L->pw[i] / L->pf[i];
    if (!L->discrete) poisson_spread(lambda * L->pt[i], g, L->pnorm[i], c, N + 1);
    else if (L->pt[i] == 0) start_bar -= g;
    else c[(int64_t)L->pt[i] - 1] += g;
  }
  for (int32_t i = 0; i < L->nc; i++) {
    if (L->cw[i] == 0) continue;
    double g = L->cw[i] / L->cf[i];
    if (!L->discrete) poisson_spread(lambda * L->ct[i], g, L->cnorm[i], d, N + 1);
    else d[(int64_t)L->ct[i]] += g;
  }

  /* Reverse sweep from n = steps−1 down to 0. */
  memset(L->gdiag, 0, nn * 8); memset(L->h, 0, nn * 8); memset(L->u, 0, nn * 8);
  memset(L->gedge, 0, (size_t)(L->m > 0 ? L->m : 1) * 8);
  double *u = L->u, *un = L->unew;
  int32_t last = steps - 1;
  int32_t seg_first = checkpointed ? (last / C) * C : 0;
  double *segbuf = checkpointed ? L->store + (size_t)K * nn : L->store;
  for (;;) {
    int32_t seg_last = checkpointed ? (seg_first + C - 1 < last ? seg_first + C - 1 : last) : last;
    if (checkpointed) {
      /* Rebuild v_{seg_first .. seg_last} from its checkpoint. */
      memcpy(segbuf, L->store + (size_t)(seg_first / C) * nn, nn * 8);
      for (int32_t k = seg_first; k < seg_last; k++) step(L, segbuf + (size_t)(k - seg_first) * nn, segbuf + (size_t)(k + 1 - seg_first) * nn);
    }
    for (int32_t k = seg_last; k >= seg_first; k--) {
      const double *v = segbuf + (size_t)(checkpointed ? k - seg_first : k) * nn;
      /* u holds u_{k+1}: the transition k → k+1. */
      for (int32_t i = 1; i < n; i++) {
        if (!tr[i]) continue;
        double vi = v[i];
        L->gdiag[i] += vi * u[i];
        L->h[i] += c[k] * vi;
        double acc = c[k] * L->s[i] + d[k] + L->stay[i] * u[i];
        for (int32_t j = rp[i]; j < rp[i + 1]; j++) {
          int32_t t = col[j];
          if (!tr[t]) continue;
          L->gedge[j] += vi * u[t];
          acc += L->p[j] * u[t];
        }
        un[i] = acc;
      }
      double *x = u; u = un; un = x;
    }
    if (!checkpointed || seg_first == 0) break;
    seg_first -= C;
  }
  /* u = u_0. Chain to the weights. */
  const double il = 1 / lambda;
  for (int32_t j = 0; j < L->m; j++) wbar[j] = 0;
  for (int32_t j = rp[0]; j < rp[1]; j++) wbar[j] = tr[col[j]] ? u[col[j]] + start_bar : 0;
  for (int32_t i = 1; i < n; i++) {
    if (!tr[i]) continue;
    for (int32_t j = rp[i]; j < rp[i + 1]; j++)
      wbar[j] = tr[col[j]] ? (L->gedge[j] - L->gdiag[i]) * il : L->h[i] - L->gdiag[i] * il;
  }
  return PK_LIK_OK;
}

int32_t pk_lik_steps(const pk_lik *L) { return L->steps; }
double pk_lik_lambda(const pk_lik *L) { return L->lambda; }

/* P parameter rows at once: w = base + coef·θ (checked as pk_rates_at does), log L,
 * and with grad (P × npar) ∂ log L/∂θ = Cᵀ ∂ log L/∂w. status[r]: 0 done; 1 θ row
 * refused by the rate checks (the caller names the problem); 2 + a PK_LIK_* code.
 * w and wbar are scratch of m doubles each (wbar unused without grad). */
void pk_lik_batch(pk_lik *L, int32_t npar, const double *base, const double *coef, const double *loop_base,
                  const double *loop_coef, const uint8_t *has_out, int32_t P, const double *thetas,
                  double *w, double *wbar, double *ll, double *grad, int32_t *status) {
  for (int32_t r = 0; r < P; r++) {
    const double *theta = thetas + (size_t)r * npar;
    if (pk_rates_at(L->n, npar, L->rp, base, coef, loop_base, loop_coef, has_out, L->discrete, theta, w)) {
      status[r] = 1; ll[r] = 0;
      continue;
    }
    int32_t st = pk_lik_eval(L, w, &ll[r], grad ? wbar : 0);
    status[r] = st == PK_LIK_OK ? 0 : 2 + st;
    if (!grad) continue;
    double *g = grad + (size_t)r * npar;
    for (int32_t i = 0; i < npar; i++) g[i] = 0;
    if (st != PK_LIK_OK) continue;
    for (int32_t j = 0; j < L->m; j++) {
      double x = wbar[j];
      if (x == 0) continue;
      const double *cj = coef + (size_t)j * npar;
      for (int32_t i = 0; i < npar; i++) g[i] += cj[i] * x;
    }
  }
}
