/* Evaluating a recorded elimination for new weights, and reverse-mode
 * differentiation through it and through the replays that use it. */
#include "kernel.h"
#include <stdlib.h>
#include <string.h>

/* The tape as runs. The recorded tape is one op at a time (16 bytes each, a branch per
 * op); elimination writes it in runs of one kind: an exit rate summed edge after edge
 * (each ADD adding to the previous result), its inverse, then every out-weight times
 * that inverse. Compiled once into runs {kind, len, operands…, size}, evaluation loops
 * over a run with the shared operand in a register and consecutive operands read as
 * arrays. Every op is still computed by the same expression in the same order, so
 * values and adjoints are bitwise those of the op-by-op interpreter. `size` (the run's
 * length in int32s) ends each run, so the reverse pass can walk the program backwards. */
enum {
  RUN_CHAIN_SEQ = 1, /* acc = v[a0]; out_i = acc = acc + v[b0 + i] */
  RUN_CHAIN = 2,     /* the same with listed b_i */
  RUN_SCALE_SEQ = 3, /* out_i = v[x0 + i] · v[s] */
  RUN_SCALE = 4,     /* out_i = v[x_i] · v[s] */
  RUN_MUL = 5,       /* out_i = v[a_i] · v[b_i] */
  RUN_FMA = 6,       /* out_i = v[a_i] + v[b_i] · v[c_i] */
  RUN_INV = 7        /* out_i = 1 / v[a_i] */
};

/* The operand of MUL op o other than s, or -1 when o does not read s exactly once. */
static int64_t scaled_operand(const uint32_t *o, uint32_t s) {
  if (o[0] != PK_OP_MUL || o[1] == o[2]) return -1;
  return o[1] == s ? (int64_t)o[2] : o[2] == s ? (int64_t)o[1] : -1;
}

/* Runs pay for themselves from about three ops each: the elimination of a DAG (sums and
 * scalings as long as the out-degrees) compiles to runs of 8 on the coalescent, while
 * large cyclic components interleave kinds op by op (runs of 1.5 on the rabbits) and
 * are faster interpreted. */
enum { MIN_OPS_PER_RUN = 3, COMPILE_AFTER = 4 };

/* The most int32s one op can take in the program: a run of one FMA (kind, len, a, b, c, size). */
enum { MAX_PROGRAM_PER_OP = 6 };

/* Writes the program to w (room for MAX_PROGRAM_PER_OP per op) in one pass over the tape;
 * returns its length in int32s (0 when short runs show early that it will not pay) and, in
 * *runs, how many runs it has. A run of listed
 * operands writes them as it extends; one whose operands turn out consecutive (seq) is
 * then rewritten as its first operand alone. */
static size_t compile_runs(const pk_elim *e, int32_t *w, int32_t *runs) {
  const uint32_t *ops = e->ops, base = (uint32_t)e->ninputs + 1;
  const int32_t nops = e->nops;
  size_t at = 0;
  for (int32_t k = 0; k < nops;) {
    const uint32_t *o = ops + 4 * (size_t)k;
    const size_t start = at;
    int32_t run = 1;
    if (o[0] == PK_OP_ADD) {
      int seq = 1;
      int32_t *b = w + at + 3;
      b[0] = (int32_t)o[2];
      for (; k + run < nops; run++) {
        const uint32_t *q = o + 4 * (size_t)run, prev = base + (uint32_t)(k + run - 1);
        if (q[0] != PK_OP_ADD || q[1] != prev || q[2] == prev) break;
        b[run] = (int32_t)q[2];
        seq &= q[2] == o[2] + (uint32_t)run;
      }
      w[at] = seq ? RUN_CHAIN_SEQ : RUN_CHAIN; w[at + 1] = run; w[at + 2] = (int32_t)o[1];
      at += 3 + (seq ? 1 : (size_t)run);
    } else if (o[0] == PK_OP_MUL && o[1] != o[2]) {
      /* The shared factor: the operand the next MUL also reads (else b, an inverse). */
      uint32_t s = o[2];
      if (k + 1 < nops && scaled_operand(o + 4, s) < 0 && scaled_operand(o + 4, o[1]) >= 0) s = o[1];
      const int64_t x0 = scaled_operand(o, s);
      int seq = 1;
      int32_t *x = w + at + 3;
      x[0] = (int32_t)x0;
      for (; k + run < nops; run++) {
        const int64_t xi = scaled_operand(o + 4 * (size_t)run, s);
        if (xi < 0) break;
        x[run] = (int32_t)xi;
        seq &= xi == x0 + run;
      }
      w[at] = seq ? RUN_SCALE_SEQ : RUN_SCALE; w[at + 1] = run; w[at + 2] = (int32_t)s;
      at += 3 + (seq ? 1 : (size_t)run);
    } else {
      const int32_t arity = o[0] == PK_OP_FMA ? 3 : o[0] == PK_OP_INV ? 1 : 2;
      while (k + run < nops && o[4 * (size_t)run] == o[0] && (o[0] != PK_OP_MUL || o[4 * (size_t)run + 1] == o[4 * (size_t)run + 2])) run++;
      w[at++] = o[0] == PK_OP_FMA ? RUN_FMA : o[0] == PK_OP_INV ? RUN_INV : RUN_MUL;
      w[at++] = run;
      for (int32_t i = 0; i < run; i++) for (int32_t j = 1; j <= arity; j++) w[at++] = (int32_t)o[4 * (size_t)i + j];
    }
    w[at] = (int32_t)(at - start + 1);
    at++;
    k += run;
    /* Short runs throughout (a cyclic elimination) are known early: stop there. */
    if (++*runs == 4096 && (int64_t)*runs * MIN_OPS_PER_RUN > k) return 0;
  }
  return at;
}

