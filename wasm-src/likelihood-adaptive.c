/* Adaptive uniformisation (van Moorsel & Sanders 1994) for the log-likelihood of
 * times, with its exact gradient. Step k of the chain runs at λ_k, the largest exit
 * rate among the states holding mass after k steps, so a chain whose mass moves from
 * fast states to slow ones (the coalescent: each level empties in one step) needs as
 * many steps as it has levels, not λ_max·t:
 *   v_{k+1} = v_k P_k,  P_k = I + Q/λ_k,  a_k = v_k·s,  b_k = Σ v_k.
 * The jumps happen at the epochs of a pure birth process N with rates λ_0, λ_1, …, so
 *   f(t) = Σ_k P(N(t) = k)·a_k,   P(T > t) = Σ_k P(N(t) = k)·b_k,
 * and P(N(t) = ·) = e_0 exp(B t) comes from the birth chain uniformised at Λ = max λ_k:
 *   u_{m+1} = u_m R,  R = I + B/Λ,  f(t) = Σ_m Pois(m; Λt)·(u_m·a),
 * which is plain uniformisation's sum, on K levels instead of the graph's states: the
 * Poisson windows, log L and its adjoints c_m, d_m are likelihood.c's.
 *
 * Gradient. The identity holds for any λ_k, but truncating at the level where the mass
 * is gone is exact only while every state that empties in one step still does: so λ_k
 * is differentiated as the exit rate of its argmax state (a function of the weights),
 * not held constant, and the birth chain's dependence on λ_k has its own adjoint. Λ may
 * be held constant (f is invariant in it). Where two states tie for λ_k with exit
 * rates that move apart as θ moves (∂exit/∂θ differ), the truncated sum has a kink
 * that f has not: this path declines, and plain uniformisation runs.
 *
 * Levels are stepped until the mass is gone (no Chernoff truncation, so densities far
 * in the tail keep their relative accuracy). The path declines when the levels pass a
 * sixteenth of plain uniformisation's steps (after which 'auto' stops trying on this
 * likelihood: its chain keeps visiting its fast states), when the birth chain's steps ×
 * levels would cost more than a quarter of plain uniformisation, or when what the
 * reverse sweep stores passes max_bytes. */
#include "likelihood.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Probabilities below this are flushed before they turn subnormal (as in likelihood.c). */
#define FLUSH 1e-290

static void *grow(void *p, size_t bytes) { return realloc(p, bytes ? bytes : 8); }

void lik_adaptive_free(pk_lik *L) {
  free(L->lv); free(L->lam); free(L->la); free(L->lb); free(L->labar); free(L->lbbar); free(L->llbar);
  free(L->larg); free(L->lrows); free(L->wt); free(L->wo); free(L->bu); free(L->bstore); free(L->bband);
}

/* Room for `count` levels in the per-level arrays. */
static int level_room(pk_lik *L, int32_t count) {
  if (count <= L->level_cap) return 1;
  int32_t cap = L->level_cap ? L->level_cap : 64;
  while (cap < count) cap = cap > INT32_MAX / 2 ? count : 2 * cap;
  double **arrays[] = { &L->lam, &L->la, &L->lb, &L->labar, &L->lbbar, &L->llbar };
  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
    double *q = grow(*arrays[i], (size_t)cap * 8);
    if (!q) return 0;
    *arrays[i] = q;
  }
  int32_t *q = grow(L->larg, (size_t)cap * 4);
  if (!q) return 0;
  L->larg = q;
  q = grow(L->lrows, (size_t)cap * 4);
  if (!q) return 0;
  L->lrows = q;
  L->level_cap = cap;
  return 1;
}

/* Room for `count` vectors of the level store. */
static int vector_room(pk_lik *L, size_t count) {
  size_t want = count * (size_t)(L->nt > 0 ? L->nt : 1);
  if (want <= L->lv_cap) return 1;
  if (want < 2 * L->lv_cap) want = 2 * L->lv_cap;
  double *q = grow(L->lv, want * 8);
  if (!q) return 0;
  L->lv = q; L->lv_cap = want;
  return 1;
}

/* Where v_k lives: all levels kept for a gradient, else two in turn. */
static double *level_vector(const pk_lik *L, int32_t k, int gradient) {
  size_t nn = (size_t)(L->nt > 0 ? L->nt : 1);
  return L->lv + (gradient ? (size_t)k : (size_t)(k & 1)) * nn;
}

/* Whether state i's exit rate moves with state j's as θ moves (∂exit/∂θ equal); unknown
 * (no θ given) counts as no. */
