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
 * style, so nothing underflows) gives f(t). It stops where a geometric bound on the
 * rest falls below POISSON_TAIL of the window's mass and, times the largest a_n (b_n)
 * beyond, below DENSITY_TAIL of f itself: f is exact relative to itself, down to
 * PROB_FLOOR, also where the density is made of terms outside the Poisson bulk (an
 * early time needing more jumps than λt gives; a late one whose mass left early), and
 * below PROB_FLOOR where no term before it is nonzero (a time far shorter still), until
 * the Poisson weights underflow. A
 * window that needs the sequences further than the steps taken asks for more, and one
 * more pass steps them. Observation times are sorted and merged by
 * the caller; one stepping serves all of them. The reverse pass spreads each
 * adjoint over the same window (its ends recorded), from the weights the forward walk
 * kept (within max_bytes), else recomputed by the same products: the same bits. Weight-0
 * observations (a mini-batch's left-out ones) are skipped. */
#include "likelihood.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t bytes) { return realloc(p, bytes ? bytes : 8); }

void pk_lik_free(pk_lik *L) {
  if (!L) return;
  pk_steps_free(L->layout);
  free(L->pad_col); free(L->pad_edge);
  free(L->rcp); free(L->rsrc); free(L->redge); free(L->tpt);
  free(L->rp); free(L->col); free(L->tidx); free(L->tvert); free(L->trp); free(L->tcol); free(L->tedge); free(L->tk);
  free(L->pt); free(L->pw); free(L->ct); free(L->cw);
  free(L->s); free(L->exit); free(L->stay); free(L->tp); free(L->alpha); free(L->gdiag); free(L->h);
  free(L->u); free(L->unew); free(L->gedge); free(L->pf); free(L->pnorm); free(L->cf); free(L->cnorm);
  free(L->abcd); free(L->env); free(L->scale); free(L->rows_at); free(L->env_scale); free(L->inv); free(L->kept); free(L->kept_at); free(L->store); free(L->ecoef);
  lik_adaptive_free(L);
  free(L);
}

static double *copy_f64(const double *src, int32_t len) {
  double *d = malloc((size_t)(len > 0 ? len : 1) * 8);
  if (d && len > 0) memcpy(d, src, (size_t)len * 8);
  return d;
}

/* Lays the reverse sweep's rows out at `width` (−1: the kernel's choice for their lengths);
 * 0, or −1 out of memory (the old layout kept). */
static int32_t reverse_layout(pk_lik *L, int32_t width) {
  const int32_t nt = L->nt;
  if (width < 0) width = steps_choose_width(nt, L->trp);
  if (width > PAD_MAX_WIDTH) width = PAD_MAX_WIDTH;
  int32_t *col = 0, *edge = 0;
  if (width > 0) {
    size_t slots = (size_t)nt * (size_t)width;
    if (slots > SIZE_MAX / 8) return -1;
    col = malloc((slots ? slots : 1) * 4);
    edge = malloc((slots ? slots : 1) * 4);
    if (!col || !edge) { free(col); free(edge); return -1; }
    for (int32_t i = 0; i < nt; i++)
      for (int32_t q = 0; q < width; q++) {
        const int32_t e = L->trp[i] + q;
        const size_t at = (size_t)i * (size_t)width + (size_t)q;
        col[at] = e < L->trp[i + 1] ? L->tcol[e] : nt;
        edge[at] = e < L->trp[i + 1] ? e : L->mt;
      }
  }
  free(L->pad_col); free(L->pad_edge);
  L->pad_col = col; L->pad_edge = edge; L->rwidth = width;
  return 0;
}

pk_lik *pk_lik_create(int32_t n, const int32_t *rp, const int32_t *col, int32_t discrete,
                      int32_t np, const double *pt, const double *pw, int32_t nc, const double *ct, const double *cw,
                      int32_t max_steps, double max_bytes) {
  pk_lik *L = calloc(1, sizeof *L);
  if (!L) return 0;
  int32_t m = rp[n];
  L->n = n; L->m = m; L->discrete = discrete; L->np = np; L->nc = nc; L->ecoef_npar = -1;
  L->max_steps = max_steps; L->max_bytes = max_bytes;
  size_t m1 = (size_t)(m > 0 ? m : 1);
  L->rp = malloc(((size_t)n + 1) * 4); L->col = malloc(m1 * 4);
  L->tidx = malloc(((size_t)n + 1) * 4); L->tvert = malloc(((size_t)n + 1) * 4);
  L->trp = malloc(((size_t)n + 1) * 4); L->tcol = malloc(m1 * 4); L->tedge = malloc(m1 * 4); L->tk = malloc(m1 * 4);
  L->pt = copy_f64(pt, np); L->pw = copy_f64(pw, np); L->ct = copy_f64(ct, nc); L->cw = copy_f64(cw, nc);
  if (!L->rp || !L->col || !L->tidx || !L->tvert || !L->trp || !L->tcol || !L->tedge || !L->tk || !L->pt || !L->pw || !L->ct || !L->cw) { pk_lik_free(L); return 0; }
  memcpy(L->rp, rp, ((size_t)n + 1) * 4);
  if (m > 0) memcpy(L->col, col, (size_t)m * 4);
  int32_t nt = 0;
  for (int32_t v = 0; v < n; v++) L->tidx[v] = v > 0 && rp[v + 1] > rp[v] ? (L->tvert[nt] = v, nt++) : -1;
  int32_t mt = 0;
  L->trp[0] = 0;
  for (int32_t j = 0; j < m; j++) L->tk[j] = -1;
  for (int32_t a = 0; a < nt; a++) {
    int32_t v = L->tvert[a];
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) {
      int32_t b = L->tidx[col[j]];
      if (b < 0) continue;
      L->tcol[mt] = b; L->tedge[mt] = j; L->tk[j] = mt; mt++;
    }
    L->trp[a + 1] = mt;
  }
  L->nt = nt; L->mt = mt;
  for (int32_t j = rp[0]; j < rp[1]; j++) if (L->tidx[col[j]] >= L->start_rows) L->start_rows = L->tidx[col[j]] + 1;
  L->rcp = calloc((size_t)nt + 2, 4); L->rsrc = malloc(((size_t)mt + 1) * 4); L->redge = malloc(((size_t)mt + 1) * 4);
  L->tpt = calloc((size_t)mt + 1, 8);
  if (!L->rcp || !L->rsrc || !L->redge || !L->tpt) { pk_lik_free(L); return 0; }
  for (int32_t k = 0; k < mt; k++) L->rcp[L->tcol[k] + 1]++;
  for (int32_t b = 0; b < nt; b++) L->rcp[b + 1] += L->rcp[b];
  {
    int32_t *fill = malloc(((size_t)nt + 1) * 4);
    if (!fill) { pk_lik_free(L); return 0; }
    memcpy(fill, L->rcp, (size_t)nt * 4);
    for (int32_t a2 = 0; a2 < nt; a2++)
      for (int32_t k = L->trp[a2]; k < L->trp[a2 + 1]; k++) { int32_t r = fill[L->tcol[k]]++; L->rsrc[r] = a2; L->redge[r] = k; }
    free(fill);
  }
  L->layout = pk_steps_create(nt, L->rcp, L->rsrc, L->tpt, -1);
  if (!L->layout || reverse_layout(L, -1)) { pk_lik_free(L); return 0; }
  size_t nb = ((size_t)nt + 1) * 8, mb = ((size_t)mt + 1) * 8;
  L->s = malloc(nb); L->exit = malloc(nb); L->stay = malloc(nb); L->alpha = malloc(nb); L->gdiag = malloc(nb);
  L->h = malloc(nb); L->u = malloc(nb); L->unew = malloc(nb); L->tp = malloc(mb); L->gedge = malloc(mb);
  L->kept_at = malloc(((size_t)np + (size_t)nc + 1) * 4 * 4);
  L->pf = malloc(((size_t)np + 1) * 8); L->pnorm = malloc(((size_t)np + 1) * 8);
  L->cf = malloc(((size_t)nc + 1) * 8); L->cnorm = malloc(((size_t)nc + 1) * 8);
  if (!L->s || !L->exit || !L->stay || !L->alpha || !L->gdiag || !L->h || !L->u || !L->unew || !L->tp || !L->gedge || !L->pf || !L->pnorm || !L->cf || !L->cnorm || !L->kept_at) { pk_lik_free(L); return 0; }
  return L;
}