/* Compiles the runs once, where they pay (nprog −1 marks a tape left to the interpreter,
 * as does running out of memory or a program past int32 offsets). The buffer is sized for
 * the worst case and shrunk in place; pages never written are never touched. */
static void compile_fma_program(pk_elim *e);
static void compile_program(pk_elim *e) {
  e->nprog = -1;
  if ((size_t)e->nops > (size_t)(INT32_MAX - 8) / MAX_PROGRAM_PER_OP) return;
  int32_t *prog = malloc(((size_t)e->nops * MAX_PROGRAM_PER_OP + 1) * sizeof *prog);
  if (!prog) return;
  int32_t runs = 0;
  size_t len = compile_runs(e, prog, &runs);
  if (len == 0 || (int64_t)runs * MIN_OPS_PER_RUN > e->nops) { free(prog); compile_fma_program(e); return; }
  int32_t *shrunk = realloc(prog, len * sizeof *prog);
  e->prog = shrunk ? shrunk : prog;
  e->nprog = (int32_t)len;
}

/* Where runs do not pay (large cyclic components: runs of 1.5 ops a kind), the tape is
 * compiled into the FMA form, for evaluations that no reverse pass follows:
 * - every op but an inverse is written as a + b·c with the constants 1 and −0 (slots
 *   ninputs + 1 + nops and the next): ADD a, b is a + b·1, MUL b, c is −0 + b·c. x·1 = x and
 *   −0 + x = x exactly, signed zeros included, so every value has the interpreter's bits;
 * - within blocks of LEVEL_BLOCK ops, the ops are taken level by level (an op's level is one
 *   more than its operands' highest), each level's inverses after its other ops, and the
 *   values renumbered in that order. Ops next to each other are then independent, where in
 *   the recorded order most ops wait for the one before (rabbits N = 400: 1.2M ops whose
 *   longest chain is 1,606). Natively (gcc -O2) that tape took 4.6 ms in the recorded order,
 *   1.9 ms reordered.
 * The program is runs {count, count × (a, b, c), inverses, inverses × a}, ended by −1: a
 * branch per run instead of one per op. lslot gives the renumbered slots of the multipliers,
 * then of scale0. The values are in the new order, so a reverse pass needs
 * pk_trace_evaluate_tape's. */
static int32_t level_slot(const int32_t *position, int32_t base, uint32_t s) {
  return (int32_t)s < base ? (int32_t)s : base + position[s - (uint32_t)base];
}

/* Ops are reordered within blocks of this many: measured on rabbits N = 400's tape natively,
 * blocks of 1,024, 4,096, 16,384 and 65,536 ops and the whole tape took 3.8, 3.1, 1.9, 2.0 and
 * 2.3 ms (4.6 in the recorded order): enough independent ops side by side, and the values a
 * block reads still in cache. A block's reordering runs in cache too. */
enum { LEVEL_BLOCK = 16384 };

/* Compiles ops [b0, b1) into the program at w (its length returned), each op's new place
 * (from b0 on) into position. Within the block, an op's level is one more than the highest of
 * its operands computed in the block (others count 0); ops go level by level, a level's
 * inverses after its other ops, tape order kept within each. scratch: 4 · LEVEL_BLOCK + 3 ints. */
