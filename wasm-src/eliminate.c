/* Graph elimination (Røikjer, Hobolth & Munch 2022), blocked by strongly
 * connected components, optionally recorded as a trace.
 *
 * Components are visited sinks first (Tarjan finishes them in that order), so
 * when a component is reached the expected rewards of everything it can exit
 * to are already final: cross-component edges become plain `x[v] += P·x[c]`
 * commands and never cause fill-in. Inside a component, vertices are eliminated
 * one by one, in Markowitz's pivot order (below). A vertex that gained self-loops
 * p→i→p is renormalised the GTH way when it is eliminated itself (1 − q computed
 * as the sum of p's other exit probabilities, a sum of positive terms) instead of
 * by 1/(1 − q), which cancels badly when q is near 1.
 *
 * Every arithmetic step goes through the num helpers below, which also append
 * the step to a tape when recording: the trace is this very elimination, not a
 * second implementation of it. Which steps happen depends only on the graph's
 * structure, never on the weights, so the tape is valid for any weights. */
#include "kernel.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

/* A value and, when recording, the tape slot that holds it. */
typedef struct { double v; int32_t s; } num;
typedef struct { int32_t c; num p; } arc;

/* One vertex of the component under elimination: sorted out-arcs to other
 * members (by elimination position), its parents, and its exit probability. */
typedef struct {
  arc *arcs; int32_t len, cap;
  int32_t *par; int32_t plen, pcap;
  num exit;
  /* Which of arcs and par (OWN_ARCS, OWN_PAR) were allocated for this member alone; the others
   * lie in the component's slab, sized to the arcs it starts with. */
  int32_t own;
} member;
enum { OWN_ARCS = 1, OWN_PAR = 2 };

static int32_t tape_push(pk_elim *e, uint32_t op, int32_t a, int32_t b, int32_t c) {
  if (e->nops == e->opcap) {
    int32_t cap = e->opcap ? e->opcap * 2 : 4096;
    uint32_t *ops = realloc(e->ops, (size_t)cap * 4 * sizeof *ops);
    if (!ops) { e->oom = 1; return -1; }
    e->ops = ops;
    e->opcap = cap;
  }
  uint32_t *o = e->ops + 4 * (size_t)e->nops;
  o[0] = op; o[1] = (uint32_t)a; o[2] = (uint32_t)b; o[3] = (uint32_t)c;
  return e->ninputs + 1 + e->nops++;
}

static inline num add(pk_elim *e, num a, num b) {
  num r = { a.v + b.v, -1 };
  if (e->record) r.s = tape_push(e, PK_OP_ADD, a.s, b.s, 0);
  return r;
}
static inline num mul(pk_elim *e, num a, num b) {
  num r = { a.v * b.v, -1 };
  if (e->record) r.s = tape_push(e, PK_OP_MUL, a.s, b.s, 0);
  return r;
}
static inline num fma_(pk_elim *e, num a, num b, num c) {
  num r = { a.v + b.v * c.v, -1 };
  if (e->record) r.s = tape_push(e, PK_OP_FMA, a.s, b.s, c.s);
  return r;
}
static inline num inv(pk_elim *e, num a) {
  num r = { 1.0 / a.v, -1 };
  if (e->record) r.s = tape_push(e, PK_OP_INV, a.s, 0, 0);
  return r;
}

/* The command arrays doubled (out of line: the push below is the hot path). */
static __attribute__((noinline)) int cmd_grow(pk_elim *e) {
  int32_t cap = e->cap ? e->cap * 2 : 4096;
  int32_t *d = realloc(e->dst, (size_t)cap * sizeof *d);
  if (!d) return 0;
  e->dst = d;
  int32_t *s = realloc(e->src, (size_t)cap * sizeof *s);
  if (!s) return 0;
  e->src = s;
  double *mm = realloc(e->m, (size_t)cap * sizeof *mm);
  if (!mm) return 0;
  e->m = mm;
  if (e->record) {
    int32_t *sl = realloc(e->slot, (size_t)cap * sizeof *sl);
    if (!sl) return 0;
    e->slot = sl;
  }
  e->cap = cap;
  return 1;
}

static inline int cmd_push(pk_elim *e, int32_t dst, int32_t src, num m) {
  if (e->ncmd == e->cap && !cmd_grow(e)) return 0;
  e->dst[e->ncmd] = dst;
  e->src[e->ncmd] = src;
  e->m[e->ncmd] = m.v;
  if (e->record) e->slot[e->ncmd] = m.s;
  e->ncmd++;
  return 1;
}

/* Room for `need` arcs: an array of its own once the slab's share is outgrown (fill-in). */
static int arcs_reserve(member *u, int32_t need) {
  if (need <= u->cap) return 1;
  int32_t cap = u->cap ? u->cap : 4;
  while (cap < need) cap *= 2;
  arc *a = u->own & OWN_ARCS ? realloc(u->arcs, (size_t)cap * sizeof *a) : malloc((size_t)cap * sizeof *a);
  if (!a) return 0;
  if (!(u->own & OWN_ARCS)) memcpy(a, u->arcs, (size_t)u->len * sizeof *a);
  u->arcs = a;
  u->cap = cap;
  u->own |= OWN_ARCS;
  return 1;
}

