/* What the WebAssembly module exports besides the kernel: an allocator for
 * marshalling, and field accessors so JS never hard-codes struct layouts. */
#include "kernel.h"
#include <stdlib.h>
#include <string.h>

void *pk_malloc(int32_t bytes) { return malloc((size_t)bytes); }
void pk_free(void *p) { free(p); }
int32_t pk_elim_ncmd(const pk_elim *e) { return e->ncmd; }
int32_t pk_elim_nscc(const pk_elim *e) { return e->nscc; }
int32_t pk_elim_max_scc(const pk_elim *e) { return e->max_scc; }
double pk_elim_fill(const pk_elim *e) { return (double)e->fill; }
double pk_elim_work(const pk_elim *e) { return e->work; }
int32_t pk_trace_ninputs(const pk_elim *e) { return e->ninputs; }
int32_t pk_trace_nops(const pk_elim *e) { return e->nops; }
/* Slots of the value array pk_trace_evaluate fills: inputs, the constant 0, one per op, and the
 * FMA form's constants 1 and −0 (trace.c). */
int32_t pk_trace_nvals(const pk_elim *e) { return e->ninputs + 3 + e->nops; }
/* How the tape is evaluated now: 0 op by op, 1 as runs, 2 in the FMA form (trace.c). For tests. */
int32_t pk_trace_form(const pk_elim *e) { return !e->prog ? 0 : e->lslot ? 2 : 1; }
uint32_t *pk_trace_ops(const pk_elim *e) { return e->ops; }
int32_t *pk_elim_dst(const pk_elim *e) { return e->dst; }
int32_t *pk_elim_src(const pk_elim *e) { return e->src; }
int32_t *pk_trace_slots(const pk_elim *e) { return e->slot; }
int32_t *pk_trace_scale_slots(const pk_elim *e) { return e->scale_slot; }

/* Whether serialised trace arrays are self-consistent: every op reads earlier values only,
 * every command and scale names an existing vertex and value. A record can pass its
 * checksum and still be forged; out-of-range indices would read outside the arrays.
 * The recorder writes 0 for the operands an op does not use, so every operand slot must be
 * an earlier value. Branch-free within blocks (the first bad block ends it): this check
 * took a third of a stored trace's decoding when it branched op by op. */
enum { VALID_BLOCK = 256 };
static int trace_arrays_valid(int32_t n, int32_t ninputs, int32_t nops, int32_t ncmd, const uint32_t *ops,
                              const int32_t *dst, const int32_t *src, const int32_t *slot, const int32_t *scale_slot) {
  if (n < 1 || ninputs < 0 || nops < 0 || ncmd < 0) return 0;
  const uint32_t nvals = (uint32_t)ninputs + 1 + (uint32_t)nops, un = (uint32_t)n;
  for (int32_t k0 = 0; k0 < nops; k0 += VALID_BLOCK) {
    const int32_t k1 = nops - k0 < VALID_BLOCK ? nops : k0 + VALID_BLOCK;
    uint32_t bad = 0;
    for (int32_t k = k0; k < k1; k++) {
      const uint32_t *o = ops + 4 * (size_t)k, here = (uint32_t)ninputs + 1 + (uint32_t)k;
      bad |= (uint32_t)(o[0] - PK_OP_ADD > PK_OP_INV - PK_OP_ADD) | (o[1] >= here) | (o[2] >= here) | (o[3] >= here);
    }
    if (bad) return 0;
  }
  for (int32_t k0 = 0; k0 < ncmd; k0 += VALID_BLOCK) {
    const int32_t k1 = ncmd - k0 < VALID_BLOCK ? ncmd : k0 + VALID_BLOCK;
    uint32_t bad = 0;
    /* src is −1 (a scaling) or a vertex: src + 1 in 0..n, computed unsigned so INT32_MAX cannot wrap into range. */
    for (int32_t k = k0; k < k1; k++)
      bad |= ((uint32_t)dst[k] >= un) | ((uint32_t)src[k] + 1u > un) | ((uint32_t)slot[k] >= nvals);
    if (bad) return 0;
  }
  uint32_t bad = 0;
  for (int32_t v = 0; v < n; v++) bad |= (uint32_t)scale_slot[v] >= nvals;
  return !bad;
}

