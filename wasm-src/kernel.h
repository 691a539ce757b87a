/* phasekit kernel: graph elimination for phase-type distributions.
 * Shared by the WebAssembly build (clang --target=wasm32-wasi) and the native
 * benchmark build (gcc). No I/O, no globals beyond the allocator. */
#ifndef PHASEKIT_KERNEL_H
#define PHASEKIT_KERNEL_H
#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* Whether two blocks hold the same bytes: 8-byte words, then the tail (wasi-libc's memcmp
 * goes a byte at a time). Used for stored states and stored structures. */
static inline int pk_same_bytes(const void *a, const void *b, size_t bytes) {
  const uint8_t *p = a, *q = b;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t x, y;
    memcpy(&x, p + i, 8); memcpy(&y, q + i, 8);
    if (x != y) return 0;
  }
  for (; i < bytes; i++) if (p[i] != q[i]) return 0;
  return 1;
}

/* Error codes written to err[0]; err[1] names the vertex. */
enum {
  PK_OK = 0,
  PK_ERR_NO_ABSORPTION = 1, /* a transient vertex from which no absorbing vertex is reachable */
  PK_ERR_OUT_OF_MEMORY = 2,
  PK_ERR_EDGE_TO_START = 3,
  PK_ERR_WORK_LIMIT = 4 /* the elimination passed pk_set_elim_budget's work */
};

/* The eliminated graph: a command list replayed once per reward vector.
 * x = r ⊙ scale0, then for each command k: src[k] < 0 ? x[dst] *= m : x[dst] += m·x[src].
 * After the replay x[v] is the expected reward accumulated before absorption, from v. */
typedef struct pk_elim {
  int32_t n;
  int32_t ncmd, cap;
  int32_t *dst, *src;
  double *m;
  double *scale0;
  /* statistics, for benchmarks and progress */
  int32_t nscc, max_scc;
  int64_t fill;
  /* The trace (only when recorded): slots 0..ninputs-1 are the edge weights in CSR
   * order, slot ninputs is the constant 0, and op k writes slot ninputs + 1 + k.
   * ops[4k..4k+3] = {opcode, a, b, c}. slot[k] is command k's multiplier slot,
   * scale_slot[v] vertex v's scale0 slot. */
  int32_t record, oom;
  int32_t ninputs, nops, opcap;
  uint32_t *ops;
  int32_t *slot, *scale_slot;
  /* When set, ops/dst/src/slot/scale_slot point into this one block (a loaded trace's
   * bytes, adopted without a copy) and only the block is freed. */
  void *block;
  /* The tape compiled (trace.c) on the fourth evaluation: into runs, or where runs do not pay
   * into the FMA form (lslot set); 0 until then, or where neither is made (the plain
   * interpreter runs instead). */
  int32_t *prog;
  int32_t nprog, evaluations;
  /* Set where prog is the FMA form (trace.c), which reads the constants 1 and −0 from two
   * slots after the ops and numbers the values in its own order: the multipliers' slots in
   * that order (ncmd), then scale0's (n). */
  int32_t *lslot;
  /* Arcs merged so far (the elimination's work inside components), and whether it passed the budget. */
  double work;
  int32_t over_budget;
} pk_elim;

enum { PK_OP_ADD = 1, PK_OP_MUL = 2, PK_OP_FMA = 3, PK_OP_INV = 4 }; /* FMA: a + b·c (unfused) */

/* Graph in CSR form over n vertices; vertex 0 is the start. Weights are rates
 * (probabilities for discrete graphs): no self-loops, no parallel edges (the
 * caller merges them), rows sorted by target. With record = 1 the arithmetic is
 * also written to a tape whose inputs are the weights: the trace. */
pk_elim *pk_eliminate(int32_t n, const int32_t *row_ptr, const int32_t *col, const double *w, int32_t record, int32_t *err);

/* Evaluates a recorded tape for new weights (w may be vals itself, the weights in place): fills vals (pk_trace_nvals) and
 * the elimination's multipliers and scale0, so pk_solve works as after pk_eliminate.
 * Returns -1, or the index (in evaluation order) of an op that divided by a non-positive number.
 * The values may be numbered in the FMA form's order: before pk_trace_reverse, evaluate with
 * pk_trace_evaluate_tape, which numbers them as the tape does (slot ninputs + 1 + k for op k). */