static int parent_push(member *u, int32_t p) {
  if (u->plen == u->pcap) {
    int32_t cap = u->pcap ? u->pcap * 2 : 4;
    int32_t *q = u->own & OWN_PAR ? realloc(u->par, (size_t)cap * sizeof *q) : malloc((size_t)cap * sizeof *q);
    if (!q) return 0;
    if (!(u->own & OWN_PAR)) memcpy(q, u->par, (size_t)u->plen * sizeof *q);
    u->par = q;
    u->pcap = cap;
    u->own |= OWN_PAR;
  }
  u->par[u->plen++] = p;
  return 1;
}

static int arc_cmp(const void *a, const void *b) {
  int32_t x = ((const arc *)a)->c, y = ((const arc *)b)->c;
  return (x > y) - (x < y);
}

/* A member's arcs by child position. Rows are short and often sorted already: insertion
 * sort there, inline, where wasi-libc's qsort (musl's smoothsort, a comparator call per
 * step) cost about a tenth of a small component's elimination. Long rows (a hub's spokes)
 * go to qsort. Positions are distinct, so any sort gives the same order. */
enum { INSERTION_SORT_MAX = 16 };
static void sort_arcs(arc *a, int32_t len) {
  if (len > INSERTION_SORT_MAX) { qsort(a, (size_t)len, sizeof *a, arc_cmp); return; }
  for (int32_t i = 1; i < len; i++) {
    if (a[i - 1].c <= a[i].c) continue;
    const arc x = a[i];
    int32_t j = i;
    for (; j > 0 && a[j - 1].c > x.c; j--) a[j] = a[j - 1];
    a[j] = x;
  }
}

/* Tarjan's algorithm without recursion (graphs have 10^5–10^6 vertices).
 * Components come out sinks first; members[comp_start[c] .. comp_start[c+1]) lists
 * component c in the order they leave Tarjan's stack. `work` holds 5n int32s.
 * Returns the count. */
static int32_t strongly_connected(int32_t n, const int32_t *rp, const int32_t *col,
                                  int32_t *comp, int32_t *members, int32_t *comp_start, int32_t *work) {
  int32_t *idx = work, *low = idx + n, *stack = low + n, *cs_v = stack + n, *cs_e = cs_v + n;
  for (int32_t v = 0; v < n; v++) { idx[v] = -1; comp[v] = -1; }
  int32_t counter = 0, sp = 0, csp = 0, mpos = 0, ncomp = 0;
  for (int32_t s = 0; s < n; s++) {
    if (idx[s] >= 0) continue;
    idx[s] = low[s] = counter++;
    stack[sp++] = s;
    cs_v[csp] = s; cs_e[csp] = rp[s]; csp++;
    while (csp > 0) {
      int32_t v = cs_v[csp - 1];
      if (cs_e[csp - 1] < rp[v + 1]) {
        int32_t c = col[cs_e[csp - 1]++];
        if (idx[c] < 0) {
          idx[c] = low[c] = counter++;
          stack[sp++] = c;
          cs_v[csp] = c; cs_e[csp] = rp[c]; csp++;
        } else if (comp[c] < 0 && idx[c] < low[v]) {
          low[v] = idx[c];      /* c is still on the stack */
        }
      } else {
        csp--;
        if (low[v] == idx[v]) {
          comp_start[ncomp] = mpos;
          int32_t w;
          do { w = stack[--sp]; comp[w] = ncomp; members[mpos++] = w; } while (w != v);
          ncomp++;
        }
        if (csp > 0) {
          int32_t u = cs_v[csp - 1];
          if (low[v] < low[u]) low[u] = low[v];
        }
      }
    }
  }
  comp_start[ncomp] = mpos;
  return ncomp;
}

static double elim_budget = 0;
void pk_set_elim_budget(double arcs) { elim_budget = arcs > 0 ? arcs : 0; }

/* Merge i's arcs (scaled by m = P(p→i)) into p's, dropping p→i. An arc i→p
 * would be a self-loop on p: it is dropped and reported through *loop. New
 * children learn their new parent. */
static int merge_into_parent(pk_elim *e, member *nodes, int32_t p, int32_t i, num m,
                             arc **scratch, int32_t *scratch_cap, int *loop, int32_t *live_in) {
  member *np = &nodes[p], *ni = &nodes[i];
  int32_t need = np->len + ni->len;
  e->work += need;
  if (elim_budget > 0 && e->work > elim_budget) { e->over_budget = 1; return 0; }
  if (need > *scratch_cap) {
    arc *s = realloc(*scratch, (size_t)need * sizeof *s);
    if (!s) return 0;
    *scratch = s;
    *scratch_cap = need;
  }
  arc *out = *scratch;
  int32_t a = 0, b = 0, k = 0;
  *loop = 0;
  while (a < np->len || b < ni->len) {
    int32_t ca = a < np->len ? np->arcs[a].c : INT32_MAX;
    int32_t cb = b < ni->len ? ni->arcs[b].c : INT32_MAX;
    if (ca == i) { a++; continue; }
    if (cb == p) { *loop = 1; b++; continue; }
    if (ca < cb) out[k++] = np->arcs[a++];
    else if (cb < ca) {
      out[k].c = cb; out[k].p = mul(e, m, ni->arcs[b].p); k++;
      if (!parent_push(&nodes[cb], p)) return 0;
      live_in[cb]++;
      e->fill++;
      b++;
    } else {
      out[k].c = ca; out[k].p = fma_(e, np->arcs[a].p, m, ni->arcs[b].p); k++;
      a++; b++;
    }
  }
  if (!arcs_reserve(np, k)) return 0;
  memcpy(np->arcs, out, (size_t)k * sizeof *out);
  np->len = k;
  return 1;
}