/* The Poisson(μ) window, walked from the mode outwards with relative weights
 * (mode = 1), stopping each way once a geometric bound on the rest is below
 * POISSON_TAIL of the mass so far: how many steps the sequences need. The walks below
 * go at least as far (they multiply by 1/k where this one divides: a term more or less
 * at the far end, where it weighs less than POISSON_TAIL), and further where the
 * sequence makes the tail matter. */
typedef struct { int32_t left, right; } window;

static window poisson_window(double mu) {
  window w = { 0, 0 };
  if (mu <= 0) return w;
  double mode = floor(mu), total = 1, x = 1;
  int64_t k;
  for (k = (int64_t)mode;; k++) {
    double r = mu / (double)(k + 1);
    if (r < 1 && x * r <= POISSON_TAIL * total * (1 - r)) break;
    x *= r; total += x;
  }
  w.right = (int32_t)(k > INT32_MAX ? INT32_MAX : k);
  x = 1;
  for (k = (int64_t)mode; k > 0; k--) {
    double r = (double)k / mu;
    if (r < 1 && x * r <= POISSON_TAIL * total * (1 - r)) break;
    x *= r; total += x;
  }
  w.left = (int32_t)k;
  return w;
}

/* 1/k for k < len: the walks below multiply by it instead of dividing (a division
 * per term was most of their time); past the table they divide. */
typedef struct { const double *inv; int32_t len; } recip;

static inline double ratio_up(recip q, double mu, int64_t k) { return k + 1 < q.len ? mu * q.inv[k + 1] : mu / (double)(k + 1); }

/* A sequence x[0..len) (a_n or b_n) with its envelopes: pre[k] = max x[0..k],
 * suf[k] = max x[k..len) ∨ beyond, and `beyond` ≥ every x[j], j ≥ len, not computed.
 * They bound what a window leaves out relative to what it holds. Scaled (E not null):
 * x[k] stands for x[k]·2^−E[k] (E never decreases), suf[k] is in the scale E[k], `beyond`
 * in E[len − 1]'s, and pre[k] in preE[k]'s (that of the largest value). */
typedef struct { const double *x, *pre, *suf; double beyond; int32_t len; const int32_t *E, *preE; } sequence;

/* The weights a walk may keep for the reverse pass: room for `cap` of them at `w`. */
typedef struct { double *w; int64_t cap; } kept_walk;

/* Where one walk stopped: terms walked right and left of the mode, and, when the
 * sequence ended before the right tail was negligible, the length it needs (else 0).
 * `lost`: the weights underflowed while nothing was summed yet, so a 0 is not the answer
 * (a time far shorter than the rates: its density is all in terms past that point). */
typedef struct { int64_t right, left, want; int lost; } walk;

/* Whether what a walk leaves out, at most w·r/(1 − r)·xb (w its last weight, r the ratio
 * of the next, xb the envelope of x beyond), is below DENSITY_TAIL of the sum so far
 * or below PROB_FLOOR absolutely. While nothing is summed yet, only where nothing is left:
 * a density at a time far shorter than the rates (the coalescent n = 5 at t = 1e−100,
 * f = 30·t³) is made of terms beyond the floor alone, and the weights end by underflowing. */
static inline int negligible(double w, double r, double xb, double acc, double total) {
  double rest = w * r * xb;
  if (acc == 0) return rest == 0;
  return rest <= (DENSITY_TAIL * acc) * (1 - r) || rest <= (PROB_FLOOR * total) * (1 - r);
}

/* The length a sequence needs for a walk that reached its end at k with its rest not
 * negligible, taking x beyond as `xb` and the sum as it is (so an upper bound). */
static int64_t length_wanted(double mu, recip q, int64_t k, double w, double xb, double acc, double total) {
  double need = acc == 0 ? 0 : DENSITY_TAIL * acc > PROB_FLOOR * total ? DENSITY_TAIL * acc : PROB_FLOOR * total;
  int64_t j = k;
  for (; j < INT32_MAX; j++) { double r = ratio_up(q, mu, j); if (w * r * xb <= need * (1 - r)) break; w *= r; }
  return j + 2;
}

/* Σ_k Pois(k; μ)·x[k] by walking from the mode outwards with relative weights (mode = 1).
 * Each way it walks until a geometric bound on the rest of the weights is below
 * POISSON_TAIL of their mass (so the norm is right), then on while that bound times the
 * envelope of x beyond is not negligible (above). So f is exact relative to itself: an
 * early time whose density needs more jumps than the Poisson bulk holds, or a late one
 * whose density sits far left of it, is not lost. The second test has a loop of its
 * own, so the first stays as tight as it was without it (a fifth of the time).
 * *norm gets Σ w; with `keep`, the weights are kept too (right of the mode, then left). */
static double poisson_dot(double mu, const sequence *sq, recip q, double *norm, kept_walk *keep, walk *out) {
  const double *x = sq->x;
  const int32_t len = sq->len;
  *out = (walk){ 0, 0, 0, 0 };
  if (mu <= 0) { *norm = 1; return len > 0 ? x[0] : 0; }
  int64_t mode = (int64_t)floor(mu), n = 0, k;
  double total = 1, acc = mode < len ? x[mode] : 0, w = 1, imu = 1 / mu, r;
  double *kw = keep ? keep->w : 0;
  int64_t cap = keep ? keep->cap : 0;
#define STEP_RIGHT { w *= r; total += w; if (k + 1 < len) acc += w * x[k + 1]; if (n < cap) kw[n] = w; n++; }
  for (k = mode;; k++) {
    r = ratio_up(q, mu, k);
    if (r < 1 && w * r <= POISSON_TAIL * total * (1 - r)) break;
    STEP_RIGHT
  }
  for (;; k++) {
    r = ratio_up(q, mu, k);
    double xb = k + 1 < len ? sq->suf[k + 1] : sq->beyond;
    if (negligible(w, r, xb, acc, total)) { out->lost = acc == 0 && xb > 0; break; }
    if (k + 1 >= len) { out->want = length_wanted(mu, q, k, w, xb, acc, total); break; }
    STEP_RIGHT
  }
#undef STEP_RIGHT
  out->right = n;
  w = 1;
#define STEP_LEFT { w *= r; total += w; if (k - 1 < len) acc += w * x[k - 1]; if (n < cap) kw[n] = w; n++; }
  for (k = mode; k > 0; k--) {
    r = (double)k * imu;
    if (r < 1 && w * r <= POISSON_TAIL * total * (1 - r)) break;
    STEP_LEFT
  }
  for (; k > 0; k--) {
    r = (double)k * imu;
    double xb = sq->pre[k - 1 < len ? k - 1 : len - 1];
    if (negligible(w, r, xb, acc, total)) { out->lost |= acc == 0 && xb > 0; break; }
    STEP_LEFT
  }
#undef STEP_LEFT
  out->left = n - out->right;
  *norm = total;
  return acc / total;
}

/* x, stored in the scale e, in the scale ea: exact, or 0 (≤ 1e−308 of ea's values) or ∞
 * (never negligible) past the range of doubles. */
static inline double in_scale(double x, int32_t e, int32_t ea) { return e == ea ? x : ldexp(x, ea - e); }

/* negligible() for a bound xb stored in the scale xe, against a sum in the scale ea: the
 * bound is multiplied out before it is moved, so a large envelope times a tiny weight
 * does not overflow on the way (∞ only where the rest truly is beyond doubles). */