static int moves_with(const pk_lik *L, int32_t i, int32_t j) {
  const int32_t np = L->ecoef_npar;
  if (np < 0) return 0;
  const double *x = L->ecoef + (size_t)i * (size_t)np, *y = L->ecoef + (size_t)j * (size_t)np;
  for (int32_t p = 0; p < np; p++)
    if (fabs(x[p] - y[p]) > 1e-12 * fmax(fabs(x[p]), fabs(y[p]))) return 0;
  return 1;
}

/* 1 − exit_i/λ_k, by division so that it is exactly 0 for the argmax. A state within 1e-12
 * of λ_k whose rate moves with the argmax's is tied with it (its rate differs by rounding
 * only): 0 too, so it empties in one step instead of leaving a sliver of mass behind
 * for level after level. */
static inline double level_stay(const pk_lik *L, int32_t i, double lam, int32_t arg) {
  double stay = 1 - L->exit[i] / lam;
  if (stay != 0 && fabs(stay) < 1e-12 && i != arg && moves_with(L, i, arg)) stay = 0;
  return stay;
}

/* v_{k+1} = v_k (I + Q/λ_k), gathering by target; returns whether it flushed any mass.
 * v is 0 from row h on: only the rows the mass can reach from there are made, each row's
 * sources ending at h (likelihood.c's plain path does the same, see steps_step_from), and
 * *rows is set to their bound; the rows after it that the next level reads are set to 0.
 * v is 0 below row lo as well: the rows below steps_low(lo) are set to 0, not made.
 * Rows left out would have been +0: the same bits. */
static __attribute__((noinline)) int level_step(const pk_lik *L, const double *restrict v, double *restrict next, double lam, int32_t arg, int32_t h, int32_t lo, int32_t *rows) {
  const int32_t nt = L->nt, *rcp = L->rcp, *rsrc = L->rsrc;
  const double *wt = L->wt, il = 1 / lam;
  const int32_t end = h < nt ? pk_steps_reach(L->layout, h) : nt, from = steps_low(L->layout, lo);
  int flushed = 0;
  if (from > 0) memset(next, 0, (size_t)(from < end ? from : end) * 8);
  for (int32_t b = from; b < end; b++) {
    double in = 0;
    for (int32_t r = rcp[b]; r < rcp[b + 1] && rsrc[r] < h; r++) in += wt[r] * v[rsrc[r]];
    double x = (v[b] != 0 ? v[b] * level_stay(L, b, lam, arg) : 0) + in * il;
    if (fabs(x) < FLUSH) { flushed |= x != 0; x = 0; }
    next[b] = x;
  }
  const int32_t band = end < nt ? pk_steps_reach(L->layout, end) : nt;
  for (int32_t b = end; b < band; b++) next[b] = 0;
  *rows = end;
  return flushed;
}

/* Whether this level's support rules out an exact gradient: a state tied with the argmax
 * whose rate moves apart from it as θ moves (the truncated sum has a kink there that f
 * has not), or an edge of weight 0 out of the support (a perturbation would send mass
 * where the levels do not follow it). */
static int gradient_breaks(const pk_lik *L, const double *v, double lam, int32_t arg, int32_t rows) {
  const double near = lam * (1 - 1e-12);
  for (int32_t i = 0; i < rows; i++) {
    if (v[i] == 0) continue;
    if (i != arg && L->exit[i] >= near && !moves_with(L, i, arg)) return 1;
    for (int32_t e = L->trp[i]; e < L->trp[i + 1]; e++) if (L->tp[e] == 0) return 1;
  }
  return 0;
}

/* Doubles the birth chain's reverse pass stores: checkpoints every C steps and one segment. */
static double birth_store_doubles(int32_t N, int32_t K, int32_t *C) {
  *C = (int32_t)ceil(sqrt((double)N + 1));
  return ((double)(N / *C + 1) + (double)*C) * (double)K;
}

