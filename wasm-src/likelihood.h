/* The likelihood's state, shared by the plain path (likelihood.c) and the adaptive
 * one (likelihood-adaptive.c). Private to those two files. */
#ifndef PK_LIKELIHOOD_H
#define PK_LIKELIHOOD_H
#include "kernel.h"
#include <stddef.h>

#define POISSON_TAIL 1e-20
/* What a window may leave out of Σ Pois(n; μ)·x_n, relative to what it holds: about a
 * rounding of the sum itself. */
#define DENSITY_TAIL 1e-16
/* A probability (density) this small counts as 0: the windows stop once what they leave
 * out is below it absolutely, even where that is not below POISSON_TAIL relatively. */
#define PROB_FLOOR 1e-280
/* The adaptive path's levels end once this little mass is left. */
#define MASS_GONE 1e-300
/* A stepped vector whose mass falls below RESCALE_BELOW is multiplied by 2^RESCALE_SHIFT
 * (exactly: a power of two) and its exponent recorded, so a density far in the tail
 * (log f of −1e5, say) is a mantissa and an exponent instead of an underflow to 0. Where
 * no mass falls that low, nothing is scaled and every result is as without scaling. */
#define RESCALE_BELOW 0x1p-600
#define RESCALE_SHIFT 600
/* Scaled past this exponent, the mass counts as gone (it would be below 2^−(2^30)). */
#define SCALE_MAX (1 << 30)

/* How pk_lik_eval chooses its method for continuous observations. */
enum { PK_LIK_AUTO = 0, PK_LIK_UNIFORMISATION = 1, PK_LIK_ADAPTIVE = 2 };

/* Vectors live on the transient vertices only, renumbered 0..nt−1, and the
 * stepping matrix's off-diagonal part is a compact CSR of the edges between
 * transient vertices (tp[k] for edge tedge[k]): the inner loop has no test. */
typedef struct pk_lik {
  int32_t n, m, nt, mt, discrete;
  int32_t *rp, *col;            /* canonical structure */
  int32_t *tidx;                /* transient index of each vertex, or −1 (start, absorbing) */
  int32_t *tvert;               /* vertex of each transient index */
  int32_t *trp, *tcol, *tedge;  /* transient → transient edges, compact CSR */
  int32_t *tk;                  /* compact index of canonical edge j, or −1 */
  int32_t *rcp, *rsrc, *redge;  /* the same edges by target (the forward step gathers) */
  int32_t np, nc;               /* density (pmf) points, censored points */
  double *pt, *pw, *ct, *cw;    /* points and weights */
  int32_t max_steps;            /* refuse more steps than this (PK_LIK_TOO_MANY_STEPS) */
  double max_bytes;             /* budget for stored vectors */
  int32_t method;               /* PK_LIK_AUTO, _UNIFORMISATION or _ADAPTIVE */
  int32_t hopeless;             /* 'auto' found the levels never end: it no longer tries them */
  /* workspace, sized at creation or grown on demand */
  double *tpt;                  /* tp in the by-target order */
  pk_steps *layout;             /* rcp/rsrc/tpt as the forward step reads them (padded rows where they pay, distribution.c) */
  /* The reverse sweep's rows (out-edges, trp/tcol) padded alike: the first rwidth edges of
   * transient i at pad_col/pad_edge[i·rwidth …] (pads: column nt, where u holds 0, and edge
   * mt, whose rate is 0 and whose adjoint is scratch), the rest read from trp/tcol. */
  int32_t rwidth, *pad_col, *pad_edge;
  double *s, *stay, *tp, *alpha, *gdiag, *h, *u, *unew, *gedge, *pf, *pnorm, *cf, *cnorm;
  double *abcd; int32_t abcd_cap;      /* a, b, c, d: 4 × (N+1) */
  double *env; int32_t env_cap;        /* the envelopes of a and b: 4 × (N+2) */
  int32_t *scale;                      /* a_n, b_n are stored × 2^scale[n] (N+1, room as abcd's) */
  int32_t *rows_at;                    /* v_n is 0 from row rows_at[n] on, as far as v_n is kept (N+1, room as abcd's; see steps_step_from) */
  int32_t start_rows;                  /* 1 + the last transient a start edge enters: α is 0 from there on at every θ */
  int32_t *env_scale;                  /* exponents of the envelopes' prefix maxima, 2 × (N+2) (room as env's) */
  int32_t scaled;                      /* whether the last sequences were scaled anywhere (scale[N] > 0) */
  int32_t lost_at;                     /* with PK_LIK_LOST: the observation (points, then censored ones) */
  int32_t zero_weight;                 /* whether some edge weight of the last evaluation is exactly 0 */
  double *inv; int32_t inv_len;        /* inv[k] = 1/k, k < inv_len (inv[0] unused) */
  double *kept; size_t kept_cap;       /* the forward pass's window weights, for the reverse pass */
  int32_t *kept_at;                    /* per point (np, then nc): offset in kept (−1: not kept), its window's right and left counts, its probability's exponent */
  double *store; double store_cap;     /* stored vectors (doubles) */
  /* ∂exit/∂θ of each transient vertex (nt × ecoef_npar), set by pk_lik_batch: the
   * adaptive path's gradient is exact only where tied exit rates move together. */
  double *ecoef; size_t ecoef_cap; int32_t ecoef_npar;
  /* the adaptive path (likelihood-adaptive.c): levels k < levels */
  int32_t levels, level_cap;
  int32_t levels_cut;            /* the levels dropped mass on the way (flushed, or left below MASS_GONE at the end) */
  double *lv;                    /* v_k, nt each (all of them with a gradient, else two in turn) */
  size_t lv_cap;                 /* doubles */
  double *lam, *la, *lb, *labar, *lbbar, *llbar; /* λ_k, a_k, b_k and their adjoints */
  int32_t *larg;                 /* the transient vertex whose exit rate is λ_k, or −1 */
  int32_t *lrows;                /* v_k is 0 from row lrows[k] on, as far as v_k is kept (room as larg's; see steps_step_from) */
  double *exit, *wt;             /* exit rates (set by pk_lik_eval); transient edge rates by target */
  double *wo;                    /* transient edge rates by source, in trp's order (the reverse sweep's; gradients only) */
  double birth_rate;             /* Λ = max λ_k, the birth chain's uniformisation rate */
  double *bu, *bubar;            /* birth-chain vectors (levels each) */
  double *bstore; size_t bstore_cap; int32_t *bband; size_t bband_cap; /* checkpoints */
  /* the last evaluation */
  int32_t steps;                 /* vectors v_0 .. v_{steps−1} were stepped (adaptive: birth-chain steps) */
  int32_t adaptive;              /* 1 when the last evaluation took the adaptive path */
  double lambda;                 /* the uniformisation rate used (adaptive: Λ) */
} pk_lik;

