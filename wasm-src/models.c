/* The built-in models' state spaces, explored in the kernel: breadth-first from
 * the start, states in one flat array found through an open-addressing
 * table, out-edges of each vertex sorted by target and merged as they are made,
 * so what comes out is already the canonical CSR (src/graph/structure.ts) and
 * TypeScript adopts it without a per-edge object or a sort. The vertex order is
 * the same as exploring with Graph.fromCallback and the models' TS callbacks.
 * Work is done in slices (pk_model_explore's budget) so the caller can report
 * progress and honour an abort between them. */
#include "kernel.h"
#include <stdlib.h>
#include <string.h>

enum { MODEL_COALESCENT = 1, MODEL_RABBITS = 2 };
typedef struct { int32_t kind, size, L, p; } model_spec;

struct pk_model {
  model_spec m;
  int32_t nv, cap_v, ne, cap_e, next; /* next: the vertex to explore */
  int32_t max_vertices;
  /* States as `width`-byte integers: 1 for the coalescent (its counts are at most n ≤ 255),
   * 4 for rabbits. A lookup that finds its state compares it whole: at n = 40 with int32
   * counts, those compares (160 bytes each, 470,000 lookups) took a third of the build. */
  uint8_t *states; int32_t width; size_t stride;
  int32_t *rp, *col;
  double *base, *coef;
  /* Open addressing: each slot holds a vertex's hash (high half) and its index + 1 (low
   * half; 0 empty), so a probe compares hashes without reading a per-vertex array. */
  uint64_t *table; uint32_t mask;
  uint32_t *hashes; /* per vertex */
  /* Scratch for one vertex's transitions: at most n for the coalescent (the m classes
   * present pair up m(m+1)/2 ways, and Σ (i+1)·s_i = n forces m(m+1)/2 ≤ n), 4 for rabbits. */
  int32_t *tstate, *ttarget, *torder; double *tcoef, *tbase; uint32_t *thash; int32_t tcap;
  /* The coalescent's transitions as patches of the source state (classes i ≤ j merge into
   * i + j + 1), applied to one copy of it, `cur`, while each target is looked up: copying
   * the whole state per transition (n integers, 470,000 times at n = 40) cost more than
   * the lookups. `patched` says which form the scratch holds. */
  int32_t *tpi, *tpj, *cur; int32_t patched;
  uint8_t *ckey; /* a state in stored form: the coalescent's `cur`, patched alongside it */
  /* The coalescent's hash terms, term(i, x) at i·(n + 1) + x for counts x ≤ n: a load each
   * instead of a mix (five or six per transition). */
  uint32_t *terms;
};

/* A state's hash is a sum of one mixed term per position, so a transition that changes
 * three positions updates its source's hash in O(1) instead of rehashing n integers
 * (that was half the build time of the coalescent at n = 40). The sum is mixed once
 * more to pick a slot. */
static uint32_t fmix(uint32_t h) {
  h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}
static uint32_t term(int32_t pos, int32_t x) {
  return fmix((uint32_t)pos * 0x9e3779b1u + (uint32_t)x * 0x27d4eb2fu + 0x165667b1u);
}
static uint32_t hash_state(const int32_t *s, int32_t L) {
  uint32_t h = 0;
  for (int32_t i = 0; i < L; i++) h += term(i, s[i]);
  return h;
}
/* An int32 state in the stored form (at `width` bytes a count). */
static void store_state(const pk_model *g, const int32_t *s, uint8_t *out) {
  if (g->width == 4) { memcpy(out, s, g->stride); return; }
  for (int32_t i = 0; i < g->m.L; i++) out[i] = (uint8_t)s[i];
}
static void load_state(const pk_model *g, const uint8_t *in, int32_t *s) {
  if (g->width == 4) { memcpy(s, in, g->stride); return; }
  for (int32_t i = 0; i < g->m.L; i++) s[i] = in[i];
}