int32_t pk_trace_evaluate(pk_elim *e, const double *w, double *vals);
int32_t pk_trace_evaluate_tape(pk_elim *e, const double *w, double *vals);
/* Counts an evaluation and compiles the tape once that pays (trace.c): runs, or the FMA form. */
void pk_trace_prepare(pk_elim *e);
/* Reverse mode over the tape: from adjoints of the multipliers (mbar, per command)
 * and of scale0 (sbar, per vertex), the adjoint of every input weight (wbar). vals
 * from pk_trace_evaluate_tape; vbar is scratch of the same length, and wbar may be vbar itself (its first ninputs slots). */
void pk_trace_reverse(const pk_elim *e, const double *vals, const double *mbar, const double *sbar, double *vbar, double *wbar);
/* pk_solve that keeps what the reverse pass needs: xs[k] = x[src[k]] (or x[dst[k]] before a scaling). */
void pk_solve_record(const pk_elim *e, const double *r, double *x, double *xs);
/* Reverse of pk_solve_record: xbar (in: adjoint of x; clobbered), accumulates mbar and sbar, writes rbar. */
void pk_solve_reverse(const pk_elim *e, const double *r, const double *xs, double *xbar, double *mbar, double *sbar, double *rbar);
void pk_elim_free(pk_elim *e);
/* Four θ rows at once (trace-lanes.c), values lane-interleaved: x[slot·PK_LANES + lane].
 * pk_rates_at_lanes writes a continuous graph's rates at four θ (theta4[i·PK_LANES + lane])
 * and returns the bit mask of the lanes failing pk_rates_at's checks; pk_trace_evaluate_lanes
 * evaluates the tape on the weights in vals4's first ninputs slots and returns the mask of the
 * lanes where an inverse met a non-positive number; pk_moments_lanes replays E[R^1..R^k] for
 * every lane (out[lane·k + j − 1]; work: 2·PK_LANES·n doubles). Each lane's results are
 * bitwise those of pk_rates_at, pk_trace_evaluate and pk_moments for its row. */
enum { PK_LANES = 4 };
int32_t pk_trace_evaluate_lanes(pk_elim *e, double *vals4);
int32_t pk_rates_at_lanes(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                          const uint8_t *has_out, const double *theta4, double *w4);
void pk_moments_lanes(const pk_elim *e, const double *vals4, const double *r, int32_t k, double *work, double *out);
/* pk_forward_moments_at at four θ: -1 where an edge goes back, else the mask of the lanes whose
 * checks failed; out[lane·k + j − 1]; work: 2·PK_LANES·n doubles. */
int32_t pk_forward_moments_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                 const uint8_t *has_out, const double *theta4, const double *r, int32_t k, double *work, double *out);
/* pk_forward_expect_at, pk_combine_rewards and pk_forward_expect_gradient for four θ (lanes
 * interleaved: element i of lane l at i·PK_LANES + l), each lane bitwise the scalar function's;
 * the passes return -1 where an edge goes back, else the mask of the lanes whose checks failed. */
int32_t pk_forward_expect_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                const uint8_t *has_out, const double *theta4, int32_t m, const int32_t *rrp, const int32_t *ridx,
                                const double *rval, double *work, double *out);
void pk_expect_times_lanes(const pk_elim *e, const double *vals4, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval,
                           double *tau4, double *out4);
void pk_expect_gradient_lanes(const pk_elim *e, const double *vals4, int32_t p, const int32_t *rp, const int32_t *col, const double *coef,
                              const double *tau4, const double *r4, double *x4, double *grad4);
void pk_splat_lanes(int32_t n, const double *r, double *out4);
void pk_combine_rewards_lanes(int32_t n, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *y4, double *out);
int32_t pk_forward_expect_gradient_lanes(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                         const uint8_t *has_out, const double *theta4, const double *tau4, const double *r4,
                                         double *work, double *grad4);
/* Most arcs merged inside components by later pk_eliminate calls (0: no limit); past it they
 * fail with PK_ERR_WORK_LIMIT. A large random cyclic graph fills in toward dense: 4,000 states
 * took 24 s, and a caller that has a cheaper way out (Krylov's solves) sets a limit first. */
void pk_set_elim_budget(double arcs);
void pk_solve(const pk_elim *e, const double *r, double *x);
void pk_solve_adjoint(const pk_elim *e, const double *xbar, double *rbar);
/* Reward expectations and raw moments with what their reverse passes need, and those
 * reverse passes (trace.c); then pk_trace_reverse gives the weights' adjoints, and
 * pk_chain_theta θ's. */