static inline int negligible_scaled(double w, double r, double xb, int32_t xe, double acc, int32_t ea, double total) {
  if (acc == 0) return !(w > 0 && r > 0 && xb > 0); /* nothing summed: no scale to compare in */
  return negligible(1, r, in_scale(w * xb, xe, ea), acc, total);
}

/* A weight w·2^−ws brought back to a mantissa in [0.5, 1) (ws raised to match), so that
 * multiplying it by a ratio as small as 1e−300 stays a normal double. */
static inline void renormalise(double *w, int32_t *ws) {
  int e;
  *w = frexp(*w, &e);
  *ws -= e;
}

/* A Poisson mean μ = λt, and for a tiny one (below 2^−900, where the walk's ratios
 * μ/(k + 1), or μ itself, would be subnormal and lose digits) the same number as a
 * mantissa and an exponent, μ = mus·2^−shift with mus in [1, 4), from λ's and t's own: a
 * density at a time far shorter than the rates (t = 1e−305) then walks as exactly as at
 * 1e−30, where the weights' exponents already go into ws. shift is 0 (mus = μ) otherwise,
 * so every other walk keeps its bits. */
typedef struct { double mu, mus; int32_t shift; } poisson_mean;

static poisson_mean poisson_mean_of(double lambda, double t) {
  const double mu = lambda * t;
  if (!(t > 0) || !(lambda > 0) || mu >= 0x1p-900) return (poisson_mean){ mu, mu, 0 };
  const int el = ilogb(lambda), et = ilogb(t);
  return (poisson_mean){ mu, ldexp(lambda, -el) * ldexp(t, -et), -(el + et) };
}

/* negligible_scaled for a shifted walk's step (ratio rs·2^−shift, below 2^−800, so 1 − r is
 * 1): the bound moved into the sum's scale before the ratio multiplies it. */
static inline int negligible_shifted(double w, double rs, int32_t shift, double xb, int32_t xe, double acc, int32_t ea, double total) {
  if (acc == 0) return !(w > 0 && rs > 0 && xb > 0);
  const double rest = rs * in_scale(w * xb, xe + shift, ea);
  return rest <= DENSITY_TAIL * acc || rest <= PROB_FLOOR * total;
}

/* poisson_dot on a scaled sequence: the same walk, its sum kept in the mode's scale
 * (*scale), moved to a lower one only where a term left of the mode would be over 2^500 in
 * it, or taken from its first term where the mode's is 0; so a density far in the tail
 * comes back as a mantissa and an exponent. Far left the weights would pass below the
 * subnormals (where w·r rounds back to w: a weight stuck at 5e−324, times a value 2^1200 up,
 * adds garbage), so they are scaled too, kept at or above 2^−40 so that w·x is a normal
 * double (x ≥ 1e−290) and keeps its digits. Right of the Poisson bulk they are scaled as
 * well (a time far shorter than the rates: the coalescent n = 15 at t = 1e−30 needs the
 * weight (λt)^13/13! ≈ 1e−374), and the walk goes on while nothing is summed and some
 * term ahead is not 0. Weights are not kept: the reverse pass recomputes them. A second
 * function, so that the unscaled walk (almost every call) keeps its speed and its bits;
 * it is also what a plain sequence's walk falls back to when its weights underflowed
 * (`walk.lost`), with every E 0. */
static double poisson_dot_scaled(poisson_mean pm, const sequence *sq, recip q, double *norm, walk *out, int32_t *scale) {
  const double *x = sq->x, mu = pm.mu;
  const int32_t len = sq->len, *E = sq->E;
  *out = (walk){ 0, 0, 0, 0 };
  if (mu <= 0 && pm.shift == 0) { *norm = 1; *scale = E[0]; return len > 0 ? x[0] : 0; }
  int64_t mode = (int64_t)floor(mu), n = 0, k;
  int32_t ea = E[mode < len ? mode : len - 1], ws = 0; /* weights are w·2^−ws */
  double total = 1, acc = mode < len ? x[mode] : 0, w = 1, imu = 1 / mu, r;
#define ADD(j) { double term = w * x[j]; int32_t e = E[j] + ws;                                 \
    if (e != ea) { double moved = ldexp(term, ea - e);                                      \
      if (acc == 0) ea = e;                                                                 \
      else if (moved < 0x1p500) term = moved; else { acc = ldexp(acc, e - ea); ea = e; } }  \
    acc += term; }
#define STEP_RIGHT { w *= r; total += w; if (k + 1 < len) ADD(k + 1) n++; }
  /* past the bulk: w·2^−ws, w kept in [0.5, 1) once small, so that w·x is a normal double */
#define STEP_FAR { w *= rs; ws += pm.shift; if (w < 0x1p-40) renormalise(&w, &ws);          \
    total += ws ? ldexp(w, -ws) : w; if (k + 1 < len) ADD(k + 1) n++; }
  for (k = mode;; k++) {
    r = ratio_up(q, mu, k);
    if (r < 1 && w * r <= POISSON_TAIL * total * (1 - r)) break;
    STEP_RIGHT
  }
  for (;; k++) {
    r = ratio_up(q, mu, k);
    /* the ratio multiplied by: r itself, or r·2^shift for a tiny μ (then r may be subnormal) */
    const double rs = pm.shift ? ratio_up(q, pm.mus, k) : r;
    if (w < 0x1p-40) renormalise(&w, &ws);
    const double xs = k + 1 < len ? sq->suf[k + 1] : sq->beyond;
    const int32_t xe = E[k + 1 < len ? k + 1 : len - 1] + ws;
    /* to the right the bound only shrinks as it moves into the sum's scale */
    if (pm.shift ? negligible_shifted(w, rs, pm.shift, xs, xe, acc, ea, total)
        : ws == 0 && acc != 0 ? negligible(w, r, in_scale(xs, xe, ea), acc, total) : negligible_scaled(w, r, xs, xe, acc, ea, total)) break;
    /* A weight 2^−(2^30) down is nothing beside any sum (and its exponent must stay an int):
     * with nothing summed the probability is LOST, never a wrapped exponent. */
    if (ws > 0x3fffffff - pm.shift) break;
    if (k + 1 >= len) {
      /* Nothing summed yet: no bound on the length, so ask for twice as much (the caller
       * steps again while a walk asks). */
      out->want = acc == 0 ? 2 * (k + 2)
                : ws == 0 ? length_wanted(mu, q, k, w, in_scale(xs, xe, ea), acc, total)
                : length_wanted(mu, q, k, 1, in_scale(w * xs, xe, ea), acc, total);
      break;
    }
    STEP_FAR
  }
#undef STEP_RIGHT
#undef STEP_FAR
  out->right = n;
  w = 1;
  ws = 0;
#define STEP_LEFT { w *= r; if (w < 0x1p-40) { w = ldexp(w, 40); ws += 40; }               \
    total += ws ? ldexp(w, -ws) : w; if (k - 1 < len) ADD(k - 1) n++; }
  for (k = mode; k > 0; k--) {
    r = (double)k * imu;
    if (r < 1 && w * r <= POISSON_TAIL * total * (1 - r)) break;
    STEP_LEFT
  }
  for (; k > 0; k--) {
    r = (double)k * imu;
    int64_t j = k - 1 < len ? k - 1 : len - 1;
    if (negligible_scaled(w, r, sq->pre[j], sq->preE[j] + ws, acc, ea, total)) break;
    STEP_LEFT
  }
#undef STEP_LEFT
#undef ADD
  out->left = n - out->right;
  *norm = total;
  *scale = ea;
  return acc / total;
}

/* xbar[k] += g·Pois(k; μ) over the window poisson_dot walked (`right` and `left` terms
 * each way; norm from it): from its kept weights, or recomputed by the same products,
 * which give the same bits. */