/* PK_LIK_LOST: a continuous probability came out 0 where it is positive (pk_lik_lost_at
 * names the observation): its terms lost every digit. */
enum { PK_LIK_OK = 0, PK_LIK_TOO_MANY_STEPS = 1, PK_LIK_OUT_OF_MEMORY = 2, PK_LIK_TOO_MUCH_MEMORY = 3, PK_LIK_LOST = 4, PK_LIK_DECLINED = 100 };

/* likelihood.c: the right end of the Poisson(μ) window (INT64_MAX when μ is too large). */
int64_t lik_window_end(double mu);
/* likelihood.c: the largest time with a positive weight. */
double lik_max_time(const pk_lik *L);
/* likelihood.c: the shift that lifts a stepped vector's mass back over RESCALE_BELOW (0: none
 * needed), and x[0..n) ×= 2^shift. */
int32_t lik_shift_for(double mass);
void lik_rescale(double *x, int32_t n, int32_t shift);

/* likelihood-adaptive.c. Levels: steps the chain with λ_k until its mass is gone;
 * PK_LIK_DECLINED when that would cost more than plain uniformisation's `need`
 * steps, or would not give exact gradients (tied exit rates that do not move together). */
int32_t lik_adaptive_levels(pk_lik *L, const double *w, int64_t need, int gradient);
/* The birth chain's sequences α_m = u_m·a and β_m = u_m·b, m = 0..N, into a and b;
 * with a gradient it keeps √N checkpoints. Returns PK_LIK_OK or _OUT_OF_MEMORY. */
int32_t lik_adaptive_sequences(pk_lik *L, double *a, double *b, int32_t N, int gradient);
/* Reverse sweep: from c = ∂L/∂α, d = ∂L/∂β to ∂L/∂w. */
void lik_adaptive_reverse(pk_lik *L, const double *c, const double *d, int32_t N, double *wbar);
void lik_adaptive_free(pk_lik *L);
#endif
