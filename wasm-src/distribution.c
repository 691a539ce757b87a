/* Stepping a probability vector along the graph: uniformisation for continuous
 * graphs (K = I + S/λ, λ ≥ every exit rate), the transition matrix itself for
 * discrete ones. Both are substochastic with nonnegative entries, so the
 * iteration cannot cancel or blow up. The step gathers along edges by target
 * (a transposed CSR: rp/src/p index incoming edges), which beats scattered stores. */
#include "kernel.h"
#include <stdint.h>
#include <stdlib.h>

/* Rows padded to a fixed width. On a graph whose in-degrees change from row to row at
 * random (random cyclic graphs: Poisson-like degrees 0–8), the inner loop's exit is a
 * branch the predictor misses about once a row, which cost half of each step; once the
 * graph is too large for the predictor to learn the pattern (≳ 8k rows), stepping every
 * row over `width` slots, unrolled, with the few longer rows' remaining edges in a
 * second short loop, is 1.6–2.4× faster (random cyclic 10k–50k, in V8 and natively). Padding
 * slots hold p = 0 and src = the row itself: adding 0·x to a sum of nonnegative terms
 * changes no bit, so both layouts give the same results. Regular graphs (rabbits: two
 * edges a row) and wide ones (coalescent: 7 a row) gain nothing and keep plain rows. */
enum { PAD_MIN_ROWS = 8192 };

struct pk_steps {
  int32_t n, width;
  /* reach[h]: while v's support lies in rows [0, h), the next vector's lies in rows
   * [0, reach[h]) (the rows that some source below h feeds, and [0, h) for the diagonal).
   * From the start vector's support the mass spreads one edge a step; on a graph numbered
   * in the order it was explored (breadth first) it fills a short prefix for many steps
   * (rabbits: 4,762 of 20,302 rows after 79 steps), and rows past the prefix are 0. */
  int32_t *reach;
  /* low[lo]: while v's support lies in rows [lo, n), the next vector's lies in rows
   * [low[lo], n): lo itself, or a lower row fed by some source ≥ lo. The steps (plain,
   * adaptive, the likelihood's levels) skip the rows below it: the coalescent's mass leaves
   * its first levels for good. */
  int32_t *low;
  /* The caller's plain rows, which step the prefix whatever the width (padding a row pays
   * only once every row is stepped), and whether each row's sources ascend
   * (pk_steps_create checks): then a row's sum over the sources below h is a prefix of
   * its edges. */
  const int32_t *plain_rp, *plain_src;
  const double *plain_p;
  int32_t ascending;
  /* Whether reach and low are this layout's (pk_steps_create) or borrowed from the layout
   * it shares them with (pk_steps_share). */
  int32_t owns_tables;
  /* width > 0: the first `width` incoming edges of row i at pad_src/pad_p[i·width …];
   * the rest in rp/src/p (owned). width 0: rp/src/p are the caller's rows. */
  int32_t *pad_src, *rp, *src;
  double *pad_p, *p;
};

int32_t steps_choose_width(int32_t n, const int32_t *in_ptr) {
  if (n < PAD_MIN_ROWS) return 0;
  int32_t count[PAD_MAX_WIDTH + 2] = {0}, changes = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t d = in_ptr[i + 1] - in_ptr[i];
    count[d > PAD_MAX_WIDTH ? PAD_MAX_WIDTH + 1 : d]++;
    if (i > 0 && d != in_ptr[i] - in_ptr[i - 1]) changes++;
  }
  /* A regular pattern is predicted well: padding would only add work. */
  if (changes < n / 2) return 0;
  /* The narrowest width that holds every edge of 90% of the rows. */
  int64_t covered = 0;
  for (int32_t w = 0; w <= PAD_MAX_WIDTH; w++) {
    covered += count[w];
    if (covered * 10 >= (int64_t)n * 9) return w;
  }
  return 0;
}

/* The edge passes of steps_tables over rows [from, to): reach[s + 1] ≥ i + 1 for each edge
 * s → i; low[top] ≤ i for each row i whose largest source is top; and whether each row's
 * sources ascend (the result). A function of its own, called for one chunk of rows after
 * another, so that a first call runs optimised code once it turns hot (see step_once). */
