/* phasekit kernel: graph elimination for phase-type distributions.
 * Shared by the WebAssembly build (clang --target=wasm32-wasi) and the native
 * benchmark build (gcc). No I/O, no globals beyond the allocator. */
#ifndef PHASEKIT_KERNEL_H
#define PHASEKIT_KERNEL_H
#include <stdint.h>

/* Error codes written to err[0]; err[1] names the vertex. */
enum {
  PK_OK = 0,
  PK_ERR_NO_ABSORPTION = 1, /* a transient vertex from which no absorbing vertex is reachable */
  PK_ERR_OUT_OF_MEMORY = 2,
  PK_ERR_EDGE_TO_START = 3
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
} pk_elim;

/* Graph in CSR form over n vertices; vertex 0 is the start. Weights are rates
 * (probabilities for discrete graphs) at one parameter value: positive, no
 * self-loops, no parallel edges (the caller merges them). */
pk_elim *pk_eliminate(int32_t n, const int32_t *row_ptr, const int32_t *col, const double *w, int32_t *err);
void pk_elim_free(pk_elim *e);
void pk_solve(const pk_elim *e, const double *r, double *x);
void pk_solve_adjoint(const pk_elim *e, const double *xbar, double *rbar);

/* Uniformised (or discrete) stepping: v_{k+1} = v_k K with K = diag(stay) + P over
 * transient vertices. Writes a[k] = v_k·exit and b[k] = Σ v_k for k = 0..steps. */
int32_t pk_step_distribution(int32_t n, const int32_t *row_ptr, const int32_t *col, const double *p,
                             const double *stay, const double *exit, double *v, double *tmp,
                             int32_t steps, double *a, double *b, double stop_mass);
#endif