static num arc_prob(const member *u, int32_t c) {
  int32_t lo = 0, hi = u->len - 1;
  while (lo <= hi) {
    int32_t mid = (lo + hi) >> 1;
    if (u->arcs[mid].c == c) return u->arcs[mid].p;
    if (u->arcs[mid].c < c) lo = mid + 1; else hi = mid - 1;
  }
  num none = { 0, -1 };
  return none; /* unreachable: a parent always has an arc to its child */
}

static num weight_of(const pk_elim *e, const double *w, int32_t j) {
  num x = { w[j], e->record ? j : -1 };
  return x;
}

/* λ_v = Σ of v's out-weights, and 1/λ_v. */
static num inverse_exit_rate(pk_elim *e, const int32_t *rp, const double *w, int32_t v) {
  num lam = weight_of(e, w, rp[v]);
  for (int32_t j = rp[v] + 1; j < rp[v + 1]; j++) lam = add(e, lam, weight_of(e, w, j));
  return inv(e, lam);
}

/* The pivot order inside a component: Markowitz's rule, as sparse LU uses it. The next
 * vertex eliminated is a live one with the fewest (live parents × live children), the arcs
 * its elimination can add. On a two-deme island model (n = 20, 24,843 vertices) it took
 * the tape from 16.6 M ops (Tarjan's order) to 6.3 M, and with renormalise() below to
 * 2.4 M. A bucket queue keyed by that count
 * (counts past the last bucket share it), each bucket a stack: the vertex whose count
 * changed last goes first among equals, so the elimination stays near where it just was,
 * and at the start the lowest position (Tarjan's order) goes first. O(1) per change of a
 * count, where a binary heap's log k made rabbits' elimination (whose order gains nothing)
 * a fifth slower. The order depends on the structure alone, so a trace and a direct
 * elimination of the same graph make the same steps. */
enum { MAX_PIVOT_BUCKETS = 4096 };
typedef struct { int32_t *head, *next, *prev, *bucket; int32_t buckets, min; } pivots;

static inline int32_t pivot_bucket(const pivots *q, int64_t key) { return key < q->buckets - 1 ? (int32_t)key : q->buckets - 1; }
static void pivot_push(pivots *q, int32_t v, int32_t b) {
  q->bucket[v] = b;
  q->prev[v] = -1;
  q->next[v] = q->head[b];
  if (q->head[b] >= 0) q->prev[q->head[b]] = v;
  q->head[b] = v;
  if (b < q->min) q->min = b;
}
static void pivot_unlink(pivots *q, int32_t v) {
  int32_t b = q->bucket[v];
  if (q->prev[v] >= 0) q->next[q->prev[v]] = q->next[v]; else q->head[b] = q->next[v];
  if (q->next[v] >= 0) q->prev[q->next[v]] = q->prev[v];
}
static int32_t pivot_pop(pivots *q) {
  while (q->head[q->min] < 0) q->min++;
  int32_t v = q->head[q->min];
  pivot_unlink(q, v);
  q->bucket[v] = -1;
  return v;
}
/* v's count after its arcs or live parents changed (a no-op once v is eliminated). */
static void pivot_rekey(pivots *q, int32_t v, int64_t key) {
  int32_t b = pivot_bucket(q, key);
  if (q->bucket[v] < 0 || b == q->bucket[v]) return;
  pivot_unlink(q, v);
  pivot_push(q, v, b);
}

/* A vertex whose eliminated children led back to it holds its out-probabilities as they
 * were before those returns were taken out: each is the probability of reaching that
 * target (or the exit) before coming back. GTH: they are divided by their sum, 1 − q as a
 * sum of positive terms, once, when the vertex itself is eliminated. Renormalising at
 * every return instead rescaled all of a vertex's arcs each time (k² operations for a hub
 * of k spokes, each returning to it). Bitwise this differs from the eager way; the
 * commands scale x[v] by the same factor. */
static int renormalise(pk_elim *e, member *u, int32_t v) {
  num s = u->exit;
  for (int32_t a = 0; a < u->len; a++) s = add(e, s, u->arcs[a].p);
  num is = inv(e, s);
  for (int32_t a = 0; a < u->len; a++) u->arcs[a].p = mul(e, u->arcs[a].p, is);
  u->exit = mul(e, u->exit, is);
  return cmd_push(e, v, -1, is);
}