static __attribute__((noinline)) size_t compile_block(const pk_elim *e, int32_t b0, int32_t b1, int32_t *position, int32_t *scratch, int32_t *w) {
  const int32_t base = e->ninputs + 1, one = base + e->nops, negzero = one + 1;
  int32_t *level = scratch, *fmas = level + LEVEL_BLOCK, *invs = fmas + LEVEL_BLOCK + 1, *at = invs + LEVEL_BLOCK + 1;
  int32_t top = 0;
  for (int32_t k = b0; k < b1; k++) {
    const uint32_t *o = e->ops + 4 * (size_t)k;
    const int32_t arity = o[0] == PK_OP_FMA ? 3 : o[0] == PK_OP_INV ? 1 : 2;
    int32_t l = 0;
    for (int32_t j = 1; j <= arity; j++) {
      const int32_t s = (int32_t)o[j] - base;
      if (s >= b0 && level[s - b0] > l) l = level[s - b0];
    }
    level[k - b0] = ++l;
    if (l > top) top = l;
  }
  memset(fmas, 0, 2 * ((size_t)LEVEL_BLOCK + 1) * sizeof *fmas);
  for (int32_t k = b0; k < b1; k++) (e->ops[4 * (size_t)k] == PK_OP_INV ? invs : fmas)[level[k - b0]]++;
  /* Per level: where its run starts in the program, and (reusing fmas and invs as counters)
   * the next place of each kind among the values. */
  size_t len = 0;
  for (int32_t l = 1, p = b0; l <= top; l++) {
    const int32_t nfma = fmas[l], ninv = invs[l];
    at[l] = (int32_t)len;
    w[len] = nfma;
    w[len + 1 + 3 * (size_t)nfma] = ninv;
    len += 2 + 3 * (size_t)nfma + (size_t)ninv;
    fmas[l] = p;
    invs[l] = p + nfma;
    p += nfma + ninv;
  }
  for (int32_t k = b0; k < b1; k++) position[k] = e->ops[4 * (size_t)k] == PK_OP_INV ? invs[level[k - b0]]++ : fmas[level[k - b0]]++;
  /* fmas[l] is now the level's first inverse place, from which its run's offsets follow. */
  for (int32_t k = b0; k < b1; k++) {
    const uint32_t *o = e->ops + 4 * (size_t)k;
    const int32_t l = level[k - b0], a = level_slot(position, base, o[1]);
    const int32_t first_inv = fmas[l], nfma = w[at[l]];
    if (o[0] == PK_OP_INV) { w[at[l] + 2 + 3 * nfma + (position[k] - first_inv)] = a; continue; }
    int32_t *f = w + at[l] + 1 + 3 * (position[k] - (first_inv - nfma));
    const int32_t b = level_slot(position, base, o[2]);
    switch (o[0]) {
      case PK_OP_ADD: f[0] = a; f[1] = b; f[2] = one; break;
      case PK_OP_MUL: f[0] = negzero; f[1] = a; f[2] = b; break;
      default: f[0] = a; f[1] = b; f[2] = level_slot(position, base, o[3]);
    }
  }
  return len;
}

/* Compiles the FMA form into w (room for 5 ints an op, + 1) block by block; returns its
 * length. position: nops ints, left holding each op's place among the values. */
static size_t compile_levels(const pk_elim *e, int32_t *position, int32_t *scratch, int32_t *w) {
  size_t len = 0;
  for (int32_t b0 = 0; b0 < e->nops; b0 += LEVEL_BLOCK)
    len += compile_block(e, b0, e->nops - b0 < LEVEL_BLOCK ? e->nops : b0 + LEVEL_BLOCK, position, scratch, w + len);
  w[len++] = -1;
  return len;
}

/* Past this many ops the form is not made (it adds 12 bytes an op to a tape of 16):
 * such tapes stay interpreted. */
enum { FMA_MAX_OPS = 1 << 21 };

