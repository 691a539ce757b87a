/* What the WebAssembly module exports besides the kernel: an allocator for
 * marshalling, and field accessors so JS never hard-codes struct layouts. */
#include "kernel.h"
#include <stdlib.h>

void *pk_malloc(int32_t bytes) { return malloc((size_t)bytes); }
void pk_free(void *p) { free(p); }
int32_t pk_elim_ncmd(const pk_elim *e) { return e->ncmd; }
int32_t pk_elim_nscc(const pk_elim *e) { return e->nscc; }
int32_t pk_elim_max_scc(const pk_elim *e) { return e->max_scc; }
double pk_elim_fill(const pk_elim *e) { return (double)e->fill; }
