/* A recorded elimination evaluated for four θ rows at once, with each value a vector
 * of four lanes (one per row), and the moment replays on those values. An op is decoded,
 * and its operands' cache lines fetched, once for the four rows: per row 1.1–3.8× faster
 * than evaluating rows one at a time (bench:traces, one run; least on the rabbits, whose
 * single-row evaluation is reordered for independent neighbouring ops too).
 * IEEE operations are lane-wise and WebAssembly has no fused multiply-add to contract
 * to, so each lane computes exactly the scalar expressions in the same order: its values
 * and moments are bitwise those of pk_trace_evaluate and pk_moments for its row. */
#include "kernel.h"
#include <float.h>

typedef double lanes __attribute__((vector_size(8 * PK_LANES), aligned(8)));
typedef int64_t lane_mask __attribute__((vector_size(8 * PK_LANES), aligned(8)));

static inline lanes splat(double x) { return (lanes){x, x, x, x}; }

/* The lanes whose mask is `set` (1) or clear (0), as bits: lane l is bit l. */
static inline int32_t lane_bits(lane_mask m, int set) {
  int32_t bits = 0;
  for (int32_t l = 0; l < PK_LANES; l++) if ((m[l] != 0) == set) bits |= 1 << l;
  return bits;
}

/* pk_trace_evaluate's FMA form (trace.c) over lanes. */
static lane_mask fma_lanes(const pk_elim *e, lanes *v) {
  lanes *out = v + e->ninputs + 1;
  lane_mask positive = {-1, -1, -1, -1};
  int32_t k = 0;
  for (const int32_t *p = e->prog;;) {
    const int32_t count = *p++;
    if (count < 0) return positive;
    for (int32_t i = 0; i < count; i++, p += 3) out[k + i] = v[p[0]] + v[p[1]] * v[p[2]];
    k += count;
    const int32_t inverses = *p++;
    for (int32_t i = 0; i < inverses; i++) {
      const lanes x = v[p[i]];
      positive &= x > 0; /* NaN fails */
      out[k + i] = 1.0 / x;
    }
    p += inverses;
    k += inverses;
  }
}

/* The op-by-op interpreter of pk_trace_evaluate over lanes, or its FMA form (the tape's
 * compiled runs are not used: the four-lane interpreter already beats them per row on the
 * coalescent). The slot of the constant 1 tells the replays how the values are numbered
 * (lane_slots): 1 in the FMA form, 0 in the tape's order. */
int32_t pk_trace_evaluate_lanes(pk_elim *e, double *vals4) {
  lanes *v = (lanes *)vals4;
  const int32_t ni = e->ninputs;
  v[ni] = splat(0.0);
  pk_trace_prepare(e);
  if (e->lslot) {
    v[ni + 1 + e->nops] = splat(1.0);
    v[ni + 2 + e->nops] = splat(-0.0);
    return lane_bits(fma_lanes(e, v), 0);
  }
  v[ni + 1 + e->nops] = splat(0.0);
  lanes *out = v + ni + 1;
  lane_mask positive = {-1, -1, -1, -1};
  const uint32_t *o = e->ops;
  for (int32_t k = 0, n = e->nops; k < n; k++, o += 4) {
    switch (o[0]) {
      case PK_OP_ADD: out[k] = v[o[1]] + v[o[2]]; break;
      case PK_OP_MUL: out[k] = v[o[1]] * v[o[2]]; break;
      case PK_OP_FMA: out[k] = v[o[1]] + v[o[2]] * v[o[3]]; break;
      default: {
        const lanes a = v[o[1]];
        positive &= a > 0; /* NaN fails */
        out[k] = 1.0 / a;
      }
    }
  }
  return lane_bits(positive, 0);
}

/* The slots of the multipliers and of scale0 among values from pk_trace_evaluate_lanes: the
 * FMA form's where it numbered them (the constant 1's slot says so: the mark travels with the
 * values, so a trace compiled after they were evaluated still reads them right). */