/* The FMA form where runs do not pay (e->lslot set; nothing made when out of memory or too long). */
static void compile_fma_program(pk_elim *e) {
  if (e->nops > FMA_MAX_OPS) return;
  const int32_t base = e->ninputs + 1;
  int32_t *position = malloc(((size_t)e->nops + 4 * (size_t)LEVEL_BLOCK + 3) * sizeof *position);
  int32_t *prog = position ? malloc((5 * (size_t)e->nops + 1) * sizeof *prog) : NULL;
  int32_t *lslot = prog ? malloc(((size_t)e->ncmd + (size_t)e->n + 1) * sizeof *lslot) : NULL;
  if (lslot) {
    const size_t len = compile_levels(e, position, position + e->nops, prog);
    int32_t *shrunk = realloc(prog, len * sizeof *prog);
    e->prog = shrunk ? shrunk : prog;
    e->nprog = (int32_t)len;
    for (int32_t k = 0; k < e->ncmd; k++) lslot[k] = level_slot(position, base, (uint32_t)e->slot[k]);
    for (int32_t v = 0; v < e->n; v++) lslot[e->ncmd + v] = level_slot(position, base, (uint32_t)e->scale_slot[v]);
    e->lslot = lslot;
  } else {
    free(prog);
  }
  free(position);
}

static int32_t run_fma(const pk_elim *e, double *vals) {
  double *out = vals + e->ninputs + 1;
  int32_t bad = -1, k = 0;
  for (const int32_t *p = e->prog;;) {
    const int32_t count = *p++;
    if (count < 0) return bad;
    for (int32_t i = 0; i < count; i++, p += 3) out[k + i] = vals[p[0]] + vals[p[1]] * vals[p[2]];
    k += count;
    const int32_t inverses = *p++;
    for (int32_t i = 0; i < inverses; i++) {
      const double x = vals[p[i]];
      if (!(x > 0) && bad < 0) bad = k + i;
      out[k + i] = 1.0 / x;
    }
    p += inverses;
    k += inverses;
  }
}

static int32_t interpret(const pk_elim *e, double *vals) {
  const uint32_t *o = e->ops;
  double *out = vals + e->ninputs + 1;
  int32_t bad = -1;
  for (int32_t k = 0, n = e->nops; k < n; k++, o += 4) {
    switch (o[0]) {
      case PK_OP_ADD: out[k] = vals[o[1]] + vals[o[2]]; break;
      case PK_OP_MUL: out[k] = vals[o[1]] * vals[o[2]]; break;
      case PK_OP_FMA: out[k] = vals[o[1]] + vals[o[2]] * vals[o[3]]; break;
      default: {
        double a = vals[o[1]];
        if (!(a > 0) && bad < 0) bad = k;
        out[k] = 1.0 / a;
      }
    }
  }
  return bad;
}

/* Int32s of the run at p, its closing size included. */
static inline int32_t run_size(const int32_t *p) {
  const int32_t len = p[1];
  switch (p[0]) {
    case RUN_CHAIN_SEQ: case RUN_SCALE_SEQ: return 5;
    case RUN_CHAIN: case RUN_SCALE: return 4 + len;
    case RUN_MUL: return 3 + 2 * len;
    case RUN_FMA: return 3 + 3 * len;
    default: return 3 + len;
  }
}

static int32_t run_forward(const pk_elim *e, double *vals) {
  double *out = vals + e->ninputs + 1;
  int32_t bad = -1, k = 0;
  for (const int32_t *p = e->prog, *end = p + e->nprog; p < end;) {
    const int32_t len = p[1];
    double *o = out + k;
    switch (p[0]) {
      case RUN_CHAIN_SEQ: { double acc = vals[p[2]]; const double *b = vals + p[3]; for (int32_t i = 0; i < len; i++) o[i] = acc = acc + b[i]; break; }
      case RUN_CHAIN: { double acc = vals[p[2]]; const int32_t *b = p + 3; for (int32_t i = 0; i < len; i++) o[i] = acc = acc + vals[b[i]]; break; }
      case RUN_SCALE_SEQ: { const double s = vals[p[2]]; const double *x = vals + p[3]; for (int32_t i = 0; i < len; i++) o[i] = x[i] * s; break; }
      case RUN_SCALE: { const double s = vals[p[2]]; const int32_t *x = p + 3; for (int32_t i = 0; i < len; i++) o[i] = vals[x[i]] * s; break; }
      case RUN_MUL: { const int32_t *a = p + 2; for (int32_t i = 0; i < len; i++, a += 2) o[i] = vals[a[0]] * vals[a[1]]; break; }
      case RUN_FMA: { const int32_t *a = p + 2; for (int32_t i = 0; i < len; i++, a += 3) o[i] = vals[a[0]] + vals[a[1]] * vals[a[2]]; break; }
      default: {
        const int32_t *a = p + 2;
        for (int32_t i = 0; i < len; i++) {
          const double x = vals[a[i]];
          if (!(x > 0) && bad < 0) bad = k + i;
          o[i] = 1.0 / x;
        }
      }
    }
    k += len;
    p += run_size(p);
  }
  return bad;
}