/* Rehashes the table into `size` slots (a power of two above twice the vertices). */
static int resize_table(pk_model *g, uint32_t size) {
  uint64_t *t = calloc(size, sizeof(uint64_t));
  if (!t) return -1;
  for (uint32_t i = 0; i <= g->mask; i++) {
    uint64_t e = g->table[i];
    if (!e) continue;
    uint32_t slot = fmix((uint32_t)(e >> 32)) & (size - 1);
    while (t[slot]) slot = (slot + 1) & (size - 1);
    t[slot] = e;
  }
  free(g->table);
  g->table = t;
  g->mask = size - 1;
  return 0;
}
static int grow_table(pk_model *g) { return resize_table(g, (g->mask + 1) * 2); }

static int reserve_vertices(pk_model *g, int32_t cap) {
  uint8_t *st = realloc(g->states, (size_t)cap * g->stride);
  if (!st) return -1;
  g->states = st;
  int32_t *rp = realloc(g->rp, (size_t)(cap + 1) * sizeof(int32_t));
  if (!rp) return -1;
  g->rp = rp;
  uint32_t *hs = realloc(g->hashes, (size_t)cap * sizeof(uint32_t));
  if (!hs) return -1;
  g->hashes = hs;
  g->cap_v = cap;
  return 0;
}

/* The vertex of state s (stored form, hash h), added if new; -1 out of memory, -2 past max_vertices. */
static int32_t find_or_add(pk_model *g, const uint8_t *s, uint32_t h) {
  const size_t stride = g->stride;
  uint32_t slot = fmix(h) & g->mask;
  for (;; slot = (slot + 1) & g->mask) {
    uint64_t e = g->table[slot];
    if (!e) break;
    int32_t v = (int32_t)(uint32_t)e - 1;
    if ((uint32_t)(e >> 32) == h && pk_same_bytes(g->states + (size_t)v * stride, s, stride)) return v;
  }
  if (g->nv >= g->max_vertices) return -2;
  if (g->nv == g->cap_v && reserve_vertices(g, g->cap_v * 2)) return -1;
  int32_t v = g->nv++;
  memcpy(g->states + (size_t)v * stride, s, stride);
  g->hashes[v] = h;
  g->table[slot] = ((uint64_t)h << 32) | (uint32_t)(v + 1);
  if (2u * (uint32_t)g->nv > g->mask + 1 && grow_table(g)) return -1;
  return v;
}

/* Writes state s's transitions into the scratch (next states, rate coefficients); returns how many. */
static int32_t transitions(pk_model *g, const int32_t *s, uint32_t h) {
  int32_t L = g->m.L, p = g->m.p, k = 0;
  g->patched = g->m.kind == MODEL_COALESCENT;
  if (g->m.kind == MODEL_COALESCENT) {
    /* Only the classes present pair up: at most about √(2n) of the n positions. */
    int32_t *present = g->ttarget, count = 0;
    const uint32_t *T = g->terms;
    const int32_t w = g->m.size + 1;
    for (int32_t i = 0; i < L; i++) if (s[i]) present[count++] = i;
    for (int32_t x = 0; x < count; x++) {
      int32_t i = present[x];
      for (int32_t y = x; y < count; y++) {
        int32_t j = present[y];
        double pairs = i == j ? 0.5 * (double)s[i] * (double)(s[i] - 1) : (double)s[i] * (double)s[j];
        if (pairs == 0) continue;
        int32_t m = i + j + 1;
        int32_t ti = s[i] - (i == j ? 2 : 1), tm = s[m] + 1;
        uint32_t d = h - T[i * w + s[i]] + T[i * w + ti] - T[m * w + s[m]] + T[m * w + tm];
        if (j != i) d += T[j * w + s[j] - 1] - T[j * w + s[j]];
        g->tpi[k] = i;
        g->tpj[k] = j;
        g->thash[k] = d;
        g->tcoef[k] = pairs;
        g->tbase[k] = 0;
        k++;
      }
    }
  } else {
    int32_t a = s[0], b = s[1];
    int32_t next[4][2] = {{a - 1, b + 1}, {0, b}, {a + 1, b - 1}, {a, 0}};
    int32_t param[4] = {0, 1, 0, 2};
    for (int32_t r = 0; r < 4; r++) {
      if ((r < 2 && a <= 0) || (r >= 2 && b <= 0)) continue;
      memcpy(g->tstate + (size_t)k * L, next[r], 2 * sizeof(int32_t));
      g->thash[k] = hash_state(next[r], 2);
      for (int32_t q = 0; q < p; q++) g->tcoef[(size_t)k * p + q] = q == param[r];
      g->tbase[k] = 0;
      k++;
    }
  }
  return k;
}