void pk_expect_times(const pk_elim *e, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval, double *tau, double *out);
void pk_expect_gradient(const pk_elim *e, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, const double *tau,
                        const double *r, double *x, double *grad);
void pk_moments_conditional(const pk_elim *e, const double *r, int32_t k, double *X, double *b, double *out);
void pk_moments_adjoint_times(const pk_elim *e, const double *r, int32_t k, double *mu);
void pk_moments_gradient(const pk_elim *e, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, int32_t k,
                         const double *X, const double *mu, const double *seed, double *lam, double *grad);
void pk_expect_adjoint(const pk_elim *e, const double *r, double *x, double *xs, double *xbar, double *rbar, double *mbar, double *sbar);
void pk_moments_forward(const pk_elim *e, const double *r, int32_t k, double *B, double *X, double *XS, double *out);
void pk_moments_reverse(const pk_elim *e, const double *r, int32_t k, const double *B, const double *XS, const double *seed,
                        double *work, double *mbar, double *sbar);
void pk_chain_theta(int32_t m, int32_t npar, const double *coef, const double *wbar, double *grad);
/* Raw moments E[R^1..R^k] (continuous): k replays in one call; work holds 2n doubles. */
void pk_moments(const pk_elim *e, const double *r, int32_t k, double *work, double *out);
/* The forward passes keep the rates of a vertex of up to this many edges between their two
 * loops over them (computing each twice made the coalescent's E[T] 1.2–1.9× slower, n = 30, 40). */
enum { FORWARD_KEPT = 64 };
/* pk_moments without an elimination, on a graph whose every edge goes to a higher index
 * (continuous), from its checked rates w: the same bits, no command list. work holds 2n
 * doubles. Nothing usable is written where it returns -1 (some edge goes back) or -2 (a
 * rate of 0, which checked rates do not have); else 0. */
int32_t pk_forward_moments(int32_t n, const int32_t *rp, const int32_t *col, const double *w, const double *r, int32_t k, double *work, double *out);
/* pk_forward_moments on rates base + coef·θ computed on the way; -1 where an edge goes back,
 * -2 where pk_rates_at's checks fail or a rate is 0, else 0. */
int32_t pk_forward_moments_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                              const uint8_t *has_out, const double *theta, const double *r, int32_t k, double *work, double *out);
/* E[R] and ∂E[R]/∂θ of a forward structure (pk_forward_moments_at's pass, then one reverse
 * pass): work 2n doubles, out 1, grad p. Returns as pk_forward_moments_at. */
int32_t pk_forward_gradient_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                               const uint8_t *has_out, const double *theta, const double *r, double *work, double *out, double *grad);

/* E[R_1..R_m] of m reward vectors on a forward structure at θ: one pass of visit probabilities,
 * whatever m. The rewards' nonzero entries by vertex: rrp (n + 1 offsets), ridx (the vector),
 * rval (the value). work n doubles (the expected time in each vertex on return), out m.
 * Returns as pk_forward_moments_at. */
int32_t pk_forward_expect_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                             const uint8_t *has_out, const double *theta, int32_t m, const int32_t *rrp, const int32_t *ridx,
                             const double *rval, double *work, double *out);
/* out[i] = Σ_v R_i(v)·τ_v (m doubles), rewards as pk_forward_expect_at reads them. */
void pk_reward_sums(int32_t n, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *tau, double *out);
/* ∂E[r]/∂θ from the expected times tau and x_v = E[r | in v] of a continuous graph: one pass over the edges. grad p doubles. */
void pk_expect_edge_gradient(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, const double *tau, const double *x, double *grad);
/* That pass, added to grad, with the start weighted t0 (eliminate.c). */
void pk_edge_gradient_add(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, double t0, const double *tau,
                          const double *x, double *grad);
/* The expected time in every vertex after an elimination: pk_solve_adjoint at the start. */
void pk_expected_times(const pk_elim *e, double *tau);
/* out = Σ_i y_i R_i (n doubles; rewards as pk_forward_expect_at reads them): the reward whose E
 * has the gradient Σ_i y_i ∂E[R_i]. */