static void lane_slots(const pk_elim *e, const lanes *v, const int32_t **slot, const int32_t **scale) {
  const int renumbered = e->lslot && v[e->ninputs + 1 + e->nops][0] == 1.0;
  *slot = renumbered ? e->lslot : e->slot;
  *scale = renumbered ? e->lslot + e->ncmd : e->scale_slot;
}

/* pk_solve over lanes, reading the multipliers and scale0 from pk_trace_evaluate_lanes's values. */
static void solve_lanes(const pk_elim *e, const lanes *v, const lanes *b, lanes *x) {
  const int32_t *dst = e->dst, *src = e->src, *slot, *scale;
  lane_slots(e, v, &slot, &scale);
  for (int32_t u = 0; u < e->n; u++) x[u] = b[u] * v[scale[u]];
  for (int32_t k = 0, nc = e->ncmd; k < nc;) {
    const int32_t d = dst[k];
    if (src[k] < 0) { x[d] *= v[slot[k]]; k++; continue; }
    lanes acc = x[d];
    do { acc += v[slot[k]] * x[src[k]]; k++; } while (k < nc && dst[k] == d && src[k] >= 0 && src[k] != d);
    x[d] = acc;
  }
}

void pk_moments_lanes(const pk_elim *e, const double *vals4, const double *r, int32_t k, double *work, double *out) {
  const lanes *v = (const lanes *)vals4;
  const int32_t n = e->n;
  lanes *b = (lanes *)work, *x = b + n;
  for (int32_t u = 0; u < n; u++) b[u] = splat(r[u]);
  for (int32_t j = 1; j <= k; j++) {
    solve_lanes(e, v, b, x);
    for (int32_t l = 0; l < PK_LANES; l++) out[(size_t)l * k + j - 1] = x[0][l];
    /* (j + 1) · r · x, multiplied left to right as pk_moments does. */
    if (j < k) for (int32_t u = 0; u < n; u++) b[u] = splat((double)(j + 1) * r[u]) * x[u];
  }
}

/* rate_at (eliminate.c) over lanes: θ_i = 0 adds nothing in its lane, as there. */
static inline lanes rate_lanes(int32_t p, const double *base, const double *coef, const lanes *t, int32_t j) {
  const double *c = coef + (size_t)j * p;
  lanes x = splat(base[j]);
  for (int32_t i = 0; i < p; i++) {
    const lane_mask used = t[i] != 0;
    const lanes summed = x + splat(c[i]) * t[i];
    x = (lanes)(((lane_mask)summed & used) | ((lane_mask)x & ~used));
  }
  return x;
}

/* pk_rates_at for a continuous graph over four θ rows (theta4[i·PK_LANES + lane]), written
 * lane-interleaved to w4: each lane's rates are bitwise pk_rates_at's for its θ (a term whose
 * θ_i is 0 is skipped in that lane, as there), and a lane fails where pk_rates_at returns 1.
 * Reading each edge's base and coefficients once for the four rows costs about what one row
 * did. Returns the bit mask of the lanes that fail. */
int32_t pk_rates_at_lanes(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                          const uint8_t *has_out, const double *theta4, double *w4) {
  const lanes *t = (const lanes *)theta4;
  lanes *w = (lanes *)w4;
  const int32_t m = rp[n];
  const lane_mask none = {0, 0, 0, 0};
  lane_mask ok = {-1, -1, -1, -1}, zero = none;
  for (int32_t j = 0; j < m; j++) {
    const lanes x = rate_lanes(p, base, coef, t, j);
    w[j] = x;
    ok &= (x >= 0) & (x <= DBL_MAX); /* NaN fails both */
    zero |= x == 0;
  }
  /* The start's weights (α) sum to at most 1; a vertex that had an edge (has_out) keeps a
   * positive rate. Without a zero rate in any lane, an edge is a positive rate. */
  lanes sum = splat(0.0);
  for (int32_t j = rp[0]; j < rp[1]; j++) sum += w[j];
  ok &= ~(sum > 1 + 1e-12);
  const int any_zero = zero[0] | zero[1] | zero[2] | zero[3];
  for (int32_t v = 1; v < n; v++) {
    if (!has_out[v]) continue;
    lane_mask positive = none;
    if (any_zero) for (int32_t j = rp[v]; j < rp[v + 1]; j++) positive |= w[j] > 0;
    else if (rp[v + 1] > rp[v]) positive = ~none;
    ok &= positive;
  }
  return lane_bits(ok, 0);
}

