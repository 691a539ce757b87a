/* Native timing of the kernel's model construction (wasm-src/models.c compiled by
 * gcc), for the benchmark's "build WASM / native" column:
 *
 *   native-build KIND SIZE REPS      (KIND 1 = coalescent, 2 = rabbits)
 *
 * Prints {"ms": median, "minMs": fastest, "vertices": n, "edges": m}. */
#define _POSIX_C_SOURCE 199309L
#include "../../wasm-src/kernel.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s KIND SIZE REPS\n", argv[0]); return 2; }
  int kind = atoi(argv[1]), size = atoi(argv[2]), reps = atoi(argv[3]);
  if (reps < 1 || reps > 1000) reps = 1;
  double *ms = malloc(sizeof(double) * (size_t)reps);
  int32_t vertices = 0, edges = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = now_ms();
    pk_model *g = pk_model_create(kind, size, 20000000);
    if (!g) { fprintf(stderr, "native-build: cannot start the model\n"); return 1; }
    int32_t status;
    while ((status = pk_model_explore(g, 10000)) == 0) {}
    ms[r] = now_ms() - t0;
    if (status < 0) { fprintf(stderr, "native-build: exploration failed (%d)\n", status); return 1; }
    vertices = pk_model_count(g, 0);
    edges = pk_model_count(g, 1);
    pk_model_free(g);
  }
  qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
  printf("{\"ms\":%.6g,\"minMs\":%.6g,\"vertices\":%d,\"edges\":%d}\n", ms[reps / 2], ms[0], vertices, edges);
  free(ms);
  return 0;
}