/* Eliminate one component of k ≥ 2 members; loc[v] holds each member's position. */
static int eliminate_component(pk_elim *e, const int32_t *mem, int32_t k, const int32_t *loc,
                               const int32_t *rp, const int32_t *col, const double *w,
                               arc **scratch, int32_t *scratch_cap) {
  /* Per member: live parents, the queue's links and bucket, the elimination order, whether
   * it gained a self-loop; then the buckets' heads (a count is at most (k − 1)², so small
   * components need few). */
  const int32_t buckets = k - 1 < 64 ? (k - 1) * (k - 1) + 1 : MAX_PIVOT_BUCKETS;
  int32_t *block = malloc(((size_t)k * 6 + (size_t)buckets) * sizeof *block);
  if (!block) return 0;
  int32_t *live_in = block, *order = block + 4 * (size_t)k, *looped = block + 5 * (size_t)k;
  pivots q = { block + 6 * (size_t)k, block + k, block + 2 * (size_t)k, block + 3 * (size_t)k, buckets, buckets - 1 };
  const num zero = { 0.0, e->ninputs };
  int ok = 0;
  /* The members and their first arcs and parents in one allocation (order[] and looped[]
   * count them meanwhile): an allocation per member cost a tenth of a small component's
   * elimination in WebAssembly, whose malloc is slower than glibc's. */
  size_t inside = 0;
  for (int32_t i = 0; i < k; i++) order[i] = looped[i] = 0;
  for (int32_t i = 0; i < k; i++)
    for (int32_t j = rp[mem[i]]; j < rp[mem[i] + 1]; j++)
      if (loc[col[j]] >= 0) { order[i]++; looped[loc[col[j]]]++; inside++; }
  /* size_t is 32 bits in WebAssembly: a size past it is out of memory, not a short block. */
  member *nodes = inside > (SIZE_MAX - (size_t)k * sizeof *nodes) / (sizeof(arc) + sizeof(int32_t)) ? NULL
                : malloc((size_t)k * sizeof *nodes + inside * (sizeof(arc) + sizeof(int32_t)));
  if (!nodes) { free(block); return 0; }
  {
    arc *arcs = (arc *)(nodes + k);
    int32_t *pars = (int32_t *)(arcs + inside);
    for (int32_t i = 0; i < k; i++) {
      nodes[i] = (member){ arcs, 0, order[i], pars, 0, looped[i], zero, 0 };
      arcs += order[i];
      pars += looped[i];
    }
  }
  for (int32_t i = 0; i < k; i++) {
    int32_t v = mem[i];
    num il = inverse_exit_rate(e, rp, w, v), out = zero;
    e->scale0[v] = il.v;
    if (e->record) e->scale_slot[v] = il.s;
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) {
      int32_t u = col[j];
      num p = mul(e, weight_of(e, w, j), il);
      if (loc[u] >= 0) {
        member *ni = &nodes[i];
        ni->arcs[ni->len].c = loc[u];
        ni->arcs[ni->len].p = p;
        ni->len++;
        if (!parent_push(&nodes[loc[u]], i)) goto done;
      } else {
        out = add(e, out, p);
        if (!cmd_push(e, v, u, p)) goto done;
      }
    }
    nodes[i].exit = out;
    sort_arcs(nodes[i].arcs, nodes[i].len);
  }
  for (int32_t b = 0; b < buckets; b++) q.head[b] = -1;
  for (int32_t i = k - 1; i >= 0; i--) {       /* stacks: the lowest position on top */
    live_in[i] = nodes[i].plen;
    looped[i] = 0;
    pivot_push(&q, i, pivot_bucket(&q, (int64_t)live_in[i] * nodes[i].len));
  }
  /* Forward elimination, in pivot order; bucket[v] < 0 once v is eliminated. */
  for (int32_t step = 0; step < k; step++) {
    const int32_t i = pivot_pop(&q);
    order[step] = i;
    if (looped[i] && !renormalise(e, &nodes[i], mem[i])) goto done;
    for (int32_t a = 0; a < nodes[i].len; a++) live_in[nodes[i].arcs[a].c]--;
    for (int32_t j = 0; j < nodes[i].plen; j++) {
      int32_t p = nodes[i].par[j];
      if (q.bucket[p] < 0) continue;         /* already eliminated */
      num m = arc_prob(&nodes[p], i);
      int loop;
      if (!cmd_push(e, mem[p], mem[i], m)) goto done;
      nodes[p].exit = fma_(e, nodes[p].exit, m, nodes[i].exit);
      if (!merge_into_parent(e, nodes, p, i, m, scratch, scratch_cap, &loop, live_in)) goto done;
      looped[p] |= loop;
      pivot_rekey(&q, p, (int64_t)live_in[p] * nodes[p].len);
    }
    for (int32_t a = 0; a < nodes[i].len; a++) {
      const int32_t c = nodes[i].arcs[a].c;
      pivot_rekey(&q, c, (int64_t)live_in[c] * nodes[c].len);
    }
  }
  /* Back-substitution, last eliminated first. */
  for (int32_t step = k - 1; step >= 0; step--) {
    const int32_t i = order[step];
    for (int32_t a = 0; a < nodes[i].len; a++)
      if (!cmd_push(e, mem[i], mem[nodes[i].arcs[a].c], nodes[i].arcs[a].p)) goto done;
  }
  ok = !e->oom;
done:
  for (int32_t i = 0; i < k; i++) {
    if (nodes[i].own & OWN_ARCS) free(nodes[i].arcs);
    if (nodes[i].own & OWN_PAR) free(nodes[i].par);
  }
  free(nodes); free(block);
  return ok;
}

void pk_elim_free(pk_elim *e) {
  if (!e) return;
  free(e->m); free(e->scale0); free(e->prog); free(e->lslot);
  if (e->block) free(e->block);
  else { free(e->dst); free(e->src); free(e->ops); free(e->slot); free(e->scale_slot); }
  free(e);
}

/* A vertex alone in its component (every vertex of an acyclic graph): its out-weights
 * scaled by its mean sojourn. Not inlined, as explore_vertex in models.c: V8 swaps a hot
 * small function for optimised code mid-call, never a long-running one. Same arithmetic in
 * the same order, so the same bits. 0 out of memory. */
static __attribute__((noinline)) int eliminate_single(pk_elim *e, const int32_t *rp, const int32_t *col, const double *w, int32_t v) {
  num il = inverse_exit_rate(e, rp, w, v);
  e->scale0[v] = il.v;
  if (e->record) e->scale_slot[v] = il.s;
  for (int32_t j = rp[v]; j < rp[v + 1]; j++)
    if (!cmd_push(e, v, col[j], mul(e, weight_of(e, w, j), il))) return 0;
  return 1;
}

