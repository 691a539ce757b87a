/* Dense matrix products for the small stiff chains (at most 129 × 129): the squarings of
 * the dense distributions and likelihood, and the observations' vectors carried through
 * them as the rows of one matrix. Written so that clang vectorises the inner loop (f64x2):
 * each out[i][j] still adds its terms one k after another, in k's order, and skips a zero
 * x[i][k] as the JavaScript loops did, so the sums are the same bits. Two rows at a time
 * share each load of y's row. (Four rows by two columns with the sums held in registers
 * across k, written with SIMD intrinsics, measured no faster.) */
#include "kernel.h"

/* out (r × n) += x (r × kk) · y (kk × n), all row-major. */
void pk_matmul_add(int32_t r, int32_t kk, int32_t n, const double *restrict x, const double *restrict y, double *restrict out) {
  int32_t i = 0;
  for (; i + 1 < r; i += 2) {
    const double *x0 = x + (size_t)i * kk, *x1 = x0 + kk;
    double *restrict o0 = out + (size_t)i * n, *restrict o1 = o0 + n;
    for (int32_t k = 0; k < kk; k++) {
      const double a0 = x0[k], a1 = x1[k];
      const double *restrict yk = y + (size_t)k * n;
      if (a0 != 0 && a1 != 0) {
        for (int32_t j = 0; j < n; j++) { o0[j] += a0 * yk[j]; o1[j] += a1 * yk[j]; }
      } else if (a0 != 0) {
        for (int32_t j = 0; j < n; j++) o0[j] += a0 * yk[j];
      } else if (a1 != 0) {
        for (int32_t j = 0; j < n; j++) o1[j] += a1 * yk[j];
      }
    }
  }
  for (; i < r; i++) {
    const double *x0 = x + (size_t)i * kk;
    double *restrict o0 = out + (size_t)i * n;
    for (int32_t k = 0; k < kk; k++) {
      const double a0 = x0[k];
      if (a0 == 0) continue;
      const double *restrict yk = y + (size_t)k * n;
      for (int32_t j = 0; j < n; j++) o0[j] += a0 * yk[j];
    }
  }
}