static int resize_edges(pk_model *g, int32_t cap) {
  int32_t *col = realloc(g->col, (size_t)cap * sizeof(int32_t));
  if (!col) return -1;
  g->col = col;
  double *base = realloc(g->base, (size_t)cap * sizeof(double));
  if (!base) return -1;
  g->base = base;
  double *coef = realloc(g->coef, (size_t)cap * (g->m.p ? g->m.p : 1) * sizeof(double));
  if (!coef) return -1;
  g->coef = coef;
  g->cap_e = cap;
  return 0;
}

static int reserve_edges(pk_model *g, int32_t more) {
  if (g->ne + more <= g->cap_e) return 0;
  int32_t cap = g->cap_e;
  while (cap < g->ne + more) cap *= 2;
  return resize_edges(g, cap);
}

/* Appends vertex v's k scratch transitions as canonical edges: targets sorted, parallel merged. */
static int32_t emit(pk_model *g, int32_t v, int32_t k) {
  int32_t L = g->m.L, p = g->m.p;
  uint8_t *key = g->ckey;
  /* find_or_add may move the states array: the source state is copied first. */
  if (g->patched) memcpy(key, g->states + (size_t)v * g->stride, g->stride);
  for (int32_t r = 0; r < k; r++) {
    int32_t t;
    if (g->patched) {
      int32_t i = g->tpi[r], j = g->tpj[r], m = i + j + 1;
      key[i]--; key[j]--; key[m]++;
      t = find_or_add(g, key, g->thash[r]);
      key[i]++; key[j]++; key[m]--;
    } else {
      store_state(g, g->tstate + (size_t)r * L, key);
      t = find_or_add(g, key, g->thash[r]);
    }
    if (t < 0) return t;
    if (t == 0) return -3; /* the start state was reached */
    g->ttarget[r] = t;
    g->torder[r] = r;
  }
  for (int32_t r = 1; r < k; r++) { /* insertion sort: a vertex has few out-edges */
    int32_t x = g->torder[r], q = r;
    while (q > 0 && g->ttarget[g->torder[q - 1]] > g->ttarget[x]) { g->torder[q] = g->torder[q - 1]; q--; }
    g->torder[q] = x;
  }
  if (reserve_edges(g, k)) return -1;
  int32_t first = g->ne;
  for (int32_t q = 0; q < k; q++) {
    int32_t r = g->torder[q], t = g->ttarget[r];
    if (g->ne > first && g->col[g->ne - 1] == t) {
      g->base[g->ne - 1] += g->tbase[r];
      for (int32_t i = 0; i < p; i++) g->coef[(size_t)(g->ne - 1) * p + i] += g->tcoef[(size_t)r * p + i];
      continue;
    }
    g->col[g->ne] = t;
    g->base[g->ne] = g->tbase[r];
    for (int32_t i = 0; i < p; i++) g->coef[(size_t)g->ne * p + i] = g->tcoef[(size_t)r * p + i];
    g->ne++;
  }
  g->rp[v + 1] = g->ne;
  return 0;
}