int32_t lik_adaptive_levels(pk_lik *L, const double *w, int64_t need, int gradient) {
  const int32_t nt = L->nt;
  const size_t nn = (size_t)(nt > 0 ? nt : 1);
  const int forced = L->method == PK_LIK_ADAPTIVE;
  /* 'auto' gives the levels a sixteenth of plain uniformisation's steps (the coalescent
   * needs under a hundredth): a chain that keeps visiting its fast states is found out
   * at that cost, once (see hopeless below). */
  int64_t most = forced ? need + 1 : need / 16;
  if (most > L->max_steps) most = L->max_steps;
  if (most < 1) most = 1;
  if (!L->wt && !(L->wt = malloc(((size_t)L->mt + 1) * 8))) return PK_LIK_OUT_OF_MEMORY;
  for (int32_t r = 0; r < L->mt; r++) L->wt[r] = w[L->tedge[L->redge[r]]];
  /* The reverse sweep reads each level's rates by source: gathered once here, not per level. */
  if (gradient) {
    if (!L->wo && !(L->wo = malloc(((size_t)L->mt + 1) * 8))) return PK_LIK_OUT_OF_MEMORY;
    for (int32_t e = 0; e < L->mt; e++) L->wo[e] = w[L->tedge[e]];
  }
  if (!vector_room(L, 2)) return PK_LIK_OUT_OF_MEMORY;
  memcpy(level_vector(L, 0, gradient), L->alpha, nn * 8);
  int32_t k = 0, flushed = 0;
  /* v_k is 0 from row R of level k on (α from the start edges' last state on); the rows
   * past it are not kept as zeros, so nothing reads them. */
  int32_t R = steps_first_rows(L->layout, L->start_rows);
  double Lambda = 0;
  for (;; k++) {
    if (!level_room(L, k + 1)) return PK_LIK_OUT_OF_MEMORY;
    const double *v = level_vector(L, k, gradient);
    double sa = 0, sb = 0, mass = 0, lam = 0;
    int32_t arg = -1, lo = -1;
    L->lrows[k] = R;
    for (int32_t i = 0; i < R; i++) {
      double x = v[i];
      if (x == 0) continue;
      if (lo < 0) lo = i;
      sa += x * L->s[i]; sb += x; mass += fabs(x);
      if (L->exit[i] > lam) { lam = L->exit[i]; arg = i; }
    }
    /* The mass is gone: the levels end here. No empty level is kept: its adjoint would be
     * about 1/f (the birth chain's mass far in the tail sits past the last level), and
     * terms that large cancel only in exact arithmetic. */
    if (mass < MASS_GONE) { L->levels_cut = mass > 0 || flushed; break; }
    if (lam == 0) return PK_LIK_DECLINED;
    L->la[k] = sa; L->lb[k] = sb; L->lam[k] = lam; L->larg[k] = arg;
    if (lam > Lambda) Lambda = lam;
    if (k + 1 >= most) { if (!forced) L->hopeless = 1; return PK_LIK_DECLINED; }
    if (gradient && gradient_breaks(L, v, lam, arg, R)) return PK_LIK_DECLINED;
    if (gradient) {
      if ((double)(k + 2) * (double)nn * 8 > L->max_bytes) return PK_LIK_DECLINED;
      if (!vector_room(L, (size_t)k + 2)) return PK_LIK_OUT_OF_MEMORY;
    }
    flushed |= level_step(L, level_vector(L, k, gradient), level_vector(L, k + 1, gradient), lam, arg, R, lo < 0 ? 0 : lo, &R);
  }
  if (k == 0) return PK_LIK_DECLINED; /* no mass starts transient: plain uniformisation answers at once */
  L->levels = k;
  /* A little above the largest level rate, as likelihood.c takes λ: no level's stay-put
   * probability is 0, so no term the gradient needs has a value of 0. */
  L->birth_rate = Lambda * (1 + 0x1p-8);
  /* The birth chain: its steps × levels against plain uniformisation's steps × edges,
   * and what its reverse pass stores on top of the levels'. */
  int64_t N = lik_window_end(L->birth_rate * lik_max_time(L));
  if (N >= L->max_steps) return PK_LIK_DECLINED;
  if (!forced && (double)N * k > (double)need * (double)(L->mt + nt) / 4) return PK_LIK_DECLINED;
  int32_t C;
  if (gradient && 8 * ((double)k * (double)nn + birth_store_doubles((int32_t)N, k, &C)) > L->max_bytes) return PK_LIK_DECLINED;
  return PK_LIK_OK;
}

/* One step of the birth chain on its band [lo, hi]: level k keeps 1 − up[k] of its mass
 * and passes up[k] = λ_k/Λ to level k + 1; the last level's passes out. */
static void birth_step(double *u, const double *up, int32_t K, int32_t *lo, int32_t *hi) {
  const int32_t h = *hi, l = *lo;
  if (h + 1 < K) { double x = u[h] * up[h]; if (x >= FLUSH) { u[h + 1] = x; *hi = h + 1; } }
  for (int32_t k = h; k > l; k--) u[k] = u[k] * (1 - up[k]) + u[k - 1] * up[k - 1];
  u[l] *= 1 - up[l];
  while (*lo < *hi && u[*lo] < FLUSH) { u[*lo] = 0; (*lo)++; }
}