static void poisson_spread(double mu, double g, double norm, double *xbar, int32_t len, recip q,
                           int64_t right, int64_t left, const double *kw) {
  if (mu <= 0) { if (len > 0) xbar[0] += g; return; }
  int64_t mode = (int64_t)floor(mu);
  double w = 1, s = g / norm, imu = 1 / mu;
  if (mode < len) xbar[mode] += s;
  for (int64_t j = 0; j < right; j++) {
    w = kw ? kw[j] : w * ratio_up(q, mu, mode + j);
    if (mode + 1 + j < len) xbar[mode + 1 + j] += s * w;
  }
  w = 1;
  for (int64_t j = 0; j < left; j++) {
    w = kw ? kw[right + j] : w * ((double)(mode - j) * imu);
    if (mode - 1 - j < len) xbar[mode - 1 - j] += s * w;
  }
}

/* poisson_spread for a scaled sequence whose sum came in the scale ef: xbar[k], the
 * adjoint of the stored x[k], gets g·Pois(k; μ)·2^(ef − E[k]), the weights recomputed
 * (and scaled) as poisson_dot_scaled made them. */
static void poisson_spread_scaled(poisson_mean pm, double g, double norm, double *xbar, const double *x, int32_t len, recip q,
                                  int64_t right, int64_t left, const int32_t *E, int32_t ef, int skip_zeros) {
  const double mu = pm.mu;
  if (mu <= 0 && pm.shift == 0) { if (len > 0) xbar[0] += g; return; }
  int64_t mode = (int64_t)floor(mu);
  double w = 1, s = g / norm, imu = 1 / mu;
  int32_t ws = 0;
  /* Left of a time's first nonzero term, Pois(k)/f passes the doubles at a time far shorter
   * than the rates (t = 1e−300: 1e900). Those x[k] are 0 whatever the rates (no path of k
   * jumps absorbs), so their adjoints are left out, unless an edge of weight 0 could open
   * such a path (skip_zeros 0: the gradient is then not finite, as it truly is). */
#define ADJOINT(k, add) { double add_ = (add); if (add_ < INFINITY || !skip_zeros || x[k] != 0) xbar[k] += add_; }
  if (mode < len) ADJOINT(mode, in_scale(s, E[mode], ef))
  for (int64_t j = 0; j < right; j++) {
    /* renormalised where the walk did or not (it only past the bulk): the same values */
    w *= ratio_up(q, pm.mus, mode + j); /* mus is μ itself unless shifted */
    ws += pm.shift;
    if (w < 0x1p-40) renormalise(&w, &ws);
    if (mode + 1 + j < len) ADJOINT(mode + 1 + j, in_scale(s * w, E[mode + 1 + j] + ws, ef))
  }
  w = 1;
  ws = 0;
  for (int64_t j = 0; j < left; j++) {
    w *= (double)(mode - j) * imu;
    if (w < 0x1p-40) { w = ldexp(w, 40); ws += 40; }
    if (mode - 1 - j < len) ADJOINT(mode - 1 - j, in_scale(s * w, E[mode - 1 - j] + ws, ef))
  }
#undef ADJOINT
}

/* next = v·K over the transient vertices, gathering by target (no scattered stores), entries
 * below 1e−290 flushed to 0 (subnormal arithmetic is tens of times slower, and mass that
 * small changes no result); returns next·s, with *mass = Σ next, summed as it is made
 * (i ascending, as dot_s sums). The step is distribution.c's, over L->layout: padded rows
 * on large irregular graphs, the same bits as plain rows; or, while the mass fills a prefix
 * of the rows (v is 0 from row *rows on), only the rows it can reach, *rows then moved on. */
static double step(const pk_lik *L, const double *restrict v, double *restrict next, double *mass, int32_t *rows) {
  double sums[2];
  *rows = steps_step_from(L->layout, L->stay, L->s, v, next, sums, *rows);
  *mass = sums[1];
  return sums[0];
}

static double dot_s(const pk_lik *L, const double *v, double *mass) {
  double a = 0, b = 0;
  for (int32_t i = 0; i < L->nt; i++) { a += v[i] * L->s[i]; b += v[i]; }
  *mass = b;
  return a;
}

/* The right end of the Poisson(μ) window; INT64_MAX past what a run could step. */
int64_t lik_window_end(double mu) {
  if (!(mu < 4e9)) return INT64_MAX;
  return poisson_window(mu).right;
}

/* The largest observed time that takes part: weight-0 observations (a mini-batch's
 * left-out ones) do not. */
double lik_max_time(const pk_lik *L) {
  double tmax = 0;
  for (int32_t i = 0; i < L->np; i++) if (L->pw[i] > 0 && L->pt[i] > tmax) tmax = L->pt[i];
  for (int32_t i = 0; i < L->nc; i++) if (L->cw[i] > 0 && L->ct[i] > tmax) tmax = L->ct[i];
  return tmax;
}

/* Steps needed: continuous, the right end of the widest window; discrete, the largest step. */
static int64_t steps_needed(const pk_lik *L) {
  int64_t N = 0;
  if (L->discrete) {
    for (int32_t i = 0; i < L->np; i++) if (L->pw[i] > 0 && L->pt[i] - 1 > N) N = (int64_t)L->pt[i] - 1;
    for (int32_t i = 0; i < L->nc; i++) if (L->cw[i] > 0 && L->ct[i] > N) N = (int64_t)L->ct[i];
    return N;
  }
  return lik_window_end(L->lambda * lik_max_time(L));
}

/* kept_at[4·at]: where a point's kept weights start, −1 for none, or this for a walk with
 * its weights scaled (poisson_dot_scaled), which the reverse pass redoes in scale. */
#define WALK_SCALED (-2)

/* Passes that step the sequences further for the windows (see pk_lik_eval). */
#define MAX_PASSES 40

/* poisson_dot for point `at` (np exact points, then the censored ones), recording its
 * window for the reverse pass; with `keeping`, its weights too while they fit in
 * max_bytes (else the reverse pass recomputes them). *want: the sequence length it needs. */
static double dot_keeping(pk_lik *L, int32_t at, poisson_mean pm, const sequence *sq, recip q, double *norm, int keeping, size_t *used, int64_t *want) {
  const double mu = pm.mu;
  int32_t *meta = L->kept_at + 4 * (size_t)at;
  size_t room = (size_t)sq->len + 64; /* a window has at most about len terms */
  kept_walk k = { 0, 0 };
  if (keeping && *used + room > L->kept_cap) {
    size_t more = 2 * L->kept_cap > *used + room ? 2 * L->kept_cap : *used + room;
    double *p = (double)more * 8 <= L->max_bytes ? grow(L->kept, more * 8) : 0;
    if (p) { L->kept = p; L->kept_cap = more; }
  }
  if (keeping && *used + room <= L->kept_cap) k = (kept_walk){ L->kept + *used, (int64_t)room };
  walk wk = { 0, 0, 0, 0 };
  int32_t scale = 0;
  /* Two calls, so that the walk without weights to keep is compiled without their stores.
   * A tiny μ walks scaled from the start: the plain walk's weights would underflow. */
  double f = sq->E ? poisson_dot_scaled(pm, sq, q, norm, &wk, &scale)
           : pm.shift ? 0 : k.w ? poisson_dot(mu, sq, q, norm, &k, &wk) : poisson_dot(mu, sq, q, norm, 0, &wk);
  int scaled_walk = sq->E != 0;
  if ((wk.lost || pm.shift) && !scaled_walk) {
    /* Its weights underflowed before any term, or would have (a tiny μ): walk again with them
     * scaled (every E is 0 in a sequence that was not scaled). */
    sequence again = *sq;
    again.E = again.preE = L->scale;
    f = poisson_dot_scaled(pm, &again, q, norm, &wk, &scale);
    scaled_walk = 1;
  }
  if (scaled_walk) k.w = 0; /* its weights are recomputed */
  meta[0] = scaled_walk ? WALK_SCALED : -1; meta[1] = (int32_t)wk.right; meta[2] = (int32_t)wk.left; meta[3] = scale;
  if (k.w && wk.right + wk.left <= k.cap) { meta[0] = (int32_t)*used; *used += (size_t)(wk.right + wk.left); }
  if (wk.want > *want) *want = wk.want;
  return f;
}