pk_model *pk_model_create(int32_t kind, int32_t size, int32_t max_vertices) {
  model_spec m = {kind, size, 0, 0};
  int32_t tcap;
  /* The coalescent's counts fit a byte: TypeScript refuses n whose p(n) + 1 states pass the
   * vertex cap long before n = 255. */
  if (kind == MODEL_COALESCENT && size >= 2 && size <= 255) { m.L = size; m.p = 1; tcap = size; }
  else if (kind == MODEL_RABBITS && size >= 1) { m.L = 2; m.p = 3; tcap = 4; }
  else return 0;
  pk_model *g = calloc(1, sizeof(pk_model));
  if (!g) return 0;
  g->m = m;
  g->max_vertices = max_vertices;
  g->width = kind == MODEL_COALESCENT ? 1 : 4;
  g->stride = (size_t)m.L * (size_t)g->width;
  g->cap_v = 1024; g->cap_e = 4096; g->tcap = tcap; g->mask = 2047;
  g->states = malloc((size_t)g->cap_v * g->stride);
  g->rp = calloc((size_t)g->cap_v + 1, sizeof(int32_t));
  g->col = malloc((size_t)g->cap_e * sizeof(int32_t));
  g->base = malloc((size_t)g->cap_e * sizeof(double));
  g->coef = malloc((size_t)g->cap_e * m.p * sizeof(double));
  g->table = calloc(g->mask + 1, sizeof(uint64_t));
  g->tstate = malloc((size_t)tcap * m.L * sizeof(int32_t));
  g->ttarget = malloc((size_t)tcap * sizeof(int32_t));
  g->torder = malloc((size_t)tcap * sizeof(int32_t));
  g->tcoef = malloc((size_t)tcap * m.p * sizeof(double));
  g->tbase = malloc((size_t)tcap * sizeof(double));
  g->thash = malloc((size_t)tcap * sizeof(uint32_t));
  g->hashes = malloc((size_t)g->cap_v * sizeof(uint32_t));
  g->tpi = malloc((size_t)tcap * sizeof(int32_t));
  g->tpj = malloc((size_t)tcap * sizeof(int32_t));
  g->cur = malloc((size_t)m.L * sizeof(int32_t));
  g->ckey = malloc(g->stride);
  if (kind == MODEL_COALESCENT && (g->terms = malloc((size_t)m.L * (size + 1) * sizeof(uint32_t))))
    for (int32_t i = 0; i < m.L; i++) for (int32_t x = 0; x <= size; x++) g->terms[i * (size + 1) + x] = term(i, x);
  if (!g->tpi || !g->tpj || !g->cur || !g->ckey || (kind == MODEL_COALESCENT && !g->terms) ||
      !g->thash || !g->hashes || !g->states || !g->rp || !g->col || !g->base || !g->coef || !g->table || !g->tstate || !g->ttarget || !g->torder || !g->tcoef || !g->tbase) {
    pk_model_free(g);
    return 0;
  }
  /* Vertex 0: the start, with a state never reached; one edge (rate 1) to the first state. */
  int32_t *start = g->tstate;
  if (kind == MODEL_COALESCENT) { memset(start, 0, (size_t)m.L * sizeof(int32_t)); }
  else { start[0] = -1; start[1] = -1; }
  store_state(g, start, g->ckey);
  find_or_add(g, g->ckey, hash_state(start, m.L));
  int32_t *first = g->tstate;
  if (kind == MODEL_COALESCENT) { memset(first, 0, (size_t)m.L * sizeof(int32_t)); first[0] = size; }
  else { first[0] = size; first[1] = 0; }
  memset(g->tcoef, 0, (size_t)m.p * sizeof(double));
  g->tbase[0] = 1;
  g->thash[0] = hash_state(first, m.L);
  if (emit(g, 0, 1)) { pk_model_free(g); return 0; }
  g->next = 1;
  return g;
}