int32_t lik_adaptive_sequences(pk_lik *L, double *a, double *b, int32_t N, int gradient) {
  const int32_t K = L->levels;
  int32_t C = N + 1;
  double store = gradient ? birth_store_doubles(N, K, &C) : 0;
  /* bu: u, up, and two adjoint vectors for the reverse pass */
  double *q = grow(L->bu, (size_t)K * 4 * 8);
  if (!q) return PK_LIK_OUT_OF_MEMORY;
  L->bu = q;
  if (gradient) {
    if ((size_t)store > L->bstore_cap) {
      double *s = grow(L->bstore, (size_t)store * 8);
      if (!s) return PK_LIK_OUT_OF_MEMORY;
      L->bstore = s; L->bstore_cap = (size_t)store;
    }
    size_t bands = 2 * ((size_t)(N / C) + 1);
    if (bands > L->bband_cap) {
      int32_t *s = grow(L->bband, bands * 4);
      if (!s) return PK_LIK_OUT_OF_MEMORY;
      L->bband = s; L->bband_cap = bands;
    }
  }
  double *u = L->bu, *up = u + K;
  for (int32_t k = 0; k < K; k++) { u[k] = 0; up[k] = L->lam[k] / L->birth_rate; }
  u[0] = 1;
  int32_t lo = 0, hi = 0, steps = N + 1, *E = L->scale;
  E[0] = 0;
  for (int32_t m = 0; m <= N; m++) {
    if (gradient && m % C == 0) {
      memcpy(L->bstore + (size_t)(m / C) * (size_t)K, u, (size_t)K * 8);
      L->bband[2 * (m / C)] = lo; L->bband[2 * (m / C) + 1] = hi;
    }
    double sa = 0, sb = 0;
    for (int32_t k = lo; k <= hi; k++) { sa += u[k] * L->la[k]; sb += u[k] * L->lb[k]; }
    a[m] = sa; b[m] = sb;
    if (sb == 0 || E[m] > SCALE_MAX) { steps = m + 1; break; }
    if (m == N) break;
    birth_step(u, up, K, &lo, &hi);
    /* Far in the tail the birth chain's mass underflows: it is scaled instead (likelihood.h). */
    double mass = 0;
    for (int32_t k = lo; k <= hi; k++) mass += u[k];
    const int32_t shift = lik_shift_for(mass);
    E[m + 1] = E[m] + shift;
    if (shift) lik_rescale(u, K, shift);
  }
  for (int32_t m = steps; m <= N; m++) { a[m] = b[m] = 0; E[m] = E[steps - 1]; }
  L->steps = steps;
  return PK_LIK_OK;
}

/* ∂L/∂a_k, ∂L/∂b_k and the birth chain's part of ∂L/∂λ_k, from c_m = ∂L/∂α_m and
 * d_m = ∂L/∂β_m, by a reverse pass over the birth chain rebuilt segment by segment. */
static void birth_reverse(pk_lik *L, const double *c, const double *d, int32_t N) {
  const int32_t K = L->levels, last = L->steps - 1, *E = L->scale;
  int32_t C;
  birth_store_doubles(N, K, &C);
  const size_t KK = (size_t)K;
  double *up = L->bu + K, *ub = L->bu + 2 * KK, *ubn = L->bu + 3 * KK;
  double *seg = L->bstore + (size_t)(N / C + 1) * KK;
  for (int32_t k = 0; k < K; k++) { L->labar[k] = L->lbbar[k] = L->llbar[k] = 0; ub[k] = 0; }
  for (int32_t first = (last / C) * C; first >= 0; first -= C) {
    int32_t end = first + C - 1 < last ? first + C - 1 : last;
    int32_t lo = L->bband[2 * (first / C)], hi = L->bband[2 * (first / C) + 1];
    memcpy(seg, L->bstore + (size_t)(first / C) * KK, KK * 8);
    for (int32_t m = first; m < end; m++) {
      double *next = seg + (size_t)(m + 1 - first) * KK;
      memcpy(next, seg + (size_t)(m - first) * KK, KK * 8);
      birth_step(next, up, K, &lo, &hi);
      if (E[m + 1] != E[m]) lik_rescale(next, K, E[m + 1] - E[m]);
    }
    for (int32_t m = end; m >= first; m--) {
      const double *u = seg + (size_t)(m - first) * KK;
      const double cm = c[m], dm = d[m];
      /* ub = ∂L/∂u_{m+1} in u_{m+1}'s scale: into u_m's. */
      if (m < last && E[m + 1] != E[m]) lik_rescale(ub, K, E[m + 1] - E[m]);
      for (int32_t k = 0; k < K; k++) {
        double above = k + 1 < K ? ub[k + 1] : 0, uk = u[k];
        if (uk != 0) {
          L->llbar[k] += uk * (above - ub[k]);
          L->labar[k] += cm * uk;
          L->lbbar[k] += dm * uk;
        }
        ubn[k] = cm * L->la[k] + dm * L->lb[k] + (1 - up[k]) * ub[k] + up[k] * above;
      }
      double *x = ub; ub = ubn; ubn = x;
    }
  }
  for (int32_t k = 0; k < K; k++) L->llbar[k] /= L->birth_rate;
}