pk_elim *pk_eliminate(int32_t n, const int32_t *rp, const int32_t *col, const double *w, int32_t record, int32_t *err) {
  err[0] = PK_OK; err[1] = -1;
  for (int32_t j = 0; j < rp[n]; j++)
    if (col[j] == 0) {
      int32_t v = 0;
      while (rp[v + 1] <= j) v++;
      err[0] = PK_ERR_EDGE_TO_START; err[1] = v;
      return 0;
    }
  pk_elim *e = calloc(1, sizeof *e);
  /* The temporaries in one block: on small graphs each allocation (wasm's dlmalloc has
   * no thread cache) costs about what eliminating a vertex does. */
  int32_t *comp = malloc(((size_t)n * 9 + 1) * 4 + (size_t)n + 1);
  int32_t *members = comp + n, *comp_start = members + n, *loc = comp_start + n + 1, *scc_work = loc + n;
  unsigned char *absorbs = (unsigned char *)(scc_work + 5 * (size_t)n);
  arc *scratch = 0;
  int32_t scratch_cap = 0, ncomp;
  err[0] = PK_ERR_OUT_OF_MEMORY;
  if (!e || !comp) goto fail;
  memset(absorbs, 0, (size_t)n + 1);
  e->n = n;
  e->record = record;
  e->ninputs = rp[n];
  /* Every edge yields at least one command: start there, so a DAG never reallocates
   * (wasm's realloc copies; glibc's can remap). */
  {
    int32_t cap = rp[n] + n + 16;
    e->dst = malloc((size_t)cap * sizeof *e->dst);
    e->src = malloc((size_t)cap * sizeof *e->src);
    e->m = malloc((size_t)cap * sizeof *e->m);
    if (record) e->slot = malloc((size_t)cap * sizeof *e->slot);
    if (!e->dst || !e->src || !e->m || (record && !e->slot)) goto fail;
    e->cap = cap;
  }
  e->scale0 = calloc((size_t)n, sizeof(double));
  if (!e->scale0) goto fail;
  if (record) {
    e->scale_slot = malloc((size_t)n * sizeof(int32_t));
    if (!e->scale_slot) goto fail;
    for (int32_t v = 0; v < n; v++) e->scale_slot[v] = e->ninputs; /* the constant 0 */
  }
  /* Every edge to a higher index (a breadth-first model such as the coalescent): the graph
   * is acyclic and decreasing index order already puts sinks first, so Tarjan's search
   * (a third of a large DAG's elimination) is not needed. */
  int forward = 1;
  for (int32_t v = 0; v < n && forward; v++)
    for (int32_t j = rp[v]; j < rp[v + 1]; j++) if (col[j] <= v) { forward = 0; break; }
  if (forward) {
    for (int32_t c = 0; c < n; c++) { members[c] = n - 1 - c; comp[n - 1 - c] = c; comp_start[c] = c; }
    comp_start[n] = n;
    ncomp = n;
  } else {
    ncomp = strongly_connected(n, rp, col, comp, members, comp_start, scc_work);
  }
  e->nscc = ncomp;

  /* Every transient vertex must reach an absorbing one (finite expectation).
   * Components are sinks first, so successors are decided before predecessors. */
  for (int32_t c = 0; c < ncomp; c++) {
    int32_t first = comp_start[c], last = comp_start[c + 1];
    int32_t v0 = members[first];
    if (last - first == 1 && rp[v0] == rp[v0 + 1]) { absorbs[c] = 1; continue; }
    for (int32_t i = first; i < last && !absorbs[c]; i++)
      for (int32_t j = rp[members[i]]; j < rp[members[i] + 1]; j++)
        if (comp[col[j]] != c && absorbs[comp[col[j]]]) { absorbs[c] = 1; break; }
    if (!absorbs[c]) { err[0] = PK_ERR_NO_ABSORPTION; err[1] = v0; goto fail; }
  }

  for (int32_t v = 0; v < n; v++) loc[v] = -1;
  for (int32_t c = 0; c < ncomp; c++) {
    int32_t first = comp_start[c], k = comp_start[c + 1] - first;
    if (k > e->max_scc) e->max_scc = k;
    if (k == 1) {
      int32_t v = members[first];
      if (rp[v] == rp[v + 1]) continue;            /* absorbing: x = 0 */
      if (v == 0) {
        /* The start vertex takes no time; its weights are the initial distribution α. */
        for (int32_t j = rp[v]; j < rp[v + 1]; j++)
          if (!cmd_push(e, v, col[j], weight_of(e, w, j))) goto fail;
        continue;
      }
      if (!eliminate_single(e, rp, col, w, v)) goto fail;
      continue;
    }
    for (int32_t i = 0; i < k; i++) loc[members[first + i]] = i;
    if (!eliminate_component(e, members + first, k, loc, rp, col, w, &scratch, &scratch_cap)) goto fail;
    for (int32_t i = 0; i < k; i++) loc[members[first + i]] = -1;
  }
  if (e->oom) goto fail;
  err[0] = PK_OK;
  free(comp); free(scratch);
  return e;
fail:
  if (e && e->over_budget) err[0] = PK_ERR_WORK_LIMIT;
  free(comp); free(scratch);
  pk_elim_free(e);
  return 0;
}