void pk_combine_rewards(int32_t n, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *y, double *out);
/* ∂E[r]/∂θ of a forward structure from the expected times tau of pk_forward_expect_at at the
 * same θ: one backward pass (work n doubles), then one over the edges. grad p doubles. */
int32_t pk_forward_expect_gradient(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                   const uint8_t *has_out, const double *theta, const double *tau, const double *r, double *work, double *grad);

/* Uniformised (or discrete) stepping: v_{k+1} = v_k K with K = diag(stay) + P over
 * transient vertices, P given by target (in_ptr/src/p: the incoming edges of each
 * vertex), laid out once by pk_steps_create (width −1: the kernel's choice of padded
 * rows, see distribution.c; 0: plain rows). The caller's rows must outlive the pk_steps
 * at every width: plain rows are stepped in place, and the rows the mass can have reached
 * are stepped from them under any width. pk_step_distribution writes a[k] = v_k·exit and b[k] = Σ v_k for up to
 * `steps` k, stopping once Σ v_k < stop_mass; returns how many were written. Every width
 * gives the same bits, and so does stepping only the rows the mass can have reached. */
typedef struct pk_steps pk_steps;
pk_steps *pk_steps_create(int32_t n, const int32_t *in_ptr, const int32_t *src, const double *p, int32_t width);
/* A layout of base's rows with the rates p (width as above), sharing base's tables (made in
 * O(edges) once per set of rows): base and its rows must outlive it. base may have been
 * made with p = 0 and width 0, only to be shared. */
pk_steps *pk_steps_share(const pk_steps *base, const double *p, int32_t width);
int32_t pk_steps_width(const pk_steps *s);
/* Rows the next vector can fill while v is 0 from row h on (the adaptive likelihood, Stepper.stepsWithin, tests). */
int32_t pk_steps_reach(const pk_steps *s, int32_t h);
/* Tests and benchmarks: 0 steps every row (the baseline), 1 (the default) only those reached. */
void pk_set_step_prefix(int32_t on);
void pk_steps_free(pk_steps *s);
void pk_step_gather(int32_t nnz, const int32_t *edge_of, const double *w, double scale, double *p);
int32_t pk_step_pattern_count(int32_t n, const int32_t *rp, const int32_t *col, int32_t *index, int32_t *sizes);
void pk_step_pattern_fill(int32_t n, const int32_t *rp, const int32_t *col, const int32_t *index, int32_t count, int32_t *vertex_of,
                          int32_t *in_ptr, int32_t *src, int32_t *edge_of, int32_t *exit_ptr, int32_t *exit_edge, int32_t *fill);
int32_t pk_step_distribution(const pk_steps *s, const double *stay, const double *exit, double *v, double *tmp,
                             int32_t steps, double *a, double *b, double stop_mass);
/* Padded rows (distribution.c): at most PAD_MAX_WIDTH slots a row, each width stepped by a
 * copy of its own with the slots unrolled (the build's -fno-unroll-loops would leave a loop). */
enum { PAD_MAX_WIDTH = 4 };
#ifdef __clang__
#define UNROLLED _Pragma("clang loop unroll(full)")
#else
#define UNROLLED _Pragma("GCC unroll 4")
#endif
/* The padded width for rows whose lengths are given by ptr (0: plain rows). */
int32_t steps_choose_width(int32_t n, const int32_t *ptr);
/* For steppers whose rates change between runs over one structure and that keep their
 * vectors (likelihood.c). steps_refill: the layout's rates again from p (in_ptr order, as
 * at creation; a width-0 layout reads the caller's p itself, so nothing is copied).
 * steps_step_from: one step next = cur·K over the rows the mass can have reached, with
 * sums[0] = Σ next·weight and sums[1] = Σ next, entries below 1e−290 flushed to 0.
 * steps_first_rows(s, h) is the first bound to pass it (h: v_0 is 0 from row h on), or
 * s->n where every row is stepped (a row's sources do not ascend, or the switch is off).
 * steps_step_from makes next's rows [0, r) from cur's rows [0, r) and returns r; it sets
 * the rows after r that the following step reads to 0, so cur needs no more than that
 * (r = n once the mass can be anywhere: then cur must be whole). The same bits as stepping
 * every row. */
void steps_refill(pk_steps *s, const int32_t *in_ptr, const double *p);
int32_t steps_first_rows(const pk_steps *s, int32_t h);
/* steps_low(s, lo): while v is 0 below row lo, the next vector is 0 below the row this
 * answers (lo, or a lower row fed from at or past lo); 0 when every row is stepped. */