void lik_adaptive_reverse(pk_lik *L, const double *c, const double *d, int32_t N, double *wbar) {
  birth_reverse(L, c, d, N);
  const int32_t nt = L->nt, K = L->levels, *trp = L->trp, *tcol = L->tcol;
  const int32_t *rp = L->rp, *col = L->col, *tidx = L->tidx;
  const double *wo = L->wo; /* the rates by source (lik_adaptive_levels gathered them) */
  const size_t nn = (size_t)(nt > 0 ? nt : 1);
  memset(L->gdiag, 0, nn * 8); memset(L->h, 0, nn * 8); memset(L->u, 0, nn * 8);
  memset(L->gedge, 0, ((size_t)L->mt + 1) * 8);
  /* U holds ∂L/∂v_{k+1} on entry to level k; the gradients of P_k's entries are scaled
   * by 1/λ_k here, since λ_k differs from level to level. */
  double *U = L->u, *Un = L->unew;
  for (int32_t k = K - 1; k >= 0; k--) {
    const double *v = level_vector(L, k, 1);
    const double lam = L->lam[k], il = 1 / lam, ak = L->labar[k], bk = L->lbbar[k];
    double q = 0;
    /* Rows past lrows[k] hold no mass at level k: they add 0 to every adjoint, and no row
     * of the level before reads their U (its out-edges end within these rows). */
    for (int32_t i = 0; i < L->lrows[k]; i++) {
      const double vi = v[i], ui = U[i], stay = level_stay(L, i, lam, L->larg[k]);
      double pu = stay * ui, in = 0;
      if (vi == 0) {
        /* A row without mass at this level adds ±0 to every gradient term: they are left
         * alone (an accumulator that starts at +0 never becomes −0, so adding a zero changes
         * no bit), and only its adjoint is carried. Most rows, late in the levels. */
        for (int32_t e = trp[i]; e < trp[i + 1]; e++) in += wo[e] * U[tcol[e]];
        pu += in * il;
      } else {
        for (int32_t e = trp[i]; e < trp[i + 1]; e++) {
          double ut = U[tcol[e]];
          L->gedge[e] += vi * ut * il;
          in += wo[e] * ut;
        }
        pu += in * il;
        L->gdiag[i] += vi * ui * il;
        L->h[i] += ak * vi;
        q += vi * (pu - ui);
      }
      /* A state faster than λ_k holds no mass at level k and none flows into it (the levels
       * check both): its adjoint is multiplied by 0 only, and its negative stay could
       * overflow it over many levels. */
      Un[i] = stay < -1e-12 ? 0 : ak * L->s[i] + bk + pu;
    }
    L->llbar[k] -= q * il; /* ∂(v_k P_k)/∂λ_k = −v_k (P_k − I)/λ_k */
    double *x = U; U = Un; Un = x;
  }
  /* U = ∂L/∂v_0 = ∂L/∂α. Chain to the weights: P_k's entries and s through each edge,
   * then λ_k through every out-edge of its argmax state. */
  for (int32_t j = 0; j < L->m; j++) wbar[j] = 0;
  for (int32_t j = rp[0]; j < rp[1]; j++) wbar[j] = tidx[col[j]] >= 0 ? U[tidx[col[j]]] : 0;
  for (int32_t i = 0; i < nt; i++) {
    int32_t v = L->tvert[i];
    for (int32_t j = rp[v]; j < rp[v + 1]; j++)
      wbar[j] = L->tk[j] >= 0 ? L->gedge[L->tk[j]] - L->gdiag[i] : L->h[i] - L->gdiag[i];
  }
  for (int32_t k = 0; k < K; k++) {
    if (L->larg[k] < 0 || L->llbar[k] == 0) continue;
    int32_t v = L->tvert[L->larg[k]];
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) wbar[j] += L->llbar[k];
  }
}