/* vertex_rates_at (eliminate.c) over lanes: a lane whose check fails is marked in *failed and
 * carries on. -1 where an edge goes back, else 0 with *sum set. */
static inline int32_t vertex_rates_lanes(int32_t p, const int32_t *col, const double *base, const double *coef, const lanes *t,
                                         int32_t v, int32_t lo, int32_t hi, lanes *kept, lanes *sum, lane_mask *failed) {
  const int keep = hi - lo <= FORWARD_KEPT;
  lanes s = splat(0.0);
  for (int32_t j = lo; j < hi; j++) {
    const lanes w = rate_lanes(p, base, coef, t, j);
    if (col[j] <= v) return -1;
    *failed |= ~((w > 0) & (w <= DBL_MAX));
    if (keep) kept[j - lo] = w;
    s = j == lo ? w : s + w;
  }
  if (v == 0) *failed |= s > 1 + 1e-12;
  *sum = s;
  return 0;
}

/* forward_vertex_at (eliminate.c) over lanes: the same sums in the same order per lane. A lane
 * whose check fails is marked in *failed and carries on (its values are not used). -1 where
 * an edge goes back, else 0. */
static __attribute__((noinline)) int32_t forward_vertex_lanes(int32_t p, const int32_t *rp, const int32_t *col, const double *base,
                                                              const double *coef, const uint8_t *has_out, const lanes *t,
                                                              const lanes *b, lanes *x, int32_t v, lane_mask *failed) {
  const int32_t lo = rp[v], hi = rp[v + 1];
  const lane_mask all = {-1, -1, -1, -1};
  if (lo == hi) {
    if (has_out && has_out[v]) *failed |= all;
    x[v] = b[v] * 0.0;
    return 0;
  }
  lanes kept[FORWARD_KEPT], sum; /* as forward_vertex_at keeps them */
  const int keep = hi - lo <= FORWARD_KEPT;
  if (vertex_rates_lanes(p, col, base, coef, t, v, lo, hi, kept, &sum, failed)) return -1;
  const lanes il = v != 0 ? 1.0 / sum : splat(0.0);
  lanes acc = b[v] * il;
  for (int32_t j = lo; j < hi; j++) {
    const lanes w = keep ? kept[j - lo] : rate_lanes(p, base, coef, t, j);
    const lanes m = v != 0 ? w * il : w;
    acc += m * x[col[j]];
  }
  x[v] = acc;
  return 0;
}

/* pk_forward_moments_at for four θ (theta4[i·PK_LANES + lane]): out[lane·k + j − 1], each lane
 * bitwise pk_forward_moments_at's for its θ. Returns -1 where an edge goes back, else the bit
 * mask of the lanes whose checks failed (those rows take the checked path alone). work holds
 * 2·PK_LANES·n doubles. */
int32_t pk_forward_moments_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                 const uint8_t *has_out, const double *theta4, const double *r, int32_t k, double *work, double *out) {
  const lanes *t = (const lanes *)theta4;
  lanes *b = (lanes *)work, *x = b + n;
  lane_mask failed = {0, 0, 0, 0};
  for (int32_t v = 0; v < n; v++) b[v] = splat(r[v]);
  for (int32_t j = 1; j <= k; j++) {
    for (int32_t v = n - 1; v >= 0; v--)
      if (forward_vertex_lanes(p, rp, col, base, coef, has_out, t, b, x, v, &failed)) return -1;
    for (int32_t l = 0; l < PK_LANES; l++) out[(size_t)l * k + j - 1] = x[0][l];
    if (j < k) for (int32_t v = 0; v < n; v++) b[v] = splat((double)(j + 1) * r[v]) * x[v];
  }
  return lane_bits(failed, 1);
}