/* Rebuilds a recorded trace from its serialised arrays, which live in `block` (the
 * trace cache's load path): the trace adopts the block instead of copying it, and
 * frees it with itself. Returns 0 when out of memory (the block is then the caller's)
 * and (pk_elim *)-1 when the arrays are not self-consistent (likewise). */
pk_elim *pk_trace_adopt(int32_t n, int32_t ninputs, int32_t nops, int32_t ncmd, void *block, uint32_t *ops,
                        int32_t *dst, int32_t *src, int32_t *slot, int32_t *scale_slot) {
  if (!trace_arrays_valid(n, ninputs, nops, ncmd, ops, dst, src, slot, scale_slot)) return (pk_elim *)-1;
  pk_elim *e = calloc(1, sizeof *e);
  if (!e) return 0;
  e->n = n; e->record = 1; e->ninputs = ninputs; e->nops = e->opcap = nops; e->ncmd = e->cap = ncmd;
  e->m = calloc((size_t)ncmd + 1, 8); e->scale0 = calloc((size_t)n + 1, 8);
  if (!e->m || !e->scale0) { free(e->m); free(e->scale0); free(e); return 0; }
  e->ops = ops; e->dst = dst; e->src = src; e->slot = slot; e->scale_slot = scale_slot; e->block = block;
  return e;
}

/* Whether rp[0..n] and col[0..m) are a CSR over n vertices: rp starts at 0, ends at m and never
 * goes back, and every column is a vertex. (A stored trace's structure, checked in the kernel:
 * the same loop in JavaScript runs interpreted on a fresh page and cost milliseconds.) */
int32_t pk_csr_valid(int32_t n, const int32_t *rp, const int32_t *col, int32_t m) {
  if (n < 0 || m < 0 || rp[0] != 0 || rp[n] != m) return 0;
  int32_t bad = 0;
  for (int32_t v = 0; v < n; v++) bad |= rp[v + 1] < rp[v];
  for (int32_t j = 0; j < m; j++) bad |= (uint32_t)col[j] >= (uint32_t)n;
  return !bad;
}

/* Whether two blocks of kernel memory hold the same bytes. */
/* A stored trace's structure against its graph's (0.2 MB at coalescent n = 30). */
int32_t pk_equal(const void *a, const void *b, int32_t bytes) { return pk_same_bytes(a, b, (size_t)bytes); }

/* XXH64 (seed 0; Collet's xxHash, 64-bit), for the trace format's payload
 * checksum: 8-byte lanes, several GB/s, where a byte-wise CRC-32 managed 0.4. */
static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL, P3 = 0x165667B19E3779F9ULL,
                      P4 = 0x85EBCA77C2B2AE63ULL, P5 = 0x27D4EB2F165667C5ULL;
static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t read64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t read32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t round64(uint64_t acc, uint64_t input) { return rotl64(acc + input * P2, 31) * P1; }
static inline uint64_t merge64(uint64_t acc, uint64_t val) { return (acc ^ round64(0, val)) * P1 + P4; }

uint64_t pk_xxh64(const uint8_t *p, int32_t len) {
  const uint8_t *end = p + len;
  uint64_t h;
  if (len >= 32) {
    uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
    const uint8_t *limit = end - 32;
    do {
      v1 = round64(v1, read64(p)); v2 = round64(v2, read64(p + 8));
      v3 = round64(v3, read64(p + 16)); v4 = round64(v4, read64(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
    h = merge64(h, v1); h = merge64(h, v2); h = merge64(h, v3); h = merge64(h, v4);
  } else {
    h = P5;
  }
  h += (uint64_t)len;
  for (; p + 8 <= end; p += 8) h = rotl64(h ^ round64(0, read64(p)), 27) * P1 + P4;
  if (p + 4 <= end) { h = rotl64(h ^ ((uint64_t)read32(p) * P1), 23) * P2 + P3; p += 4; }
  for (; p < end; p++) h = rotl64(h ^ (*p * P5), 11) * P1;
  h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
  return h;
}

/* The trace format stores the low 32 bits. */
uint32_t pk_checksum(const uint8_t *p, int32_t len) { return (uint32_t)pk_xxh64(p, len); }