int32_t steps_low(const pk_steps *s, int32_t lo);
int32_t steps_step_from(const pk_steps *s, const double *stay, const double *weight, const double *cur, double *next, double *sums, int32_t h);
/* Adaptive uniformisation: as pk_step_distribution, but step k uses the largest exit
 * rate on v_k's support, written to lam[k]; s lays out the incoming rows (its own rates
 * unread: any width, the rows the mass reaches are read from the caller's plain rows);
 * w are the absolute incoming rates and
 * rate the exit rates of the transient vertices (edge rates are w·w_scale). Entries below `flush` are dropped
 * (their sum added to *dropped). */
int32_t pk_step_adaptive(const pk_steps *s, const double *w,
                         double w_scale, const double *rate, const double *exit, double *v, double *tmp,
                         int32_t steps, double *a, double *b, double *lam, double stop_mass,
                         double flush, double *dropped);
/* w = base + coef·θ over canonical edges, with the format's checks: 0 when all pass,
 * 1 when one fails, 2 when all pass and some rate is exactly 0.
 * exit (nullable): each vertex's sum of out-rates. */
int32_t pk_rates_at(int32_t n, int32_t p, const int32_t *rp, const double *base, const double *coef,
                    const double *loop_base, const double *loop_coef, const uint8_t *has_out,
                    int32_t discrete, const double *theta, double *w, double *exit);

/* Log-likelihood of observed times (continuous) or steps (discrete), with right
 * censoring, and its gradient (likelihood.c). Points are distinct, sorted by the
 * caller, with weights; max_steps and max_bytes bound the work and the memory. */
typedef struct pk_lik pk_lik;
pk_lik *pk_lik_create(int32_t n, const int32_t *rp, const int32_t *col, int32_t discrete,
                      int32_t np, const double *pt, const double *pw, int32_t nc, const double *ct, const double *cw,
                      int32_t max_steps, double max_bytes);
void pk_lik_free(pk_lik *L);
int32_t pk_lik_eval(pk_lik *L, const double *w, double *ll, double *wbar);
void pk_lik_batch(pk_lik *L, int32_t npar, const double *base, const double *coef, const double *loop_base,
                  const double *loop_coef, const uint8_t *has_out, int32_t P, const double *thetas,
                  double *w, double *wbar, double *ll, double *grad, int32_t *status);
int32_t pk_lik_steps(const pk_lik *L);
int32_t pk_lik_lost_at(const pk_lik *L);
void pk_lik_set_max_steps(pk_lik *L, int32_t max_steps);
int32_t pk_lik_set_step_width(pk_lik *L, int32_t width);
double pk_lik_lambda(const pk_lik *L);
int32_t pk_lik_levels(const pk_lik *L);
void pk_lik_set_method(pk_lik *L, int32_t method);
/* The built-in models' state spaces built in the kernel as canonical CSR (models.c):
 * kind 1 = coalescent(size), 2 = rabbits(size). */
typedef struct pk_model pk_model;
pk_model *pk_model_create(int32_t kind, int32_t size, int32_t max_vertices);
int32_t pk_model_reserve(pk_model *g, int32_t vertices, int32_t edges);
void pk_matmul_add(int32_t r, int32_t kk, int32_t n, const double *restrict x, const double *restrict y, double *restrict out);
int32_t pk_model_explore(pk_model *g, int32_t budget);
/* what: 0 vertices, 1 canonical edges, 2 state length, 3 parameters, 4 vertices explored. */
int32_t pk_model_count(const pk_model *g, int32_t what);
uint8_t *pk_model_states(const pk_model *g);
int32_t *pk_model_rp(const pk_model *g);
int32_t *pk_model_col(const pk_model *g);
double *pk_model_base(const pk_model *g);
double *pk_model_coef(const pk_model *g);
/* Keeps only the CSR of a finished model (pk_model_rp/col/base/coef stay valid). */
void pk_model_drop_search(pk_model *g);
void pk_model_free(pk_model *g);

/* Graph JSON read in the kernel (json.c), a fast path: the graph as flat arrays, or null
 * where the TypeScript reader must run (anything unusual, malformed or out of range). */
typedef struct pk_json pk_json;
pk_json *pk_json_parse(const uint8_t *text, int32_t len);
void pk_json_free(pk_json *j);

#endif