/* The reverse of dot_keeping: xbar[k] += g·Pois(k; μ) over the window it walked. */
static void spread_kept(const pk_lik *L, int32_t at, poisson_mean pm, double g, double norm, double *xbar, const double *x, int32_t len, recip q) {
  const int32_t *meta = L->kept_at + 4 * (size_t)at;
  const double *kw = meta[0] >= 0 ? L->kept + meta[0] : 0;
  if (meta[0] == WALK_SCALED) poisson_spread_scaled(pm, g, norm, xbar, x, len, q, meta[1], meta[2], L->scale, meta[3], !L->zero_weight);
  else poisson_spread(pm.mu, g, norm, xbar, len, q, meta[1], meta[2], kw);
}

/* The exponent of point `at`'s probability: it stands for its mantissa (pf, cf)·2^−scale. */
static inline int32_t point_scale(const pk_lik *L, int32_t at) { return L->kept_at[4 * (size_t)at + 3]; }

/* The envelopes of x[0..len) (see `sequence`) into env (2·len + 1 doubles). */
static sequence envelope(const double *x, int32_t len, double beyond, double *env) {
  double *pre = env, *suf = env + len, m = 0;
  for (int32_t k = 0; k < len; k++) { if (x[k] > m) m = x[k]; pre[k] = m; }
  suf[len] = beyond;
  for (int32_t k = len - 1; k >= 0; k--) suf[k] = x[k] > suf[k + 1] ? x[k] : suf[k + 1];
  return (sequence){ x, pre, suf, beyond, len, 0, 0 };
}

/* envelope of a scaled sequence (`beyond` in the scale E[len − 1]): suf[k] in E[k]'s
 * scale, pre[k] in preE[k]'s, so neither overflows. */
static sequence envelope_scaled(const double *x, const int32_t *E, int32_t len, double beyond, double *env, int32_t *preE) {
  double *pre = env, *suf = env + len, m = 0;
  int32_t me = E[0];
  for (int32_t k = 0; k < len; k++) {
    if (in_scale(x[k], E[k], me) > m) { m = x[k]; me = E[k]; }
    pre[k] = m; preE[k] = me;
  }
  suf[len] = beyond;
  for (int32_t k = len - 1; k >= 0; k--) {
    double later = in_scale(suf[k + 1], E[k + 1 < len ? k + 1 : len - 1], E[k]);
    suf[k] = x[k] > later ? x[k] : later;
  }
  return (sequence){ x, pre, suf, beyond, len, E, preE };
}

/* x[0..n) ×= 2^shift: exact (entries are 0 or far above the subnormals). */
void lik_rescale(double *x, int32_t n, int32_t shift) {
  for (int32_t i = 0; i < n; i++) x[i] = ldexp(x[i], shift);
}

/* The shift (a multiple of RESCALE_SHIFT) that lifts a mass below RESCALE_BELOW back over it;
 * 0 for a mass of 0 or one high enough. */
int32_t lik_shift_for(double mass) {
  int32_t shift = 0;
  if (mass > 0) while (mass < RESCALE_BELOW) { mass = ldexp(mass, RESCALE_SHIFT); shift += RESCALE_SHIFT; }
  return shift;
}

/* How the reverse sweep gets v_n: all stored (N+1 vectors), or K checkpoints every C steps and a segment. */
typedef struct { int32_t C, K, checkpointed; double *seg; } store_plan;