static __attribute__((noinline)) int32_t tables_rows(int32_t from, int32_t to, const int32_t *in_ptr, const int32_t *src, int32_t *reach,
                                                     int32_t *low) {
  int32_t ascending = 1;
  for (int32_t i = from; i < to; i++) {
    int32_t top = -1;
    for (int32_t j = in_ptr[i]; j < in_ptr[i + 1]; j++) {
      const int32_t s = src[j];
      if (reach[s + 1] < i + 1) reach[s + 1] = i + 1;
      if (s > top) top = s;
      if (j > in_ptr[i] && s < src[j - 1]) ascending = 0;
    }
    if (top >= 0 && i < low[top]) low[top] = i;
  }
  return ascending;
}

/* The tables every layout of one set of rows shares, into a fresh pk_steps over the caller's
 * plain rows; 0 when out of memory. reach[h] for h = 0 … n: the largest row each source
 * below h feeds (h itself at least; see pk_steps). low[lo] for lo = 0 … n: the first row
 * with a source ≥ lo, or lo if that comes first. And whether every row's sources ascend. */
static pk_steps *steps_tables(int32_t n, const int32_t *in_ptr, const int32_t *src) {
  enum { ROWS = 4096 };
  pk_steps *s = calloc(1, sizeof *s);
  if (!s) return 0;
  s->n = n;
  s->owns_tables = 1;
  int32_t *reach = s->reach = malloc(((size_t)n + 1) * sizeof(int32_t));
  int32_t *low = s->low = malloc(((size_t)n + 1) * sizeof(int32_t));
  if (!reach || !low) { free(reach); free(low); free(s); return 0; }
  for (int32_t x = 0; x <= n; x++) { reach[x] = x; low[x] = n; }
  s->ascending = 1;
  for (int32_t i = 0; i < n; i += ROWS) s->ascending &= tables_rows(i, n - i < ROWS ? n : i + ROWS, in_ptr, src, reach, low);
  /* Running maximum of reach from below, running minimum of low from the top. */
  for (int32_t h = 1; h <= n; h++) if (reach[h] < reach[h - 1]) reach[h] = reach[h - 1];
  for (int32_t x = n - 1; x >= 0; x--) if (low[x + 1] < low[x]) low[x] = low[x + 1];
  for (int32_t x = 0; x <= n; x++) if (x < low[x]) low[x] = x;
  s->plain_rp = in_ptr; s->plain_src = src;
  return s;
}

/* Lays s's rows out at `width` (−1: the kernel's choice) with the rates p; frees s and
 * returns 0 when out of memory. */
static pk_steps *steps_lay_out(pk_steps *s, const double *p, int32_t width) {
  const int32_t n = s->n, *in_ptr = s->plain_rp, *src = s->plain_src;
  if (width < 0) width = steps_choose_width(n, in_ptr);
  if (width > PAD_MAX_WIDTH) width = PAD_MAX_WIDTH;
  s->width = width;
  s->plain_p = p;
  if (width == 0) {
    s->rp = (int32_t *)in_ptr; s->src = (int32_t *)src; s->p = (double *)p;
    return s;
  }
  size_t slots = (size_t)n * (size_t)width, rest = 0;
  /* wasm32's size_t is 32 bits: a product that would wrap is out of memory, not a short block. */
  if (slots > SIZE_MAX / sizeof(double) / 2) { pk_steps_free(s); return 0; }
  for (int32_t i = 0; i < n; i++) { int32_t d = in_ptr[i + 1] - in_ptr[i]; if (d > width) rest += (size_t)(d - width); }
  s->pad_src = malloc((slots ? slots : 1) * sizeof(int32_t));
  s->pad_p = malloc((slots ? slots : 1) * sizeof(double));
  s->rp = malloc(((size_t)n + 1) * sizeof(int32_t));
  s->src = malloc((rest ? rest : 1) * sizeof(int32_t));
  s->p = malloc((rest ? rest : 1) * sizeof(double));
  if (!s->pad_src || !s->pad_p || !s->rp || !s->src || !s->p) { pk_steps_free(s); return 0; }
  /* The sources here; the rates, into the same slots, by steps_refill. */
  int32_t o = 0;
  s->rp[0] = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t j = in_ptr[i], end = in_ptr[i + 1];
    for (int32_t q = 0; q < width; q++, j++) s->pad_src[(size_t)i * (size_t)width + (size_t)q] = j < end ? src[j] : i;
    for (; j < end; j++, o++) s->src[o] = src[j];
    s->rp[i + 1] = o;
  }
  steps_refill(s, in_ptr, p);
  return s;
}