/* Compiling costs two or three interpreted evaluations: a trace evaluated a few times (a
 * cache hit answering one question) is interpreted; from the fourth evaluation on, runs or
 * the FMA form. */
void pk_trace_prepare(pk_elim *e) {
  if (!e->prog && e->nprog == 0 && e->nops > 0 && ++e->evaluations >= COMPILE_AFTER) compile_program(e);
}

/* The multipliers and scale0 from the values, numbered as slot and scale say. */
static void read_multipliers(pk_elim *e, const double *vals, const int32_t *slot, const int32_t *scale) {
  for (int32_t k = 0; k < e->ncmd; k++) e->m[k] = vals[slot[k]];
  for (int32_t v = 0; v < e->n; v++) e->scale0[v] = vals[scale[v]];
}

/* Evaluates at w; in the tape's numbering when `tape` (for a reverse pass), else in the
 * compiled form's where it has one of its own. Compiles first where due, so that the
 * evaluation that compiles is numbered as asked too. */
static int32_t evaluate(pk_elim *e, const double *w, double *vals, int32_t tape) {
  const int32_t ni = e->ninputs;
  if (w != vals) memcpy(vals, w, (size_t)ni * sizeof *vals); /* weights written in place need no copy */
  vals[ni] = 0.0;
  pk_trace_prepare(e);
  if (e->lslot && !tape) {
    vals[ni + 1 + e->nops] = 1.0;
    vals[ni + 2 + e->nops] = -0.0;
    const int32_t bad = run_fma(e, vals);
    read_multipliers(e, vals, e->lslot, e->lslot + e->ncmd);
    return bad;
  }
  const int32_t bad = e->prog && !e->lslot ? run_forward(e, vals) : interpret(e, vals);
  read_multipliers(e, vals, e->slot, e->scale_slot);
  return bad;
}

int32_t pk_trace_evaluate(pk_elim *e, const double *w, double *vals) {
  return evaluate(e, w, vals, 0);
}

int32_t pk_trace_evaluate_tape(pk_elim *e, const double *w, double *vals) {
  return evaluate(e, w, vals, 1);
}

/* Op-by-op reverse pass over the recorded tape (where it was not compiled into runs). */
static void interpret_reverse(const pk_elim *e, const double *vals, double *vbar) {
  const int32_t ni = e->ninputs;
  const double *out = vals + ni + 1;
  for (int32_t k = e->nops - 1; k >= 0; k--) {
    const uint32_t *o = e->ops + 4 * (size_t)k;
    double g = vbar[ni + 1 + k];
    if (g == 0) continue;
    switch (o[0]) {
      case PK_OP_ADD: vbar[o[1]] += g; vbar[o[2]] += g; break;
      case PK_OP_MUL: vbar[o[1]] += g * vals[o[2]]; vbar[o[2]] += g * vals[o[1]]; break;
      case PK_OP_FMA: vbar[o[1]] += g; vbar[o[2]] += g * vals[o[3]]; vbar[o[3]] += g * vals[o[2]]; break;
      default: vbar[o[1]] -= g * out[k] * out[k]; /* d(1/a) = −1/a² */
    }
  }
}