void pk_solve(const pk_elim *e, const double *r, double *x) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  for (int32_t v = 0; v < e->n; v++) x[v] = r[v] * e->scale0[v];
  /* Consecutive commands into one vertex accumulate in a register: the same sums in
   * the same order (bitwise identical), without a store and reload per command. */
  for (int32_t k = 0, nc = e->ncmd; k < nc;) {
    int32_t d = dst[k], s = src[k];
    if (s < 0) { x[d] *= m[k]; k++; continue; }
    double acc = x[d];
    do { acc += m[k] * x[src[k]]; k++; } while (k < nc && dst[k] == d && src[k] >= 0 && src[k] != d);
    x[d] = acc;
  }
}

/* Raw moments of the accumulated reward (continuous graphs): m_1 = solve(r),
 * m_j = j · solve(r ⊙ m_{j−1}); out[j−1] = m_j[start]. work holds 2n doubles. */
void pk_moments(const pk_elim *e, const double *r, int32_t k, double *work, double *out) {
  double *b = work, *x = work + e->n;
  for (int32_t v = 0; v < e->n; v++) b[v] = r[v];
  for (int32_t j = 1; j <= k; j++) {
    pk_solve(e, b, x);
    out[j - 1] = x[0];
    if (j < k) for (int32_t v = 0; v < e->n; v++) b[v] = (j + 1) * r[v] * x[v];
  }
}

/* A rate at θ as pk_rates_at computes it (term by term, in θ's order): the same bits. */
static inline double rate_at(int32_t p, const double *base, const double *coef, const double *theta, int32_t j) {
  if (p == 1 && theta[0] != 0) return base[j] + coef[j] * theta[0];
  double x = base[j];
  const double *c = coef + (size_t)j * p;
  for (int32_t i = 0; i < p; i++)
    if (theta[i] != 0) x += c[i] * theta[i];
  return x;
}

/* The rates of v's edges at θ, checked as pk_rates_at checks them (a positive finite rate, α
 * summing to at most 1 + 1e-12), summed in edge order into *sum and kept in `kept` when v has
 * at most FORWARD_KEPT edges. -1 where an edge goes back, -2 where a check fails, else 0. */
static inline int32_t vertex_rates_at(int32_t p, const int32_t *col, const double *base, const double *coef, const double *theta,
                                      int32_t v, int32_t lo, int32_t hi, double *kept, double *sum) {
  const int keep = hi - lo <= FORWARD_KEPT;
  double s = 0.0;
  for (int32_t j = lo; j < hi; j++) {
    double w = rate_at(p, base, coef, theta, j);
    if (col[j] <= v) return -1;
    if (!(w > 0 && w <= DBL_MAX)) return -2;
    if (keep) kept[j - lo] = w;
    s = j == lo ? w : s + w;
  }
  if (v == 0 && s > 1 + 1e-12) return -2;
  *sum = s;
  return 0;
}

/* One vertex of the forward moments: what pk_eliminate's commands for v, replayed by
 * pk_solve, compute, in the same order (so the same bits), with v's rates computed on the way
 * and checked. The start takes no time: its weights are α, unscaled (scale0 = 0). -1 where an
 * edge goes back, -2 where a rate is not positive and finite, α sums past 1 (+1e-12) or a
 * vertex's only edge was a self-loop (has_out), as pk_rates_at checks; else 0. Not inlined,
 * as eliminate_single: V8 swaps a hot small function for optimised code mid-call, never a
 * long-running one. */
static __attribute__((noinline)) int32_t forward_vertex_at(int32_t p, const int32_t *rp, const int32_t *col, const double *base,
                                                           const double *coef, const uint8_t *has_out, const double *theta,
                                                           const double *b, double *x, int32_t v) {
  int32_t lo = rp[v], hi = rp[v + 1];
  if (lo == hi) {
    if (has_out && has_out[v]) return -2;             /* only a self-loop: a trap, which the checked path names */
    x[v] = b[v] * 0.0;
    return 0;
  }
  /* The rates of a vertex of up to FORWARD_KEPT edges are kept for the second loop (else computed again). */
  double kept[FORWARD_KEPT], sum;
  const int keep = hi - lo <= FORWARD_KEPT;
  int32_t status = vertex_rates_at(p, col, base, coef, theta, v, lo, hi, kept, &sum);
  if (status) return status;
  double il = v != 0 ? 1.0 / sum : 0.0;
  double acc = b[v] * il;
  for (int32_t j = lo; j < hi; j++) {
    double w = keep ? kept[j - lo] : rate_at(p, base, coef, theta, j);
    double m = v != 0 ? w * il : w;
    acc += m * x[col[j]];
  }
  x[v] = acc;
  return 0;
}

/* Raw moments on a graph whose edges all go to higher indices (a breadth-first model such as
 * the coalescent), from its checked rates w: pk_eliminate would find it acyclic and eliminate
 * each vertex alone, last first, and pk_moments would replay that. Done here in one pass per
 * moment, last vertex first, with no command list (coalescent n = 40: 433k commands, 7 MB
 * written and read): w is the base of a structure with no parameters. */
int32_t pk_forward_moments(int32_t n, const int32_t *rp, const int32_t *col, const double *w, const double *r, int32_t k, double *work, double *out) {
  return pk_forward_moments_at(n, 0, rp, col, w, 0, 0, 0, r, k, work, out);
}