pk_steps *pk_steps_create(int32_t n, const int32_t *in_ptr, const int32_t *src, const double *p, int32_t width) {
  pk_steps *s = steps_tables(n, in_ptr, src);
  return s ? steps_lay_out(s, p, width) : 0;
}

pk_steps *pk_steps_share(const pk_steps *base, const double *p, int32_t width) {
  pk_steps *s = calloc(1, sizeof *s);
  if (!s) return 0;
  s->n = base->n;
  s->reach = base->reach; s->low = base->low; /* borrowed: base frees them */
  s->plain_rp = base->plain_rp; s->plain_src = base->plain_src;
  s->ascending = base->ascending;
  return steps_lay_out(s, p, width);
}

int32_t pk_steps_width(const pk_steps *s) { return s->width; }

int32_t pk_steps_reach(const pk_steps *s, int32_t h) { return h < 0 ? 0 : h > s->n ? s->n : s->reach[h]; }

void pk_steps_free(pk_steps *s) {
  if (!s) return;
  if (s->owns_tables) { free(s->reach); free(s->low); }
  if (s->width > 0) { free(s->pad_src); free(s->pad_p); free(s->rp); free(s->src); free(s->p); }
  free(s);
}

/* One step: next = cur·K over rows [0, n), with Σ next·exit and Σ next summed as next is made
 * (i ascending); the caller knows the rows past n are 0 and stay so.
 * A function of its own, not inlined: V8 runs a WebAssembly function in baseline code until
 * it turns hot and never switches a call that is running, so a first long run of steps
 * made inside one call stayed baseline to its end (plain uniformisation, coalescent n = 35,
 * first pdf ×100: 2.5 s against 0.95 s once optimised). A step called per step is swapped
 * for optimised code as soon as it turns hot. One copy per padded width, each with its
 * slots unrolled (the build's -fno-unroll-loops would leave a loop of `width` turns). */
#define STEP_ONCE(NAME, W)                                                                                       \
  static __attribute__((noinline)) void NAME(const pk_steps *s, const double *stay, const double *exit,          \
                                             const double *cur, double *next, double *sums, int32_t from,        \
                                             int32_t n) {                                                        \
    const int32_t *rp = s->rp, *src = s->src, *pad_src = s->pad_src;                                              \
    const double *p = s->p, *pad_p = s->pad_p;                                                                   \
    double sa = 0, sb = 0;                                                                                       \
    for (int32_t i = from; i < n; i++) {                                                                         \
      double acc = cur[i] * stay[i];                                                                             \
      UNROLLED for (int32_t q = 0; q < (W); q++)                                       \
        acc += pad_p[(size_t)i * (W) + q] * cur[pad_src[(size_t)i * (W) + q]];                                   \
      for (int32_t j = rp[i]; j < rp[i + 1]; j++) acc += p[j] * cur[src[j]];                                     \
      /* Below 1e-290 a probability is flushed before it turns subnormal: subnormal                            \
       * arithmetic is tens of times slower and WebAssembly cannot flush them itself. */                       \
      acc = acc < 1e-290 ? 0 : acc;                                                                              \
      next[i] = acc;                                                                                             \
      sa += acc * exit[i];                                                                                       \
      sb += acc;                                                                                                 \
    }                                                                                                            \
    sums[0] = sa;                                                                                                \
    sums[1] = sb;                                                                                                \
  }
STEP_ONCE(step_rows, 0)
STEP_ONCE(step_pad1, 1)
STEP_ONCE(step_pad2, 2)
STEP_ONCE(step_pad3, 3)
STEP_ONCE(step_pad4, 4)

/* step_rows while the mass fills a prefix [0, h) of the rows: each row's edges end at its
 * first source ≥ h (sources ascend), so a row fed from far sources that hold no mass yet
 * (rabbits: a flooded island's row has an edge from every state with the other island's
 * count) reads only the few that can. The terms left out are 0·p = +0: the same bits. */
static __attribute__((noinline)) void step_prefix(const pk_steps *s, const double *stay, const double *exit,
                                                  const double *cur, double *next, double *sums, int32_t from, int32_t n, int32_t h) {
  const int32_t *rp = s->plain_rp, *src = s->plain_src;
  const double *p = s->plain_p;
  double sa = 0, sb = 0;
  for (int32_t i = from; i < n; i++) {
    double acc = cur[i] * stay[i];
    for (int32_t j = rp[i]; j < rp[i + 1] && src[j] < h; j++) acc += p[j] * cur[src[j]];
    acc = acc < 1e-290 ? 0 : acc;
    next[i] = acc;
    sa += acc * exit[i];
    sb += acc;
  }
  sums[0] = sa;
  sums[1] = sb;
}