/* The runs backwards, each op's adjoint exactly as interpret_reverse computes it. */
static void run_reverse(const pk_elim *e, const double *vals, double *vbar) {
  const int32_t first = e->ninputs + 1;
  const double *out = vals + first;
  double *obar = vbar + first;
  int32_t k = e->nops;
  for (const int32_t *end = e->prog + e->nprog; end > e->prog;) {
    const int32_t *p = end - end[-1];
    end = p;
    const int32_t len = p[1];
    k -= len;
    const double *o = out + k;
    const double *g = obar + k;
    switch (p[0]) {
      case RUN_CHAIN_SEQ: case RUN_CHAIN: {
        /* Op i adds its adjoint to op i−1's, which nothing else reads any more: carried in
         * a register (the same sum: g[i−1] + gi, skipped when gi is 0, as op by op). */
        const int seq = p[0] == RUN_CHAIN_SEQ;
        double carry = g[len - 1];
        for (int32_t i = len - 1; i >= 0; i--) {
          const double gi = carry;
          if (i > 0) carry = gi == 0 ? g[i - 1] : g[i - 1] + gi;
          if (gi == 0) continue;
          if (i == 0) vbar[p[2]] += gi;
          vbar[seq ? p[3] + i : p[3 + i]] += gi;
        }
        break;
      }
      case RUN_SCALE_SEQ: case RUN_SCALE: {
        /* s is read by no op of the run but as the shared factor: its adjoint accumulates in a register. */
        const int seq = p[0] == RUN_SCALE_SEQ;
        const int32_t s = p[2];
        const double vs = vals[s];
        double sbar = vbar[s];
        for (int32_t i = len - 1; i >= 0; i--) {
          const double gi = g[i];
          if (gi == 0) continue;
          const int32_t x = seq ? p[3] + i : p[3 + i];
          vbar[x] += gi * vs;
          sbar += gi * vals[x];
        }
        vbar[s] = sbar;
        break;
      }
      case RUN_MUL:
        for (int32_t i = len - 1; i >= 0; i--) {
          const double gi = g[i];
          if (gi == 0) continue;
          const int32_t a = p[2 + 2 * i], b = p[3 + 2 * i];
          vbar[a] += gi * vals[b]; vbar[b] += gi * vals[a];
        }
        break;
      case RUN_FMA:
        for (int32_t i = len - 1; i >= 0; i--) {
          const double gi = g[i];
          if (gi == 0) continue;
          const int32_t a = p[2 + 3 * i], b = p[3 + 3 * i], c = p[4 + 3 * i];
          vbar[a] += gi; vbar[b] += gi * vals[c]; vbar[c] += gi * vals[b];
        }
        break;
      default:
        for (int32_t i = len - 1; i >= 0; i--) {
          const double gi = g[i];
          if (gi == 0) continue;
          vbar[p[2 + i]] -= gi * o[i] * o[i]; /* d(1/a) = −1/a² */
        }
    }
  }
}

void pk_trace_reverse(const pk_elim *e, const double *vals, const double *mbar, const double *sbar, double *vbar, double *wbar) {
  const int32_t ni = e->ninputs, nops = e->nops;
  memset(vbar, 0, ((size_t)ni + 1 + (size_t)nops) * sizeof *vbar);
  for (int32_t k = 0; k < e->ncmd; k++) vbar[e->slot[k]] += mbar[k];
  for (int32_t v = 0; v < e->n; v++) vbar[e->scale_slot[v]] += sbar[v];
  if (e->prog && !e->lslot) run_reverse(e, vals, vbar);
  else interpret_reverse(e, vals, vbar);
  if (wbar != vbar) memcpy(wbar, vbar, (size_t)ni * sizeof *wbar); /* the inputs' adjoints are vbar's first slots */
}

void pk_solve_record(const pk_elim *e, const double *r, double *x, double *xs) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  for (int32_t v = 0; v < e->n; v++) x[v] = r[v] * e->scale0[v];
  for (int32_t k = 0, nc = e->ncmd; k < nc; k++) {
    int32_t s = src[k];
    if (s < 0) { xs[k] = x[dst[k]]; x[dst[k]] *= m[k]; }
    else { xs[k] = x[s]; x[dst[k]] += m[k] * x[s]; }
  }
}

void pk_solve_reverse(const pk_elim *e, const double *r, const double *xs, double *xbar, double *mbar, double *sbar, double *rbar) {
  const int32_t *dst = e->dst, *src = e->src;
  const double *m = e->m;
  for (int32_t k = e->ncmd - 1; k >= 0; k--) {
    int32_t s = src[k], d = dst[k];
    mbar[k] += xbar[d] * xs[k];
    if (s < 0) xbar[d] *= m[k];
    else xbar[s] += m[k] * xbar[d];
  }
  for (int32_t v = 0; v < e->n; v++) {
    sbar[v] += xbar[v] * r[v];
    rbar[v] = xbar[v] * e->scale0[v];
  }
}

/* Reward expectations after an elimination (or a trace evaluated at θ), m of them for one
 * pass whatever m: the transpose of pk_solve at the start gives the expected time τ_v in every
 * vertex (into tau: n doubles), then E[R_i] = Σ_v R_i(v)·τ_v over the rewards' nonzero
 * entries by vertex (pk_reward_sums). Solving once per reward took m passes (an SFS's n − 1).
 * Equal to solve(R_i)[start] to rounding, not bitwise: the sums run the other way. */