/* pk_forward_moments on the rates base + coef·θ, computed on the way (no rate array is
 * written: coalescent n = 50's is 26 MB of fresh kernel memory on a first call). The same
 * bits as pk_rates_at followed by pk_forward_moments. Nothing usable is written where it
 * returns -1 (an edge goes back) or -2 (pk_rates_at's checks would fail, or find a rate of
 * 0): the caller then takes the checked path. */
int32_t pk_forward_moments_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                              const uint8_t *has_out, const double *theta, const double *r, int32_t k, double *work, double *out) {
  double *b = work, *x = work + n;
  for (int32_t v = 0; v < n; v++) b[v] = r[v];
  for (int32_t j = 1; j <= k; j++) {
    for (int32_t v = n - 1; v >= 0; v--) {
      int32_t status = forward_vertex_at(p, rp, col, base, coef, has_out, theta, b, x, v);
      if (status) return status;
    }
    out[j - 1] = x[0];
    if (j < k) for (int32_t v = 0; v < n; v++) b[v] = (j + 1) * r[v] * x[v];
  }
  return 0;
}

/* E[R] of a forward structure and its gradient along θ, without a tape: the forward pass of
 * pk_forward_moments_at (x kept in work[0..n)), then one reverse pass, first vertex first (a
 * vertex's parents all come before it, so its adjoint is complete when it is reached). With
 * S_v = Σ_j w_j and x_v = (r_v + Σ_j w_j x_c) / S_v: ∂x_v/∂x_c = w_j / S_v and
 * ∂x_v/∂w_j = (x_c − x_v) / S_v; the start's x_0 = Σ_j w_j x_c. Then θ̄_i = Σ_j w̄_j coef[j·p + i].
 * work holds 2n doubles; out[0] = E[R]; grad p doubles. Returns as pk_forward_moments_at. */
int32_t pk_forward_gradient_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                               const uint8_t *has_out, const double *theta, const double *r, double *work, double *out, double *grad) {
  double *x = work, *xbar = work + n;
  for (int32_t v = n - 1; v >= 0; v--) {
    int32_t status = forward_vertex_at(p, rp, col, base, coef, has_out, theta, r, x, v);
    if (status) return status;
  }
  out[0] = x[0];
  for (int32_t i = 0; i < p; i++) grad[i] = 0.0;
  for (int32_t v = 0; v < n; v++) xbar[v] = 0.0;
  xbar[0] = 1.0;
  /* With one parameter its adjoint is summed in a register (through grad[0], every edge waited
   * for the store and reload of the one before). */
  double g0 = 0.0;
  for (int32_t v = 0; v < n; v++) {
    int32_t lo = rp[v], hi = rp[v + 1];
    double a = xbar[v];
    if (lo == hi || a == 0.0) continue;
    double il = 1.0, xv = 0.0, kept[FORWARD_KEPT];
    const int keep = hi - lo <= FORWARD_KEPT;
    if (v != 0) {
      double sum = 0.0;
      for (int32_t j = lo; j < hi; j++) {
        double w = rate_at(p, base, coef, theta, j);
        if (keep) kept[j - lo] = w;
        sum = j == lo ? w : sum + w;
      }
      il = 1.0 / sum;
      xv = x[v];
    }
    for (int32_t j = lo; j < hi; j++) {
      double w = keep && v != 0 ? kept[j - lo] : rate_at(p, base, coef, theta, j);
      int32_t c = col[j];
      double xc = x[c];
      xbar[c] += a * (w * il);
      double wbar = v != 0 ? a * (xc - xv) * il : a * xc;
      if (p == 1) { g0 += wbar * coef[j]; continue; }
      const double *cj = coef + (size_t)j * p;
      for (int32_t i = 0; i < p; i++) grad[i] += wbar * cj[i];
    }
  }
  if (p == 1) grad[0] = g0;
  return 0;
}

/* E[R_1..R_m] of m reward vectors on a forward structure at θ, in one pass over
 * the edges whatever m (an SFS of n − 1 classes took n − 1 solves), first vertex first: each
 * vertex's visit probability q_v is complete when it is reached (its parents come before it);
 * q_0 = 1, q_c += q_v·w_j/S_v (the start's weights are α, unscaled), and the expected time in
 * v is τ_v = q_v/S_v (0 at the start and at absorbing vertices). Then E[R_i] = Σ_v R_i(v)·τ_v,
 * over the rewards' nonzero entries by vertex (rrp: n + 1 offsets into ridx, the vector i, and
 * rval, R_i(v)): an SFS reward is nonzero on a few classes of each state. Not the bits of an
 * elimination's pk_expect_times (the sums run the other way), the same value to rounding. work holds n
 * doubles (τ on return); out m. Returns as pk_forward_moments_at, with the same checks of
 * every vertex's rates. */
int32_t pk_forward_expect_at(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                             const uint8_t *has_out, const double *theta, int32_t m, const int32_t *rrp, const int32_t *ridx,
                             const double *rval, double *work, double *out) {
  double *q = work;
  for (int32_t v = 0; v < n; v++) q[v] = 0.0;
  q[0] = 1.0;
  for (int32_t v = 0; v < n; v++) {
    int32_t lo = rp[v], hi = rp[v + 1];
    if (lo == hi) {
      if (has_out && has_out[v]) return -2;             /* only a self-loop: a trap, which the checked path names */
      q[v] = 0.0;                                        /* absorbing: no time spent */
      continue;
    }
    double kept[FORWARD_KEPT], sum;
    const int keep = hi - lo <= FORWARD_KEPT;
    int32_t status = vertex_rates_at(p, col, base, coef, theta, v, lo, hi, kept, &sum);
    if (status) return status;
    double il = v != 0 ? 1.0 / sum : 1.0;
    double a = q[v] * il;
    for (int32_t j = lo; j < hi; j++) {
      double w = keep ? kept[j - lo] : rate_at(p, base, coef, theta, j);
      q[col[j]] += a * w;
    }
    q[v] = v != 0 ? a : 0.0;
  }
  pk_reward_sums(n, m, rrp, ridx, rval, q, out);
  return 0;
}