/* Sizes the arrays and the table for the vertices and edges the caller expects (the vertex
 * count of the models is known in closed form): growing them by doubling touched and copied
 * about twice the memory the state space ends in. 0, or -1 out of memory (nothing lost). */
int32_t pk_model_reserve(pk_model *g, int32_t vertices, int32_t edges) {
  if (vertices > g->cap_v && reserve_vertices(g, vertices)) return -1;
  uint32_t size = g->mask + 1;
  while (size < (uint32_t)1 << 30 && size < 2u * (uint32_t)vertices + 2) size *= 2;
  if (size > g->mask + 1 && resize_table(g, size)) return -1;
  if (edges > g->cap_e && resize_edges(g, edges)) return -1;
  return 0;
}

/* One vertex's transitions appended. Not inlined: V8 runs a long first call in baseline
 * code to its end, but a small function called per vertex is swapped for optimised code
 * as soon as it turns hot, mid-call (Chromium, coalescent n = 40 in a fresh worker: 118 ms
 * inlined in one run, 41-114 ms not in a dozen; 38-71 ms with optimised code forced). */
__attribute__((noinline)) static int32_t explore_vertex(pk_model *g, int32_t v) {
  /* transitions() reads the state's counts as int32 (`cur`); emit() may move the states array, but reads the scratch. */
  load_state(g, g->states + (size_t)v * g->stride, g->cur);
  int32_t k = transitions(g, g->cur, g->hashes[v]);
  return emit(g, v, k);
}

int32_t pk_model_explore(pk_model *g, int32_t budget) {
  /* Explores up to `budget` vertices; 1 when the state space is complete, 0 when there
   * is more, -1 out of memory, -2 more than max_vertices states. */
  for (int32_t done = 0; g->next < g->nv && done < budget; done++, g->next++) {
    int32_t r = explore_vertex(g, g->next);
    if (r) return r;
  }
  return g->next >= g->nv ? 1 : 0;
}

int32_t pk_model_count(const pk_model *g, int32_t what) {
  return what == 0 ? g->nv : what == 1 ? g->ne : what == 2 ? g->m.L : what == 3 ? g->m.p : what == 5 ? g->width : g->next;
}
/* The states, nv × L integers of pk_model_count(g, 5) bytes each (unsigned when 1). */
uint8_t *pk_model_states(const pk_model *g) { return g->states; }
int32_t *pk_model_rp(const pk_model *g) { return g->rp; }
int32_t *pk_model_col(const pk_model *g) { return g->col; }
double *pk_model_base(const pk_model *g) { return g->base; }
double *pk_model_coef(const pk_model *g) { return g->coef; }

/* Frees what only exploring needs (the states, the lookup table, the scratch), keeping the
 * CSR (rp, col, base, coef): a finished model's arrays then serve as its structure's
 * parameterisation in kernel memory, with nothing copied in. pk_model_free frees the rest. */
void pk_model_drop_search(pk_model *g) {
  free(g->states); free(g->table); free(g->hashes);
  free(g->tstate); free(g->ttarget); free(g->torder); free(g->tcoef); free(g->tbase); free(g->thash);
  free(g->tpi); free(g->tpj); free(g->cur); free(g->ckey); free(g->terms);
  g->states = 0; g->table = 0; g->hashes = 0;
  g->tstate = g->ttarget = g->torder = 0; g->tcoef = g->tbase = 0; g->thash = 0;
  g->tpi = g->tpj = g->cur = 0; g->ckey = 0; g->terms = 0;
}

void pk_model_free(pk_model *g) {
  if (!g) return;
  free(g->states); free(g->rp); free(g->col); free(g->base); free(g->coef); free(g->table);
  free(g->tstate); free(g->ttarget); free(g->torder); free(g->tcoef); free(g->tbase); free(g->thash); free(g->hashes);
  free(g->tpi); free(g->tpj); free(g->cur); free(g->ckey); free(g->terms);
  free(g);
}