void pk_expect_times(const pk_elim *e, int32_t m, const int32_t *rrp, const int32_t *ridx, const double *rval, double *tau, double *out) {
  pk_expected_times(e, tau);
  pk_reward_sums(e->n, m, rrp, ridx, rval, tau, out);
}

/* ∂E[r]/∂θ of a continuous graph after its elimination at θ (or its trace evaluated there), from
 * the expected times tau that pk_expect_times left: x = solve(r) is E[r | in v] for every v,
 * then one pass over the structure's edges (pk_expect_edge_gradient). Nothing is read from the
 * tape, so none need be recorded. A log-likelihood of m expectations passes the one reward
 * Σ_i ȳ_i R_i (pk_combine_rewards). x: n scratch; grad: p. */
void pk_expect_gradient(const pk_elim *e, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, const double *tau,
                        const double *r, double *x, double *grad) {
  pk_solve(e, r, x);
  pk_expect_edge_gradient(e->n, p, rp, col, coef, tau, x, grad);
}

/* The raw moments m_1..m_k of the reward r (continuous graph, after its elimination or trace
 * evaluation at θ) with the conditional moments x_j = solve(b_j) they come from, b_1 = r and
 * b_{j+1} = (j + 1)·r ⊙ x_j: X (k × n), out (k), b (n scratch). The bits of pk_moments. */
void pk_moments_conditional(const pk_elim *e, const double *r, int32_t k, double *X, double *b, double *out) {
  const int32_t n = e->n;
  memcpy(b, r, (size_t)n * sizeof *b);
  for (int32_t j = 0; j < k; j++) {
    double *x = X + (size_t)j * n;
    pk_solve(e, b, x);
    out[j] = x[0];
    if (j + 1 < k) for (int32_t v = 0; v < n; v++) b[v] = (j + 2) * r[v] * x[v];
  }
}

/* The adjoint vectors every moment gradient is made of (continuous graph, after its elimination
 * or trace evaluation at θ): μ_0 = τ, the expected time in every vertex, and μ_d = (r ⊙ μ_{d−1}) U
 * by the transposed solve, d < k. mu: k × n. See pk_moments_gradient. */
void pk_moments_adjoint_times(const pk_elim *e, const double *r, int32_t k, double *mu) {
  const int32_t n = e->n;
  for (int32_t d = 0; d < k; d++) {
    double *m = mu + (size_t)d * n;
    if (d == 0) { pk_expected_times(e, m); continue; }
    const double *prev = m - n;
    for (int32_t v = 0; v < n; v++) m[v] = r[v] * prev[v];
    pk_solve_adjoint(e, m, m);
  }
}

/* ∂(Σ_J s_J m_J)/∂θ for the moments of pk_moments_conditional (X: x_i = solve(b_i)), with no tape.
 * Reverse mode through m_J = x_J(start), x_i = U b_i and b_{i+1} = (i + 1)·r ⊙ x_i gives b_i's
 * adjoint λ_i = Σ_{J ≥ i} s_J (J!/i!) μ_{J−i} (pk_moments_adjoint_times: the same k vectors for
 * every seed), and each x_i = U b_i adds λ_i(v) (x_i(c) − x_i(v)) to ∂/∂w for an edge v → c
 * (for the start's edges, weights α, s_i·x_i(c): the start spends no time, μ(start) = 0). Then
 * θ's through the coefficients. lam: k × n scratch; grad: p. */
void pk_moments_gradient(const pk_elim *e, int32_t p, const int32_t *rp, const int32_t *col, const double *coef, int32_t k,
                         const double *X, const double *mu, const double *seed, double *lam, double *grad) {
  const int32_t n = e->n;
  for (int32_t i = 0; i < k; i++) {                      /* λ for b_{i+1}: moment J = j + 1 weighs (J!/(i+1)!) μ_{j−i} */
    double *l = lam + (size_t)i * n;
    memset(l, 0, (size_t)n * sizeof *l);
    double ratio = 1.0;
    for (int32_t j = i; j < k; j++) {
      if (j > i) ratio *= (double)(j + 1);
      const double c = seed[j] * ratio;
      if (c == 0.0) continue;
      const double *m = mu + (size_t)(j - i) * n;
      for (int32_t v = 0; v < n; v++) l[v] += c * m[v];
    }
  }
  for (int32_t c = 0; c < p; c++) grad[c] = 0.0;
  for (int32_t i = 0; i < k; i++) pk_edge_gradient_add(n, p, rp, col, coef, seed[i], lam + (size_t)i * n, X + (size_t)i * n, grad);
}

