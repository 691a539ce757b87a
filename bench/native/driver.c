/* Native timing driver for the phasekit kernel: the same C that becomes
 * phasekit.wasm, compiled by gcc, so the benchmark's "WASM / native" column
 * compares like with like.
 *
 *   native-bench GRAPH.csr STEPS STOP_MASS REPS STEPS.bin
 *
 * GRAPH.csr (written by bench/run.ts), little-endian: int32 n, int32 m,
 * int32 rowPtr[n+1], int32 col[m], float64 weight[m]: the rates at θ.
 * Times pk_eliminate + 3 moments (m_k = k·solve(r ⊙ m_{k−1}), r = 1, as
 * src/moments/moments.ts does for continuous graphs) and pk_step_distribution
 * over STEPS uniformisation steps of STEPS.bin, the library's own stepping matrix
 * (bench/foundation/csr-file.ts writes it). Prints one JSON object: medians in milliseconds over at least REPS
 * runs, more (up to MAX_REPS) while a measurement has taken under BUDGET_MS, as
 * bench/foundation/timing.ts does on the WASM side. */
#define _POSIX_C_SOURCE 199309L
#include "../../wasm-src/kernel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum { MAX_REPS = 400 };
static const double BUDGET_MS = 300;

/* Another repetition? At least min_reps, then while under budget. */
static int again(int rep, int min_reps, double start) {
  return rep < min_reps || (rep < MAX_REPS && now_ms() - start < BUDGET_MS);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double minimum(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++) if (v[i] < m) m = v[i];
  return m;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) { fprintf(stderr, "native-bench: out of memory (%zu bytes)\n", bytes); exit(2); }
  return p;
}

static void read_exact(FILE *f, void *p, size_t bytes) {
  if (fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "native-bench: truncated graph file\n"); exit(2); }
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s GRAPH.csr STEPS STOP_MASS REPS STEPS.bin\n", argv[0]); return 2; }
  int32_t steps = atoi(argv[2]), reps = atoi(argv[4]);
  double stop_mass = atof(argv[3]);
  if (reps < 1) reps = 1;
#ifdef __GLIBC__
  /* wasm's dlmalloc keeps what it frees inside linear memory; glibc would hand big
   * blocks back to the OS and page-fault them in again on every repetition. */
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  int32_t nm[2];
  read_exact(f, nm, sizeof nm);
  int32_t n = nm[0], m = nm[1];
  int32_t *rp = xmalloc(((size_t)n + 1) * 4), *col = xmalloc((size_t)m * 4);
  double *w = xmalloc((size_t)m * 8);
  read_exact(f, rp, ((size_t)n + 1) * 4);
  read_exact(f, col, (size_t)m * 4);
  read_exact(f, w, (size_t)m * 8);
  fclose(f);

  /* Elimination + 3 moments. */
  double *r = xmalloc((size_t)n * 8), *b = xmalloc((size_t)n * 8), *x = xmalloc((size_t)n * 8);
  if (reps > MAX_REPS) reps = MAX_REPS;
  double *t_elim = xmalloc(MAX_REPS * 8), *t_mom = xmalloc(MAX_REPS * 8), *t_both = xmalloc(MAX_REPS * 8);
  double mom[3] = { 0, 0, 0 };
  int64_t ncmd = 0;
  for (int32_t v = 0; v < n; v++) r[v] = 1.0;
  int n_elim = 0;
  for (double start = now_ms(); again(n_elim, reps, start); n_elim++) {
    int rep = n_elim;
    int32_t err[2];
    double t0 = now_ms();
    pk_elim *e = pk_eliminate(n, rp, col, w, 0, err);
    double t1 = now_ms();
    if (!e) { fprintf(stderr, "native-bench: pk_eliminate failed with code %d (vertex %d)\n", err[0], err[1]); return 1; }
    pk_solve(e, r, x);
    mom[0] = x[0];
    for (int k = 2; k <= 3; k++) {
      for (int32_t v = 0; v < n; v++) b[v] = k * r[v] * x[v];
      pk_solve(e, b, x);
      mom[k - 1] = x[0];
    }
    double t2 = now_ms();
    ncmd = e->ncmd;
    pk_elim_free(e);
    t_elim[rep] = t1 - t0;
    t_mom[rep] = t2 - t1;
    t_both[rep] = t2 - t0;
  }

  /* Uniformised stepping of the library's own stepping matrix (STEPS.bin, written by
   * bench/foundation/case.ts from src/distributions/stepper.ts's stepMatrix: transient
   * vertices only, incoming edges by target), which the WASM side steps too. */
  f = fopen(argv[5], "rb");
  if (!f) { perror(argv[5]); return 2; }
  int32_t cz[2];
  read_exact(f, cz, sizeof cz);
  int32_t count = cz[0], nnz = cz[1];
  size_t cells = count > 0 ? (size_t)count : 1;
  int32_t *in_ptr = xmalloc(((size_t)count + 1) * 4), *src = xmalloc((size_t)nnz * 4);
  double *p = xmalloc((size_t)nnz * 8), *stay = xmalloc(cells * 8), *exitr = xmalloc(cells * 8), *v0 = xmalloc(cells * 8);
  read_exact(f, in_ptr, ((size_t)count + 1) * 4);
  read_exact(f, src, (size_t)nnz * 4);
  read_exact(f, p, (size_t)nnz * 8);
  read_exact(f, stay, (size_t)count * 8);
  read_exact(f, exitr, (size_t)count * 8);
  read_exact(f, v0, (size_t)count * 8);
  fclose(f);
  double *v = xmalloc(cells * 8), *tmp = xmalloc(cells * 8);
  double *a = xmalloc(((size_t)steps + 1) * 8), *bb = xmalloc(((size_t)steps + 1) * 8);
  double *t_pdf = xmalloc(MAX_REPS * 8);
  /* The kernel's own layout of the rows, made once as the library's Stepper makes it. */
  pk_steps *layout = pk_steps_create(count, in_ptr, src, p, -1);
  if (!layout) { fprintf(stderr, "native-bench: out of memory (stepping layout)\n"); return 2; }
  int32_t done = 0;
  int n_pdf = 0;
  for (double start = now_ms(); again(n_pdf, reps, start); n_pdf++) {
    int rep = n_pdf;
    memcpy(v, v0, (size_t)count * 8);
    double t0 = now_ms();
    done = pk_step_distribution(layout, stay, exitr, v, tmp, steps, a, bb, stop_mass);
    t_pdf[rep] = now_ms() - t0;
  }

  printf("{\"vertices\":%d,\"edges\":%d,\"commands\":%lld,\"reps\":%d,\"pdfReps\":%d,"
         "\"eliminateMs\":%.6g,\"momentsMs\":%.6g,\"eliminateMomentsMs\":%.6g,\"eliminateMomentsMinMs\":%.6g,"
         "\"stepsMs\":%.6g,\"stepsMinMs\":%.6g,\"steps\":%d,\"stepsDone\":%d,\"moments\":[%.17g,%.17g,%.17g]}\n",
         n, m, (long long)ncmd, n_elim, n_pdf, median(t_elim, n_elim), median(t_mom, n_elim), median(t_both, n_elim), minimum(t_both, n_elim),
         median(t_pdf, n_pdf), minimum(t_pdf, n_pdf), steps, done, mom[0], mom[1], mom[2]);
  return 0;
}