typedef void (*step_fn)(const pk_steps *, const double *, const double *, const double *, double *, double *, int32_t, int32_t);

static step_fn step_for(const pk_steps *s) {
  return s->width == 1 ? step_pad1 : s->width == 2 ? step_pad2 : s->width == 3 ? step_pad3 : s->width == 4 ? step_pad4 : step_rows;
}

/* Off only in tests and benchmarks: every row stepped, the baseline the prefix is measured against. */
static int32_t prefix_on = 1;
void pk_set_step_prefix(int32_t on) { prefix_on = on != 0; }

int32_t steps_first_rows(const pk_steps *s, int32_t h) {
  return prefix_on && s->ascending && h >= 0 && h < s->n ? h : s->n;
}

int32_t steps_low(const pk_steps *s, int32_t lo) {
  return prefix_on && lo > 0 ? s->low[lo < s->n ? lo : s->n] : 0;
}

/* The first row in [from, to) where v holds mass (to if none); 0 when every row is stepped.
 * Searched from the band's start, where it nearly always is. */
static int32_t first_mass(const double *v, int32_t from, int32_t to) {
  if (!prefix_on) return 0;
  while (from < to && v[from] == 0) from++;
  return from;
}

int32_t steps_step_from(const pk_steps *s, const double *stay, const double *weight, const double *cur, double *next, double *sums, int32_t h) {
  if (h >= s->n) { step_for(s)(s, stay, weight, cur, next, sums, 0, s->n); return s->n; }
  const int32_t rows = s->reach[h], band = s->reach[rows];
  step_prefix(s, stay, weight, cur, next, sums, 0, rows, h);
  /* The rows the step after reads on its diagonal, beyond those made: 0. */
  for (int32_t i = rows; i < band; i++) next[i] = 0;
  return rows;
}

void steps_refill(pk_steps *s, const int32_t *in_ptr, const double *p) {
  const int32_t width = s->width;
  if (width == 0) return;
  int32_t o = 0;
  for (int32_t i = 0; i < s->n; i++) {
    int32_t j = in_ptr[i], end = in_ptr[i + 1];
    for (int32_t q = 0; q < width; q++, j++) s->pad_p[(size_t)i * (size_t)width + (size_t)q] = j < end ? p[j] : 0.0;
    for (; j < end; j++, o++) s->p[o] = p[j];
  }
}

int32_t pk_step_distribution(const pk_steps *s, const double *stay, const double *exit, double *v, double *tmp,
                             int32_t steps, double *a, double *b, double stop_mass) {
  /* Records a[k] = v_k·exit and b[k] = Σv_k for the current v, then advances it, `steps`
   * times; stops early (returning how many were recorded) once the surviving mass
   * is below stop_mass, after which everything is 0 to the tolerance. The final
   * state is left in the caller's v, so calls can be chained chunk by chunk. */
  const step_fn step = step_for(s);
  const int32_t n = s->n;
  double *cur = v, *next = tmp;
  /* Only the rows the mass can have reached are stepped: v is 0 from row h on, and tmp is
   * made so; each step reaches s->reach[h] rows, and the rows past it stay 0 in both
   * vectors. A row left out would have summed only zeros (+0, the same bits). */
  int32_t h = n;
  while (prefix_on && h > 0 && cur[h - 1] == 0) h--;
  for (int32_t i = h; i < n; i++) next[i] = 0;
  /* Nor are the rows below the first that can hold mass (see pk_steps' low): cur is 0 below
   * lo, and each vector below its `clean` row (tmp is the caller's scratch: none). */
  int32_t lo = first_mass(cur, 0, h), clean_cur = lo, clean_next = 0;
  /* a_k and b_k of each new vector are summed while it is made (in the same order, i
   * ascending, as a separate pass would): one pass over the vertices per step, not two. */
  double sa = 0, sb = 0;
  for (int32_t i = 0; i < h; i++) { sa += cur[i] * exit[i]; sb += cur[i]; }
  int32_t k = 0;
  for (; k < steps; k++) {
    a[k] = sa;
    b[k] = sb;
    if (sb < stop_mass) { k++; break; }
    double sums[2];
    const int32_t rows = s->reach[h], from = steps_low(s, lo);
    for (int32_t i = clean_next; i < from; i++) next[i] = 0;
    if (h < n && s->ascending) step_prefix(s, stay, exit, cur, next, sums, from, rows, h);
    else step(s, stay, exit, cur, next, sums, from, rows);
    h = rows;
    sa = sums[0]; sb = sums[1];
    lo = first_mass(next, from, rows);
    clean_next = clean_cur;
    clean_cur = from;
    double *t = cur; cur = next; next = t;
  }
  if (cur != v) for (int32_t i = 0; i < n; i++) v[i] = cur[i];
  return k;
}