/* out[i] = Σ_v R_i(v)·τ_v over the rewards' nonzero entries by vertex (rrp: n + 1 offsets into
 * ridx, the vector i, and rval, R_i(v)); a vertex of τ = 0 is skipped. */
void pk_reward_sums(int32_t n, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *tau, double *out) {
  for (int32_t i = 0; i < m; i++) out[i] = 0.0;
  for (int32_t v = 0; v < n; v++) {
    double t = tau[v];
    if (t == 0.0) continue;
    for (int32_t e = rrp[v]; e < rrp[v + 1]; e++) out[ridx[e]] += rval[e] * t;
  }
}

/* out[v] = Σ_i y_i·R_i(v), over the rewards' nonzero entries by vertex (as pk_forward_expect_at
 * reads them): the one reward whose expectation has the gradient Σ_i y_i ∂E[R_i]. */
void pk_combine_rewards(int32_t n, const int32_t *rrp, const int32_t *ridx, const double *rval, const double *y, double *out) {
  for (int32_t v = 0; v < n; v++) {
    double x = 0.0;
    for (int32_t e = rrp[v]; e < rrp[v + 1]; e++) x += y[ridx[e]] * rval[e];
    out[v] = x;
  }
}

/* ∂E[r]/∂θ of a forward structure at θ, given the expected times tau that pk_forward_expect_at
 * left at the same θ: the backward pass of x_v = E[r | in v] (pk_forward_moments_at's, into
 * work: n doubles), then one pass over the edges, with no rates: ∂E[r]/∂w_j = τ_v (x_c − x_v)
 * for an edge v → c (x_c for the start's). Returns as pk_forward_moments_at. */
int32_t pk_forward_expect_gradient(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *base, const double *coef,
                                   const uint8_t *has_out, const double *theta, const double *tau, const double *r, double *work, double *grad) {
  double *x = work;
  for (int32_t v = n - 1; v >= 0; v--) {
    int32_t status = forward_vertex_at(p, rp, col, base, coef, has_out, theta, r, x, v);
    if (status) return status;
  }
  pk_expect_edge_gradient(n, p, rp, col, coef, tau, x, grad);
  return 0;
}

/* ∂E[r]/∂θ of a continuous graph from the expected time τ_v in every vertex and x_v = E[r | in v]
 * (both at θ), in one pass over the edges with no rates: E[r] = α U r with U = (−S)⁻¹, so
 * ∂E[r]/∂w_j = τ_v (x_c − x_v) for an edge v → c (x_c for the start's, whose weights are α),
 * then θ's through the coefficients. Holds with cycles as without: no tape is needed. */
void pk_expect_edge_gradient(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, const double *tau, const double *x, double *grad) {
  for (int32_t i = 0; i < p; i++) grad[i] = 0.0;
  pk_edge_gradient_add(n, p, rp, col, coef, 1.0, tau, x, grad);
}

/* grad += Σ over the edges v → c of t_v (x_c − x_v)·C_j, with t_v = tau[v] except at the start,
 * whose weight is t0 (and x_start taken as 0): the one pass over the edges of every gradient
 * without a tape. A vertex of t = 0 is skipped. */
void pk_edge_gradient_add(int32_t n, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, double t0, const double *tau,
                          const double *x, double *grad) {
  double g0 = 0.0;                                       /* one parameter: summed in a register */
  for (int32_t v = 0; v < n; v++) {
    int32_t lo = rp[v], hi = rp[v + 1];
    double t = v != 0 ? tau[v] : t0, xv = v != 0 ? x[v] : 0.0;
    if (lo == hi || t == 0.0) continue;
    for (int32_t j = lo; j < hi; j++) {
      double wbar = t * (x[col[j]] - xv);
      if (p == 1) { g0 += wbar * coef[j]; continue; }
      const double *cj = coef + (size_t)j * p;
      for (int32_t i = 0; i < p; i++) grad[i] += wbar * cj[i];
    }
  }
  if (p == 1) grad[0] += g0;
}

/* The expected time in every vertex after an elimination (or a trace evaluated at θ): the
 * transpose of pk_solve at the start, into tau (n doubles). */
void pk_expected_times(const pk_elim *e, double *tau) {
  memset(tau, 0, (size_t)e->n * sizeof *tau);
  tau[0] = 1.0;
  pk_solve_adjoint(e, tau, tau);
}

/* Transpose of pk_solve: with xbar = e_start, rbar[v] is the expected time spent in v. */
void pk_solve_adjoint(const pk_elim *e, const double *xbar, double *rbar) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  if (rbar != xbar) memcpy(rbar, xbar, (size_t)e->n * sizeof *rbar);
  for (int32_t k = e->ncmd - 1; k >= 0; k--) {
    int32_t s = src[k];
    if (s < 0) rbar[dst[k]] *= m[k];
    else rbar[s] += m[k] * rbar[dst[k]];
  }
  for (int32_t v = 0; v < e->n; v++) rbar[v] *= e->scale0[v];
}