/* The adjoint of E[r] = solve(r)[start] for one reward r: sets mbar (ncmd) and sbar (n), which
 * pk_trace_reverse takes on to the weights: the gradient of a discrete graph's E[r], whose
 * stay-put probabilities pk_expect_gradient does not model. x, xbar, rbar: n scratch each; xs: ncmd. */
void pk_expect_adjoint(const pk_elim *e, const double *r, double *x, double *xs, double *xbar, double *rbar, double *mbar, double *sbar) {
  memset(mbar, 0, (size_t)e->ncmd * sizeof *mbar);
  memset(sbar, 0, (size_t)e->n * sizeof *sbar);
  pk_solve_record(e, r, x, xs);
  memset(xbar, 0, (size_t)e->n * sizeof *xbar);
  xbar[0] = 1.0;
  pk_solve_reverse(e, r, xs, xbar, mbar, sbar, rbar);
}

/* Raw moments of a continuous graph with their reverse-pass record: b_1 = r,
 * x_j = solve(b_j), b_{j+1} = (j+1)·r ⊙ x_j, out[j−1] = x_j[start]. B and X are
 * k × n, XS is k × ncmd. */
void pk_moments_forward(const pk_elim *e, const double *r, int32_t k, double *B, double *X, double *XS, double *out) {
  const int32_t n = e->n;
  memcpy(B, r, (size_t)n * sizeof *B);
  for (int32_t j = 0; j < k; j++) {
    double *x = X + (size_t)j * n;
    pk_solve_record(e, B + (size_t)j * n, x, XS + (size_t)j * e->ncmd);
    out[j] = x[0];
    if (j + 1 < k) { double *b = B + (size_t)(j + 1) * n; for (int32_t v = 0; v < n; v++) b[v] = (j + 2) * r[v] * x[v]; }
  }
}

/* Adjoint of pk_moments_forward for output adjoints seed (k): sets mbar and sbar.
 * work: 3n scratch. */
void pk_moments_reverse(const pk_elim *e, const double *r, int32_t k, const double *B, const double *XS, const double *seed,
                        double *work, double *mbar, double *sbar) {
  const int32_t n = e->n;
  double *carry = work, *xbar = work + n, *bbar = work + 2 * (size_t)n;
  memset(mbar, 0, (size_t)e->ncmd * sizeof *mbar);
  memset(sbar, 0, (size_t)n * sizeof *sbar);
  memset(carry, 0, (size_t)n * sizeof *carry);
  for (int32_t j = k - 1; j >= 0; j--) {
    memcpy(xbar, carry, (size_t)n * sizeof *xbar);
    xbar[0] += seed[j];
    pk_solve_reverse(e, B + (size_t)j * n, XS + (size_t)j * e->ncmd, xbar, mbar, sbar, bbar);
    for (int32_t v = 0; v < n; v++) carry[v] = (j + 1) * r[v] * bbar[v];
  }
}

/* θ̄ for a few parameters, the sums in registers (inlined with npar a constant). */
static inline __attribute__((always_inline)) void chain_small(int32_t m, int32_t npar, const double *coef, const double *wbar, double *grad) {
  double acc[4] = { 0, 0, 0, 0 };
  for (int32_t j = 0; j < m; j++) {
    const double x = wbar[j];
    if (x == 0) continue;
    const double *c = coef + (size_t)j * npar;
    for (int32_t i = 0; i < npar; i++) acc[i] += c[i] * x;
  }
  for (int32_t i = 0; i < npar; i++) grad[i] = acc[i];
}

/* θ̄ = Cᵀ w̄ for canonical weights w = base + C·θ (C is m × npar, row-major). */
void pk_chain_theta(int32_t m, int32_t npar, const double *coef, const double *wbar, double *grad) {
  switch (npar) {
    case 1: chain_small(m, 1, coef, wbar, grad); return;
    case 2: chain_small(m, 2, coef, wbar, grad); return;
    case 3: chain_small(m, 3, coef, wbar, grad); return;
    case 4: chain_small(m, 4, coef, wbar, grad); return;
  }
  for (int32_t i = 0; i < npar; i++) grad[i] = 0;
  for (int32_t j = 0; j < m; j++) {
    double x = wbar[j];
    if (x == 0) continue;
    const double *c = coef + (size_t)j * npar;
    for (int32_t i = 0; i < npar; i++) grad[i] += c[i] * x;
  }
}