/* pk_reward_sums (eliminate.c) over lanes: o[i] = Σ_v R_i(v)·τ_v (m lanes). Where the scalar
 * sum skips a vertex of τ = 0, a lane adds R·0 = ±0 to a sum that is never −0 (it starts at
 * +0): the same bits. */
static void reward_sums_lanes(int32_t n, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval, const lanes *tau, lanes *o) {
  for (int32_t i = 0; i < m; i++) o[i] = splat(0.0);
  for (int32_t v = 0; v < n; v++)
    for (int32_t e = rrp[v]; e < rrp[v + 1]; e++) o[ridx[e]] += splat(rval[e]) * tau[v];
}

/* pk_expect_edge_gradient (eliminate.c) over lanes: g p lanes, each lane bitwise the scalar
 * pass's. The scalar pass skips a vertex of τ = 0; here its terms are made +0, which adds
 * nothing (and a lane of τ = 0 cannot meet 0·∞). */
static void edge_gradient_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, const lanes *tau,
                                const lanes *x, lanes *g) {
  for (int32_t i = 0; i < p; i++) g[i] = splat(0.0);
  lanes g0 = splat(0.0);
  for (int32_t v = 0; v < n; v++) {
    const int32_t lo = rp[v], hi = rp[v + 1];
    if (lo == hi) continue;
    const lanes tv = v != 0 ? tau[v] : splat(1.0), xv = v != 0 ? x[v] : splat(0.0);
    const lane_mask reached = tv != 0;
    for (int32_t j = lo; j < hi; j++) {
      const lanes wbar = (lanes)((lane_mask)(tv * (x[col[j]] - xv)) & reached);
      if (p == 1) { g0 += wbar * splat(coef[j]); continue; }
      const double *cj = coef + (size_t)j * p;
      for (int32_t i = 0; i < p; i++) g[i] += wbar * splat(cj[i]);
    }
  }
  if (p == 1) g[0] = g0;
}

/* pk_forward_expect_at (eliminate.c) for four θ (theta4[i·PK_LANES + lane]): out[i·PK_LANES +
 * lane] = E[R_i] at the lane's θ, work n lanes (the expected times on return), each lane bitwise
 * pk_forward_expect_at's for its θ. Returns -1 where an edge goes back, else the bit mask of the
 * lanes whose checks failed. */
int32_t pk_forward_expect_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                const uint8_t *has_out, const double *theta4, int32_t m, const int32_t *rrp, const int32_t *ridx,
                                const double *rval, double *work, double *out) {
  const lanes *t = (const lanes *)theta4;
  lanes *q = (lanes *)work, *o = (lanes *)out;
  const lane_mask all = {-1, -1, -1, -1};
  lane_mask failed = {0, 0, 0, 0};
  for (int32_t v = 0; v < n; v++) q[v] = splat(0.0);
  q[0] = splat(1.0);
  for (int32_t v = 0; v < n; v++) {
    const int32_t lo = rp[v], hi = rp[v + 1];
    if (lo == hi) {
      if (has_out && has_out[v]) failed |= all;
      q[v] = splat(0.0);
      continue;
    }
    lanes kept[FORWARD_KEPT], sum;
    const int keep = hi - lo <= FORWARD_KEPT;
    if (vertex_rates_lanes(p, col, base, coef, t, v, lo, hi, kept, &sum, &failed)) return -1;
    const lanes il = v != 0 ? 1.0 / sum : splat(1.0);
    const lanes a = q[v] * il;
    for (int32_t j = lo; j < hi; j++) q[col[j]] += a * (keep ? kept[j - lo] : rate_lanes(p, base, coef, t, j));
    q[v] = v != 0 ? a : splat(0.0);
  }
  reward_sums_lanes(n, m, rrp, ridx, rval, q, o);
  return lane_bits(failed, 1);
}