/* One adaptive step at 1/λ = inv (see pk_step_adaptive) over rows [from, n), each row's edges
 * read up to its first source ≥ h (as step_prefix). */
static __attribute__((noinline)) void adaptive_once(int32_t from, int32_t n, const int32_t *rp, const int32_t *src, const double *w,
                                                    const double *rate, const double *exit, const double *cur, double *next,
                                                    double inv, double win, double flush, double *out, int32_t h) {
  double sa = 0, sb = 0, l = 0, lost = out[3];
  for (int32_t i = from; i < n; i++) {
    double in = 0;
    for (int32_t j = rp[i]; j < rp[i + 1] && src[j] < h; j++) in += w[j] * cur[src[j]];
    double stay = 1.0 - rate[i] * inv;
    double acc = (stay > 0 ? cur[i] * stay : 0) + in * win;
    if (acc < flush) { lost += acc; acc = 0; }
    next[i] = acc;
    if (acc != 0) { sa += acc * exit[i]; sb += acc; if (rate[i] > l) l = rate[i]; }
  }
  out[0] = sa; out[1] = sb; out[2] = l; out[3] = lost;
}

int32_t pk_step_adaptive(const pk_steps *s, const double *w,
                         double w_scale, const double *rate, const double *exit, double *v, double *tmp,
                         int32_t steps, double *a, double *b, double *lam, double stop_mass,
                         double flush, double *dropped) {
  /* Adaptive uniformisation (van Moorsel & Sanders 1994): step k uses the largest
   * exit rate among the states that hold mass now, lam[k], instead of the largest in
   * the whole graph, so a chain whose mass leaves its fast states steps at the pace of
   * the states it is actually in. K_k = I + S/lam[k] is substochastic on v_k's
   * support (every rate there is ≤ lam[k]); off the support v is 0 and its (possibly
   * negative) diagonal is never used. Entries below `flush` are dropped, which lets
   * the support shrink; the dropped mass is summed into *dropped so the caller can
   * bound its effect. Same chunking and stopping as pk_step_distribution, and, as there,
   * only the rows the mass can have reached are stepped (the coalescent steps level by
   * level, each step inside the prefix of the levels reached: about 30% of its rows). */
  const int32_t n = s->n, *rp = s->plain_rp, *src = s->plain_src;
  double *cur = v, *next = tmp, lost = 0;
  int32_t h = n;
  while (prefix_on && s->ascending && h > 0 && cur[h - 1] == 0) h--;
  for (int32_t i = h; i < n; i++) next[i] = 0;
  /* As in pk_step_distribution, a_k, b_k and lam[k] of each new vector are gathered while
   * it is made, in the same order: one pass over the vertices per step. */
  double sa = 0, sb = 0, l = 0;
  for (int32_t i = 0; i < n; i++) {
    double x = cur[i];
    if (x != 0) { sa += x * exit[i]; sb += x; if (rate[i] > l) l = rate[i]; }
  }
  /* The rows below the band are set to 0, not stepped, as in pk_step_distribution. */
  int32_t lo = first_mass(cur, 0, n), clean_cur = lo, clean_next = 0;
  int32_t k = 0;
  for (; k < steps; k++) {
    a[k] = sa;
    b[k] = sb;
    lam[k] = l;
    if (sb < stop_mass || l == 0) { k++; break; }
    double out[4] = {0, 0, 0, lost};
    const int32_t rows = s->reach[h], from = steps_low(s, lo);
    for (int32_t i = clean_next; i < from; i++) next[i] = 0;
    adaptive_once(from, rows, rp, src, w, rate, exit, cur, next, 1.0 / l, w_scale / l, flush, out, h);
    h = rows;
    sa = out[0]; sb = out[1]; l = out[2]; lost = out[3];
    lo = first_mass(next, from, rows);
    clean_next = clean_cur;
    clean_cur = from;
    double *t = cur; cur = next; next = t;
  }
  if (cur != v) for (int32_t i = 0; i < n; i++) v[i] = cur[i];
  *dropped += lost;
  return k;
}

