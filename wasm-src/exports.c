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
int32_t pk_trace_ninputs(const pk_elim *e) { return e->ninputs; }
int32_t pk_trace_nops(const pk_elim *e) { return e->nops; }
uint32_t *pk_trace_ops(const pk_elim *e) { return e->ops; }
int32_t *pk_elim_dst(const pk_elim *e) { return e->dst; }
int32_t *pk_elim_src(const pk_elim *e) { return e->src; }
int32_t *pk_trace_slots(const pk_elim *e) { return e->slot; }
int32_t *pk_trace_scale_slots(const pk_elim *e) { return e->scale_slot; }

/* Rebuilds a recorded trace from its serialised arrays (the trace cache's load path).
 * Takes ownership of none of the inputs: everything is copied. */
pk_elim *pk_trace_load(int32_t n, int32_t ninputs, int32_t nops, int32_t ncmd, const uint32_t *ops,
                       const int32_t *dst, const int32_t *src, const int32_t *slot, const int32_t *scale_slot) {
  pk_elim *e = calloc(1, sizeof *e);
  if (!e) return 0;
  e->n = n; e->record = 1; e->ninputs = ninputs; e->nops = e->opcap = nops; e->ncmd = e->cap = ncmd;
  e->ops = malloc((size_t)nops * 16 + 16);
  e->dst = malloc((size_t)ncmd * 4 + 4); e->src = malloc((size_t)ncmd * 4 + 4);
  e->slot = malloc((size_t)ncmd * 4 + 4); e->m = calloc((size_t)ncmd + 1, 8);
  e->scale_slot = malloc((size_t)n * 4 + 4); e->scale0 = calloc((size_t)n + 1, 8);
  if (!e->ops || !e->dst || !e->src || !e->slot || !e->m || !e->scale_slot || !e->scale0) { pk_elim_free(e); return 0; }
  memcpy(e->ops, ops, (size_t)nops * 16);
  memcpy(e->dst, dst, (size_t)ncmd * 4); memcpy(e->src, src, (size_t)ncmd * 4);
  memcpy(e->slot, slot, (size_t)ncmd * 4); memcpy(e->scale_slot, scale_slot, (size_t)n * 4);
  return e;
}

/* CRC-32 (IEEE), for the trace format's payload checksum. */
uint32_t pk_crc32(const uint8_t *p, int32_t len) {
  static uint32_t table[256];
  if (!table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  uint32_t c = 0xFFFFFFFFu;
  for (int32_t i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}