/* One reward for all four lanes: out4[v·PK_LANES + lane] = r[v] (n lanes), for each
 * expectation's gradient in lanes. */
void pk_splat_lanes(int32_t n, const double *r, double *out4) {
  lanes *o = (lanes *)out4;
  for (int32_t v = 0; v < n; v++) o[v] = splat(r[v]);
}

/* pk_combine_rewards for four adjoint vectors (y4[i·PK_LANES + lane]): out n lanes. */
void pk_combine_rewards_lanes(int32_t n, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *y4, double *out) {
  const lanes *y = (const lanes *)y4;
  lanes *o = (lanes *)out;
  for (int32_t v = 0; v < n; v++) {
    lanes x = splat(0.0);
    for (int32_t e = rrp[v]; e < rrp[v + 1]; e++) x += y[ridx[e]] * splat(rval[e]);
    o[v] = x;
  }
}

/* pk_forward_expect_gradient for four θ, from the expected times tau4 (n lanes) of
 * pk_forward_expect_lanes at the same θ and a reward per lane r4 (n lanes): grad4[i·PK_LANES +
 * lane], each lane bitwise the scalar one's. work n lanes. Returns as pk_forward_expect_lanes. */
int32_t pk_forward_expect_gradient_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                         const uint8_t *has_out, const double *theta4, const double *tau4, const double *r4,
                                         double *work, double *grad4) {
  const lanes *t = (const lanes *)theta4, *tau = (const lanes *)tau4, *r = (const lanes *)r4;
  lanes *x = (lanes *)work, *g = (lanes *)grad4;
  lane_mask failed = {0, 0, 0, 0};
  for (int32_t v = n - 1; v >= 0; v--)
    if (forward_vertex_lanes(p, rp, col, base, coef, has_out, t, r, x, v, &failed)) return -1;
  edge_gradient_lanes(n, p, rp, col, coef, tau, x, g);
  return lane_bits(failed, 1);
}

/* pk_expect_times (trace.c) for four θ, on the tape's values vals4 of pk_trace_evaluate_lanes:
 * tau4 n lanes (the expected times), out4[i·PK_LANES + lane] = E[R_i], each lane bitwise
 * pk_expect_times's after pk_trace_evaluate at its θ (the transposed solve reads the
 * multipliers and scale0 from the values, as pk_trace_evaluate copies them out). */
void pk_expect_times_lanes(const pk_elim *e, const double *vals4, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval,
                           double *tau4, double *out4) {
  const lanes *v = (const lanes *)vals4;
  const int32_t *dst = e->dst, *src = e->src, *slot, *scale;
  lane_slots(e, v, &slot, &scale);
  lanes *tau = (lanes *)tau4;
  for (int32_t u = 0; u < e->n; u++) tau[u] = splat(0.0);
  tau[0] = splat(1.0);
  for (int32_t k = e->ncmd - 1; k >= 0; k--) {
    const int32_t s = src[k];
    if (s < 0) tau[dst[k]] *= v[slot[k]];
    else tau[s] += v[slot[k]] * tau[dst[k]];
  }
  for (int32_t u = 0; u < e->n; u++) tau[u] *= v[scale[u]];
  reward_sums_lanes(e->n, m, rrp, ridx, rval, tau, (lanes *)out4);
}

/* pk_expect_gradient (trace.c) for four θ and a reward per lane r4 (n lanes), from the times
 * tau4 of pk_expect_times_lanes: x4 n lanes (E[r | in v]), grad4[i·PK_LANES + lane], each
 * lane bitwise the scalar one's. */
void pk_expect_gradient_lanes(const pk_elim *e, const double *vals4, int32_t p, const int32_t *rp, const int32_t *col, const double *coef,
                              const double *tau4, const double *r4, double *x4, double *grad4) {
  const lanes *v = (const lanes *)vals4;
  solve_lanes(e, v, (const lanes *)r4, (lanes *)x4);
  edge_gradient_lanes(e->n, p, rp, col, coef, (const lanes *)tau4, (const lanes *)x4, (lanes *)grad4);
}