/* The step pattern of a CSR (src/distributions/step-pattern.ts): the transient vertices
 * (v ≥ 1 with an edge out) renumbered in vertex order, their incoming transient edges by
 * target, and their edges out of the transient part. Made here, once per structure, on a
 * first call: a long JS loop there runs in V8's unoptimised tiers (coalescent n = 50, three
 * million edges: 87–113 ms). The per-row work is a function of its own for the same reason
 * (see step_once): V8 swaps in optimised WebAssembly between calls, never during one.
 * pk_step_pattern_count fills index[n] and sizes[3] = {count, incoming edges, exit edges};
 * pk_step_pattern_fill writes the rest into arrays of those sizes (fill: count scratch ints). */
static __attribute__((noinline)) void count_row(const int32_t *col, int32_t from, int32_t to, const int32_t *index, int32_t *in_ptr, int64_t *counts) {
  for (int32_t j = from; j < to; j++) {
    int32_t t = index[col[j]];
    if (t < 0) counts[1]++;
    else if (in_ptr) in_ptr[t + 1]++;
    else counts[0]++;
  }
}

int32_t pk_step_pattern_count(int32_t n, const int32_t *rp, const int32_t *col, int32_t *index, int32_t *sizes) {
  int32_t count = 0;
  int64_t counts[2] = {0, 0};
  if (n > 0) index[0] = -1;
  for (int32_t v = 1; v < n; v++) index[v] = rp[v + 1] > rp[v] ? count++ : -1;
  for (int32_t v = 1; v < n; v++) if (index[v] >= 0) count_row(col, rp[v], rp[v + 1], index, 0, counts);
  sizes[0] = count;
  sizes[1] = (int32_t)counts[0];
  sizes[2] = (int32_t)counts[1];
  return count;
}

static __attribute__((noinline)) int32_t fill_row(const int32_t *col, int32_t from, int32_t to, const int32_t *index, int32_t i, int32_t *fill,
                                                  int32_t *src, int32_t *edge_of, int32_t *exit_edge, int32_t e) {
  for (int32_t j = from; j < to; j++) {
    int32_t t = index[col[j]];
    if (t >= 0) { int32_t r = fill[t]++; src[r] = i; edge_of[r] = j; }
    else exit_edge[e++] = j;
  }
  return e;
}

void pk_step_pattern_fill(int32_t n, const int32_t *rp, const int32_t *col, const int32_t *index, int32_t count, int32_t *vertex_of,
                          int32_t *in_ptr, int32_t *src, int32_t *edge_of, int32_t *exit_ptr, int32_t *exit_edge, int32_t *fill) {
  for (int32_t i = 0; i <= count; i++) in_ptr[i] = 0;
  exit_ptr[0] = 0;
  for (int32_t v = 1, i = 0; v < n; v++) {
    if (index[v] < 0) continue;
    vertex_of[i] = v;
    int64_t counts[2] = {0, 0};
    count_row(col, rp[v], rp[v + 1], index, in_ptr, counts);
    exit_ptr[i + 1] = exit_ptr[i] + (int32_t)counts[1];
    i++;
  }
  for (int32_t i = 0; i < count; i++) in_ptr[i + 1] += in_ptr[i];
  for (int32_t i = 0; i < count; i++) fill[i] = in_ptr[i];
  for (int32_t i = 0, e = 0; i < count; i++) {
    int32_t v = vertex_of[i];
    e = fill_row(col, rp[v], rp[v + 1], index, i, fill, src, edge_of, exit_edge, e);
  }
}

/* p[r] = w[edge_of[r]] / scale for r in [0, nnz): a stepping matrix's rates gathered from a
 * CSR's rates at θ into its step pattern (stepper.ts). Chunks of a function of their own, so
 * that V8 swaps in optimised code during a first long gather (see step_once). */
static __attribute__((noinline)) void gather_chunk(int32_t from, int32_t to, const int32_t *edge_of, const double *w, double scale, double *p) {
  for (int32_t r = from; r < to; r++) p[r] = w[edge_of[r]] / scale;
}

void pk_step_gather(int32_t nnz, const int32_t *edge_of, const double *w, double scale, double *p) {
  enum { CHUNK = 16384 };
  for (int32_t r = 0; r < nnz; r += CHUNK) gather_chunk(r, nnz - r < CHUNK ? nnz : r + CHUNK, edge_of, w, scale, p);
}