/* The plain path's forward pass: a_n and b_n for n = 0..N, and the vectors the reverse sweep needs. */
static int32_t plain_sequences(pk_lik *L, double *a, double *b, int32_t N, int gradient, store_plan *plan) {
  int32_t C = N + 1, K = 1;
  size_t nn = (size_t)(L->nt > 0 ? L->nt : 1);
  if (gradient) {
    double slots = L->max_bytes / (8.0 * (double)nn);
    if ((double)(N + 1) > slots) {
      C = (int32_t)ceil(sqrt((double)(N + 1)));
      K = (N + 1 + C - 1) / C;
      if ((double)K + (double)C > slots) return PK_LIK_TOO_MUCH_MEMORY;
    }
  }
  int checkpointed = gradient && C != N + 1;
  double want = (gradient ? (checkpointed ? (double)(K + C) : (double)(N + 1)) : 2.0) * (double)nn;
  if (want < 2.0 * (double)nn) want = 2.0 * (double)nn;
  if (want > L->store_cap) {
    double *q = grow(L->store, (size_t)want * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    L->store = q; L->store_cap = want;
  }
  /* Layout: all stored, store[nn·k] = v_k; checkpointed, K checkpoints then a C-vector segment;
   * without a gradient, two vectors in turn. */
  double *cur = L->store, *next;
  double *seg = checkpointed ? L->store + (size_t)K * nn : 0;
  *plan = (store_plan){ C, K, checkpointed, seg };
  int32_t steps = N + 1, *E = L->scale, *R = L->rows_at;
  memcpy(L->store, L->alpha, nn * 8);
  double mass, sa = dot_s(L, cur, &mass);
  E[0] = 0;
  /* Rows past R[k] of v_k are 0 (and need not be stored as such: see steps_step_from); α is
   * 0 past the last start edge's transient at every θ, so the reverse sweep's u_0 covers
   * every start edge, those of rate 0 at this θ too. */
  R[0] = steps_first_rows(L->layout, L->start_rows);
  for (int32_t k = 0; k <= N; k++) {
    a[k] = sa;
    b[k] = mass;
    if (mass == 0 || E[k] > SCALE_MAX) { steps = k + 1; break; }
    if (k == N) break;
    if (!gradient) next = L->store + ((k + 1) & 1) * nn;
    else if (!checkpointed) next = L->store + (size_t)(k + 1) * nn;
    else next = cur == seg ? seg + nn : seg; /* the segment buffer's first two vectors in turn */
    R[k + 1] = R[k];
    sa = step(L, cur, next, &mass, &R[k + 1]);
    const int32_t shift = lik_shift_for(mass);
    E[k + 1] = E[k] + shift;
    if (shift) {
      lik_rescale(next, R[k + 1], shift);
      sa = ldexp(sa, shift);
      mass = ldexp(mass, shift);
    }
    if (checkpointed && (k + 1) % C == 0) memcpy(L->store + (size_t)((k + 1) / C) * nn, next, nn * 8);
    cur = next;
  }
  for (int32_t k = steps; k <= N; k++) { a[k] = b[k] = 0; E[k] = E[steps - 1]; R[k] = R[steps - 1]; }
  L->steps = steps;
  return PK_LIK_OK;
}

/* One step of the reverse sweep: un = ck·s + dk + u·Kᵀ (gathering over each transient's
 * out-edges), with the adjoints of the diagonal, of the edges and of s accumulated. Over
 * padded rows as the forward step (distribution.c): a padding slot reads u's 0 past the
 * last transient and edge mt's rate 0, so it adds +0 to a sum that starts at ck·s + dk ≥ 0
 * and cannot be −0, and 0 to edge mt's scratch adjoint: the same bits as plain rows. Only
 * rows [0, nt) where v_k can be nonzero (R[k]): a row past them adds 0 to the adjoints of K
 * and s, and its un is read by no row of the step before, whose out-edges end within them. */
#define REVERSE_STEP(NAME, W)                                                                                 \
  static __attribute__((noinline)) void NAME(pk_lik *L, const double *v, const double *u, double *un,        \
                                             double ck, double dk, int32_t nt) {                              \
    const int32_t *trp = L->trp, *tcol = L->tcol, *pcol = L->pad_col, *pedge = L->pad_edge;       \
    const double *tp = L->tp, *s = L->s, *stay = L->stay;                                                    \
    double *gdiag = L->gdiag, *h = L->h, *gedge = L->gedge;                                                  \
    for (int32_t i = 0; i < nt; i++) {                                                                       \
      const double vi = v[i], ui = u[i];                                                                     \
      gdiag[i] += vi * ui;                                                                                   \
      h[i] += ck * vi;                                                                                       \
      double acc = ck * s[i] + dk + stay[i] * ui;                                                            \
      UNROLLED for (int32_t q = 0; q < (W); q++) {                                                            \
        const int32_t e = pedge[(size_t)i * (W) + q];                                                        \
        const double ut = u[pcol[(size_t)i * (W) + q]];                                                      \
        gedge[e] += vi * ut;                                                                                 \
        acc += tp[e] * ut;                                                                                   \
      }                                                                                                      \
      for (int32_t e = trp[i] + (W); e < trp[i + 1]; e++) {                                                  \
        const double ut = u[tcol[e]];                                                                        \
        gedge[e] += vi * ut;                                                                                 \
        acc += tp[e] * ut;                                                                                   \
      }                                                                                                      \
      un[i] = acc;                                                                                           \
    }                                                                                                        \
  }
REVERSE_STEP(reverse_rows, 0)
REVERSE_STEP(reverse_pad1, 1)
REVERSE_STEP(reverse_pad2, 2)
REVERSE_STEP(reverse_pad3, 3)
REVERSE_STEP(reverse_pad4, 4)
#undef REVERSE_STEP

typedef void (*reverse_fn)(pk_lik *, const double *, const double *, double *, double, double, int32_t);

static reverse_fn reverse_for(const pk_lik *L) {
  return L->rwidth == 1 ? reverse_pad1 : L->rwidth == 2 ? reverse_pad2 : L->rwidth == 3 ? reverse_pad3 : L->rwidth == 4 ? reverse_pad4 : reverse_rows;
}

/* The plain path's reverse sweep: from c = ∂L/∂a, d = ∂L/∂b to ∂L/∂w. */
static void plain_reverse(pk_lik *L, const double *c, const double *d, const store_plan *plan, double *wbar, double start_bar, double il) {
  const int32_t *rp = L->rp, *col = L->col, *tidx = L->tidx, nt = L->nt, C = plan->C, steps = L->steps, *E = L->scale, *R = L->rows_at;
  const int checkpointed = plan->checkpointed;
  double *seg = plan->seg;
  size_t nn = (size_t)(nt > 0 ? nt : 1);
  /* Reverse sweep from n = steps−1 down to 0; u holds u_{k+1} on entry to step k. */
  memset(L->gdiag, 0, nn * 8); memset(L->h, 0, nn * 8); memset(L->u, 0, nn * 8);
  memset(L->gedge, 0, ((size_t)L->mt + 1) * 8);
  double *u = L->u, *un = L->unew;
  u[nt] = un[nt] = 0; /* the padding slots' column */
  const reverse_fn reverse_step = reverse_for(L);
  const int32_t last = steps - 1;
  int32_t seg_first = checkpointed ? (last / C) * C : 0;
  double *segbuf = checkpointed ? seg : L->store;
  for (;;) {
    int32_t seg_last = checkpointed ? (seg_first + C - 1 < last ? seg_first + C - 1 : last) : last;
    if (checkpointed) {
      /* Rebuild v_{seg_first .. seg_last} from its checkpoint. */
      memcpy(segbuf, L->store + (size_t)(seg_first / C) * nn, nn * 8);
      double unused;
      for (int32_t k = seg_first; k < seg_last; k++) {
        double *next = segbuf + (size_t)(k + 1 - seg_first) * nn;
        int32_t rows = R[k];
        step(L, segbuf + (size_t)(k - seg_first) * nn, next, &unused, &rows);
        if (E[k + 1] != E[k]) lik_rescale(next, rows, E[k + 1] - E[k]);
      }
    }
    for (int32_t k = seg_last; k >= seg_first; k--) {
      const double *v = segbuf + (size_t)(checkpointed ? k - seg_first : k) * nn;
      const double ck = c[k], dk = d[k];
      /* u = ∂L/∂v_{k+1} in v_{k+1}'s scale: into v_k's. */
      if (k < last && E[k + 1] != E[k]) lik_rescale(u, R[k + 1], E[k + 1] - E[k]);
      reverse_step(L, v, u, un, ck, dk, R[k]);
      double *x = u; u = un; un = x;
    }
    if (!checkpointed || seg_first == 0) break;
    seg_first -= C;
  }
  /* u = u_0. Chain to the weights. */
  for (int32_t j = 0; j < L->m; j++) wbar[j] = 0;
  for (int32_t j = rp[0]; j < rp[1]; j++) wbar[j] = tidx[col[j]] >= 0 ? u[tidx[col[j]]] + start_bar : 0;
  for (int32_t i = 0; i < nt; i++) {
    int32_t v = L->tvert[i];
    for (int32_t j = rp[v]; j < rp[v + 1]; j++)
      wbar[j] = L->tk[j] >= 0 ? (L->gedge[L->tk[j]] - L->gdiag[i]) * (L->discrete ? 1 : il) : L->h[i] - L->gdiag[i] * (L->discrete ? 1 : il);
  }
}

/* a_n, b_n for n = 0..N (the plain path or the adaptive one, as pk_lik_eval chose), with
 * room for their adjoints and envelopes, and 1/k to N + 1. */
static int32_t sequences_to(pk_lik *L, int32_t N, double lambda, int gradient, store_plan *plan) {
  if (N + 1 > L->abcd_cap) {
    double *q = grow(L->abcd, (size_t)(N + 1) * 4 * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    L->abcd = q;
    int32_t *e = grow(L->scale, (size_t)(N + 1) * 4);
    if (!e) return PK_LIK_OUT_OF_MEMORY;
    L->scale = e;
    int32_t *r = grow(L->rows_at, (size_t)(N + 1) * 4);
    if (!r) return PK_LIK_OUT_OF_MEMORY;
    L->rows_at = r; L->abcd_cap = N + 1;
  }
  if (N + 2 > L->env_cap) {
    double *q = grow(L->env, (size_t)(N + 2) * 4 * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    L->env = q;
    int32_t *e = grow(L->env_scale, (size_t)(N + 2) * 2 * 4);
    if (!e) return PK_LIK_OUT_OF_MEMORY;
    L->env_scale = e; L->env_cap = N + 2;
  }
  if (N + 2 > L->inv_len) {
    double *q = grow(L->inv, (size_t)(N + 2) * 8);
    if (!q) return PK_LIK_OUT_OF_MEMORY;
    for (int32_t k = L->inv_len > 1 ? L->inv_len : 1; k < N + 2; k++) q[k] = 1 / (double)k;
    L->inv = q; L->inv_len = N + 2;
  }
  double *a = L->abcd, *b = a + (N + 1);
  int32_t st = L->adaptive ? lik_adaptive_sequences(L, a, b, N, gradient) : plain_sequences(L, a, b, N, gradient, plan);
  if (st == PK_LIK_OK && L->adaptive) L->lambda = lambda;
  L->scaled = st == PK_LIK_OK && L->scale[N] != 0;
  return st;
}

/* log(x·2^−scale): for scale 0 (almost always) exactly log x. */
static inline double log_scaled(double x, int32_t scale) { return scale ? log(x) - scale * 0.69314718055994530942 : log(x); }

/* Each observation's probability (pf, cf, with their windows' norms and windows kept for
 * the reverse pass) and *sum = Σ weight·log p. Returns the sequence length the windows
 * want (≤ N + 1 when they had enough). */
static int64_t probabilities(pk_lik *L, int32_t N, double lambda, double alpha_mass, int gradient, double *sum) {
  const double *a = L->abcd, *b = a + (N + 1);
  const recip q = { L->inv, L->inv_len };
  const int keeping = gradient && !L->discrete;
  int64_t want = 0;
  sequence sa = { 0 }, sb = { 0 };
  if (!L->discrete) {
    /* Past N: b_n does not grow (mass only leaves), and a_n = v_n·s ≤ max s · b_n. */
    double smax = 0;
    for (int32_t i = 0; i < L->nt; i++) if (L->s[i] > smax) smax = L->s[i];
    if (!L->scaled) {
      sa = envelope(a, N + 1, smax * b[N], L->env);
      sb = envelope(b, N + 1, b[N], L->env + 2 * (size_t)(N + 2));
    } else {
      sa = envelope_scaled(a, L->scale, N + 1, smax * b[N], L->env, L->env_scale);
      sb = envelope_scaled(b, L->scale, N + 1, b[N], L->env + 2 * (size_t)(N + 2), L->env_scale + (N + 2));
    }
  }
  double acc = 0;
  size_t used = 0;
  int32_t *meta = L->kept_at;
  for (int32_t i = 0; i < L->np; i++) {
    double f, norm = 1;
    meta[4 * (size_t)i + 3] = 0;
    if (L->pw[i] == 0) { L->pf[i] = 1; L->pnorm[i] = 1; continue; }
    if (!L->discrete) f = dot_keeping(L, i, poisson_mean_of(lambda, L->pt[i]), &sa, q, &norm, keeping, &used, &want);
    else if (L->pt[i] == 0) f = 1 - alpha_mass;
    else { f = a[(int64_t)L->pt[i] - 1]; meta[4 * (size_t)i + 3] = L->scale[(int64_t)L->pt[i] - 1]; }
    L->pf[i] = f; L->pnorm[i] = norm;
    acc += L->pw[i] * log_scaled(f, point_scale(L, i));
  }
  for (int32_t i = 0; i < L->nc; i++) {
    double S, norm = 1;
    const int32_t at = L->np + i;
    meta[4 * (size_t)at + 3] = 0;
    if (L->cw[i] == 0) { L->cf[i] = 1; L->cnorm[i] = 1; continue; }
    if (!L->discrete) S = dot_keeping(L, at, poisson_mean_of(lambda, L->ct[i]), &sb, q, &norm, keeping, &used, &want);
    else { S = b[(int64_t)L->ct[i]]; meta[4 * (size_t)at + 3] = L->scale[(int64_t)L->ct[i]]; }
    L->cf[i] = S; L->cnorm[i] = norm;
    acc += L->cw[i] * log_scaled(S, point_scale(L, at));
  }
  *sum = acc;
  return want;
}

/* Whether some observation's probability is below about 1e−250 (e^−575): where levels cut
 * at a mass of 1e−300 may have left out what it is made of. */
static int beyond_the_levels(const pk_lik *L) {
  for (int32_t i = 0; i < L->np; i++) if (L->pw[i] > 0 && log_scaled(L->pf[i], point_scale(L, i)) < -575) return 1;
  for (int32_t i = 0; i < L->nc; i++) if (L->cw[i] > 0 && log_scaled(L->cf[i], point_scale(L, L->np + i)) < -575) return 1;
  return 0;
}

/* The first continuous observation whose probability came out 0 where it is positive;
 * −1 for none. A density is positive at every t > 0, and a survival wherever some start
 * is transient: 0 there means its terms lost every digit (a vector entry flushed below
 * 1e−290, the steps ran out), not that it is 0. (A tiny λt is walked exactly: see
 * poisson_mean.) */
static int32_t lost_point(const pk_lik *L, double alpha_mass) {
  for (int32_t i = 0; i < L->np; i++)
    if (L->pw[i] > 0 && L->pt[i] > 0 && L->pf[i] == 0) return i;
  for (int32_t i = 0; i < L->nc; i++)
    if (L->cw[i] > 0 && L->ct[i] > 0 && alpha_mass > 0 && L->cf[i] == 0) return L->np + i;
  return -1;
}

/* Log-likelihood at canonical weights w; with wbar, its gradient (w.r.t. w) too.
 * Returns a PK_LIK_* status; *ll gets log L (−∞ when some observation has probability 0). */
int32_t pk_lik_eval(pk_lik *L, const double *w, double *ll, double *wbar) {
  const int32_t *rp = L->rp, *col = L->col, *tidx = L->tidx, nt = L->nt;
  /* Rates: exit rates, absorption rates s, λ, the stepping matrix, α. */
  double lambda = 0;
  int32_t zero_weight = 0;
  for (int32_t a = 0; a < nt; a++) {
    int32_t v = L->tvert[a];
    double e = 0, s = 0;
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) { e += w[j]; if (tidx[col[j]] < 0) s += w[j]; zero_weight |= w[j] == 0; }
    L->s[a] = s;
    L->exit[a] = e;
    L->stay[a] = e; /* exit rate for now */
    if (e > lambda) lambda = e;
  }
  /* λ a little above the largest exit rate: at λ equal to it, that state's stay-put
   * probability is 0, so the terms of f past the fewest jumps through such states are 0
   * while their derivatives are not (one stay differentiates to −1/λ). A window cut where
   * the values end then dropped them: an Erlang of 120 stages at an early time had the
   * gradient of log f short by t. With every stay at least 2⁻⁸, each such term's value is
   * at least 2⁻⁸ of its derivative's share, and the window keeps it. (f itself does not
   * depend on λ; the steps grow by 0.4%.) */
  lambda = L->discrete || lambda == 0 ? 1 : lambda * (1 + 0x1p-8);
  L->lambda = lambda;
  const double il = 1 / lambda;
  for (int32_t a = 0; a < nt; a++) {
    L->stay[a] = L->discrete ? 1 - L->stay[a] : 1 - L->stay[a] / lambda;
    L->alpha[a] = 0;
  }
  for (int32_t k = 0; k < L->mt; k++) L->tp[k] = L->discrete ? w[L->tedge[k]] : w[L->tedge[k]] * il;
  L->tp[L->mt] = 0; /* the reverse sweep's padding edge */
  for (int32_t r = 0; r < L->mt; r++) L->tpt[r] = L->tp[L->redge[r]];
  steps_refill(L->layout, L->rcp, L->tpt);
  double alpha_mass = 0;
  for (int32_t j = rp[0]; j < rp[1]; j++) {
    zero_weight |= w[j] == 0;
    if (tidx[col[j]] >= 0) { L->alpha[tidx[col[j]]] += w[j]; alpha_mass += w[j]; }
  }
  L->zero_weight = zero_weight; /* every edge is the start's or a transient vertex's */

  int64_t need = steps_needed(L);
  if (need >= L->max_steps) return PK_LIK_TOO_MANY_STEPS;
  /* Adaptive uniformisation where it pays (likelihood-adaptive.c): from about 256 steps,
   * or always when asked; it declines, and the plain path runs, where it would not. */
  L->adaptive = 0;
  if (!L->discrete && (L->method == PK_LIK_ADAPTIVE || (L->method == PK_LIK_AUTO && need >= 256 && !L->hopeless))) {
    int32_t st = lik_adaptive_levels(L, w, need, wbar != 0);
    if (st == PK_LIK_OK) L->adaptive = 1;
    else if (st != PK_LIK_DECLINED) return st;
  }
  const double plain_lambda = lambda;
  const int64_t plain_need = need;
  if (L->adaptive) {
    lambda = L->birth_rate;
    need = lik_window_end(lambda * lik_max_time(L));
  }
  /* The sequences to N, then each observation's probability. A window that needs the
   * sequences further (an early time whose density needs more jumps than its Poisson
   * bulk reaches) asks for a length; one more pass gives it, within max_steps. A walk
   * that has summed nothing yet cannot bound the length: it asks for twice as much, and
   * passes go on (at most MAX_PASSES, each twice as long: the cost of the last two). */
  int32_t N;
  store_plan plan = { 0, 0, 0, 0 };
  double sum = 0;
  for (;;) {
    int32_t passes = 0, worked = -1;
    N = (int32_t)need;
    for (;;) {
      int32_t st = sequences_to(L, N, lambda, wbar != 0, &plan);
      if (st != PK_LIK_OK) {
        if (worked < 0) return st;
        N = worked; /* no room to go further: the length that worked */
        passes = MAX_PASSES;
        continue;
      }
      worked = N;
      int64_t want = probabilities(L, N, lambda, alpha_mass, wbar != 0, &sum);
      if (passes >= MAX_PASSES || want <= (int64_t)N + 1 || N + 1 >= L->max_steps) break;
      passes++;
      N = want - 1 < (int64_t)L->max_steps - 1 ? (int32_t)(want - 1) : L->max_steps - 1;
    }
    /* Levels cut where their mass fell below MASS_GONE leave out paths of more jumps, which
     * make up densities this far in the tail: plain uniformisation answers those. */
    if (!L->adaptive || !L->levels_cut || !beyond_the_levels(L)) break;
    L->adaptive = 0;
    lambda = plain_lambda;
    need = plain_need;
  }
  /* (with an edge of weight 0 a probability of 0 can be the answer) */
  if (!L->discrete && !L->zero_weight && (L->lost_at = lost_point(L, alpha_mass)) >= 0) return PK_LIK_LOST;
  const recip q = { L->inv, L->inv_len };
  double *c = L->abcd + 2 * (size_t)(N + 1), *d = c + (N + 1);

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
    for (int32_t i = 0; i < L->np; i++) if (L->pw[i] > 0) sum += L->pw[i] * log_scaled(L->pf[i], point_scale(L, i));
    for (int32_t i = 0; i < L->nc; i++) if (L->cw[i] > 0) sum += L->cw[i] * log_scaled(L->cf[i], point_scale(L, L->np + i));
  }
  *ll = sum;
  if (!wbar) return PK_LIK_OK;

  /* c_n, d_n: ∂ log L / ∂a_n, ∂b_n. */
  memset(c, 0, (size_t)(N + 1) * 2 * 8);
  double start_bar = 0; /* ∂ log L/∂(Σα), from discrete observations of 0 steps */
  for (int32_t i = 0; i < L->np; i++) {
    if (L->pw[i] == 0) continue;
    double g = L->pw[i] / L->pf[i];
    if (!L->discrete) spread_kept(L, i, poisson_mean_of(lambda, L->pt[i]), g, L->pnorm[i], c, L->abcd, N + 1, q);
    else if (L->pt[i] == 0) start_bar -= g;
    else c[(int64_t)L->pt[i] - 1] += g;
  }
  for (int32_t i = 0; i < L->nc; i++) {
    if (L->cw[i] == 0) continue;
    double g = L->cw[i] / L->cf[i];
    if (!L->discrete) spread_kept(L, L->np + i, poisson_mean_of(lambda, L->ct[i]), g, L->cnorm[i], d, L->abcd + (N + 1), N + 1, q);
    else d[(int64_t)L->ct[i]] += g;
  }

  if (L->adaptive) {
    lik_adaptive_reverse(L, c, d, N, wbar);
    return PK_LIK_OK;
  }
  plain_reverse(L, c, d, &plan, wbar, start_bar, il);
  return PK_LIK_OK;
}

/* Replaces the observations' weights (np then nc values, as at creation), e.g. with a
 * mini-batch's; the points stay. */
void pk_lik_set_weights(pk_lik *L, const double *pw, const double *cw) {
  if (L->np > 0) memcpy(L->pw, pw, (size_t)L->np * 8);
  if (L->nc > 0) memcpy(L->cw, cw, (size_t)L->nc * 8);
}

/* The forward step's and the reverse sweep's rows laid out again at `width` (−1: the
 * kernel's choice for each, which creation made; tests force each width, which must give
 * the same bits); returns the forward step's width now in use, or −1 out of memory (the
 * old layouts kept). */
int32_t pk_lik_set_step_width(pk_lik *L, int32_t width) {
  pk_steps *layout = pk_steps_create(L->nt, L->rcp, L->rsrc, L->tpt, width);
  if (!layout) return -1;
  if (reverse_layout(L, width)) { pk_steps_free(layout); return -1; }
  pk_steps_free(L->layout);
  L->layout = layout;
  return pk_steps_width(layout);
}

int32_t pk_lik_steps(const pk_lik *L) { return L->steps; }
int32_t pk_lik_lost_at(const pk_lik *L) { return L->lost_at; }
/* The step limit for the next evaluations (the caller's cap differs with and without the gradient). */
void pk_lik_set_max_steps(pk_lik *L, int32_t max_steps) { L->max_steps = max_steps; }
double pk_lik_lambda(const pk_lik *L) { return L->lambda; }
/* Levels of the last evaluation's adaptive path, or 0 when it ran plain uniformisation. */
int32_t pk_lik_levels(const pk_lik *L) { return L->adaptive ? L->levels : 0; }
/* PK_LIK_AUTO (0), PK_LIK_UNIFORMISATION (1) or PK_LIK_ADAPTIVE (2): see pk_lik_eval. */
void pk_lik_set_method(pk_lik *L, int32_t method) { L->method = method; L->hopeless = 0; }

/* ∂exit/∂θ of each transient vertex, for the adaptive path's handling of tied rates. */
static void exit_coefficients(pk_lik *L, int32_t npar, const double *coef) {
  size_t want = (size_t)(L->nt > 0 ? L->nt : 1) * (size_t)(npar > 0 ? npar : 1);
  L->ecoef_npar = -1; /* unknown until filled: every tie counts as one that moves apart */
  if (want > L->ecoef_cap) {
    double *q = grow(L->ecoef, want * 8);
    if (!q) return;
    L->ecoef = q; L->ecoef_cap = want;
  }
  for (int32_t a = 0; a < L->nt; a++) {
    double *e = L->ecoef + (size_t)a * (size_t)npar;
    for (int32_t i = 0; i < npar; i++) e[i] = 0;
    int32_t v = L->tvert[a];
    for (int32_t j = L->rp[v]; j < L->rp[v + 1]; j++)
      for (int32_t i = 0; i < npar; i++) e[i] += coef[(size_t)j * npar + i];
  }
  L->ecoef_npar = npar;
}

/* P parameter rows at once: w = base + coef·θ (checked as pk_rates_at does), log L,
 * and with grad (P × npar) ∂ log L/∂θ = Cᵀ ∂ log L/∂w. status[r]: 0 done; 1 θ row
 * refused by the rate checks (the caller names the problem); 2 + a PK_LIK_* code.
 * w and wbar are scratch of m doubles each (wbar unused without grad). */
void pk_lik_batch(pk_lik *L, int32_t npar, const double *base, const double *coef, const double *loop_base,
                  const double *loop_coef, const uint8_t *has_out, int32_t P, const double *thetas,
                  double *w, double *wbar, double *ll, double *grad, int32_t *status) {
  if (!L->discrete) exit_coefficients(L, npar, coef);
  for (int32_t r = 0; r < P; r++) {
    const double *theta = thetas + (size_t)r * npar;
    if (pk_rates_at(L->n, npar, L->rp, base, coef, loop_base, loop_coef, has_out, L->discrete, theta, w, 0) == 1) {
      status[r] = 1; ll[r] = 0;
      continue;
    }
    int32_t st = pk_lik_eval(L, w, &ll[r], grad ? wbar : 0);
    status[r] = st == PK_LIK_OK ? 0 : 2 + st;
    if (!grad) continue;
    double *g = grad + (size_t)r * npar;
    if (st == PK_LIK_OK) pk_chain_theta(L->m, npar, coef, wbar, g);
    else for (int32_t i = 0; i < npar; i++) g[i] = 0;
  }
  L->ecoef_npar = -1; /* a later pk_lik_eval of bare weights knows no θ */
}
