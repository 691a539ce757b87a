/* Graph JSON (../shared/graph-format.md) read in the kernel: a fast path only. It
 * accepts exactly the shape graphToJSON writes (keys in any order, any JSON
 * whitespace) and answers "not handled" (null) on anything else: an unknown,
 * repeated or missing key, a string escape, a state or index that is not a plain
 * int32, a number it cannot convert with certainty, a state of the wrong length, a
 * coefficient count that is not paramLength, an index out of range, trailing text.
 * Then the TypeScript reader runs and says what is wrong in its own words, so every
 * error stays its error. What it accepts becomes flat arrays (GraphBuffers) that
 * TypeScript adopts and validates like any other buffers.
 *
 * Numbers must become the double JavaScript's JSON.parse gives, bit for bit:
 * Clinger's fast path where the decimal significand and the power of ten are both
 * exact doubles (one correctly rounded operation), else Eisel–Lemire (Lemire, "Number
 * Parsing at a Gigabyte per Second", 2021; the variant with its ambiguity checks,
 * as in Go's strconv) on a 128-bit table of powers of ten rounded down. Where that
 * cannot decide (a halfway case, a subnormal or overflowing result, more than 19
 * significant digits) the whole text goes to JavaScript. */
#include "kernel.h"
#include <stdlib.h>
#include <string.h>
#include "pow10-table.h"

/* The result, read by src/kernel/json-reader.ts as ten 32-bit words (wasm32 pointers). */
typedef struct pk_json {
  int32_t n, m, L, p, discrete;
  int32_t *states, *from, *to;
  double *weight, *coef;
} pk_json;

/* Growable arrays, doubled as they fill. */
typedef struct { int32_t *a; int32_t n, cap; } ints;
typedef struct { double *a; int32_t n, cap; } doubles;

static int grow(void **a, int32_t *cap, size_t size) {
  if (*cap > INT32_MAX / 2 || (size_t)*cap * 2 > SIZE_MAX / size) return -1;
  int32_t next = *cap ? *cap * 2 : 1024;
  void *b = realloc(*a, (size_t)next * size);
  if (!b) return -1;
  *a = b;
  *cap = next;
  return 0;
}
static int push_int(ints *v, int32_t x) {
  if (v->n == v->cap && grow((void **)&v->a, &v->cap, sizeof *v->a)) return -1;
  v->a[v->n++] = x;
  return 0;
}
static int push_double(doubles *v, double x) {
  if (v->n == v->cap && grow((void **)&v->a, &v->cap, sizeof *v->a)) return -1;
  v->a[v->n++] = x;
  return 0;
}

/* The scanners take a position and return the one after what they read, or null (not
 * handled). The text is followed by 8 NUL bytes, at which every scan stops: no bounds checks. */
static const uint8_t *ws(const uint8_t *s) {
  while (*s <= ' ' && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) s++;
  return s;
}
/* Whitespace, then `ch`: the position after it, or null. */
static const uint8_t *expect(const uint8_t *s, uint8_t ch) {
  s = ws(s);
  return *s == ch ? s + 1 : 0;
}
static unsigned digit(const uint8_t *s) { return (unsigned)*s - '0'; }

/* The run of up to 8 digits at s and its value, read as one 64-bit word (the text is
 * padded with 8 NUL bytes): its length, 8 when it may go on. */
static int digits8(const uint8_t *s, uint64_t *value) {
  uint64_t x;
  memcpy(&x, s, sizeof x);
  uint64_t t = x - 0x3030303030303030ull;
  /* A byte's top bit is set where it is not a digit; borrows only run towards later bytes. */
  uint64_t non = (t | (t + 0x7676767676767676ull)) & 0x8080808080808080ull;
  int k = non ? __builtin_ctzll(non) >> 3 : 8;
  if (k == 0) return 0;
  /* Digits to the top bytes (the bytes below become leading zeros), then pairs, quads, eight. */
  uint64_t v = t << (64 - 8 * k);
  v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
  *value = (v * 10000 + (v >> 32)) & 0xFFFFFFFFull;
  return k;
}

/* What JSON.stringify writes for a small non-negative integer: 1 to 7 digits without a
 * leading zero, then ',' or ']'. Its length (0 when the text at s is anything else). */
static int small_int(const uint8_t *s, uint64_t *value) {
  int k = digits8(s, value);
  return k > 0 && k < 8 && (k == 1 || *s != '0') && (s[k] == ',' || s[k] == ']') ? k : 0;
}

/* A plain JSON integer (no fraction or exponent) in int32 range. */
static const uint8_t *scan_int(const uint8_t *s, int32_t *out) {
  uint64_t v;
  int k = small_int(s, &v);
  if (k) {
    *out = (int32_t)v;
    return s + k;
  }
  s = ws(s);
  int neg = *s == '-';
  s += neg;
  k = digits8(s, &v);
  if (k == 0 || (k > 1 && *s == '0')) return 0; /* no digit, or a leading zero */
  s += k;
  if (k == 8) {
    for (unsigned d; (d = digit(s)) <= 9; s++) {
      if (++k > 10) return 0;
      v = v * 10 + d;
    }
  }
  if (*s == '.' || *s == 'e' || *s == 'E') return 0;
  int64_t x = neg ? -(int64_t)v : (int64_t)v;
  if (x < INT32_MIN || x > INT32_MAX) return 0;
  *out = (int32_t)x;
  return s;
}

static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  *lo = (mid << 32) | (uint32_t)p00;
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static double from_bits(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }

/* w·10^q (w > 0) as a double's bits, or -1 where the 128-bit approximation cannot
 * decide the rounding, or the result is subnormal or overflows. */
static int eisel_lemire(uint64_t w, int32_t q, uint64_t *bits) {
  if (q < -342 || q > 308) return -1;
  const uint64_t *t = pow10_128 + 2 * (q + 342);
  int lz = __builtin_clzll(w);
  w <<= lz;
  uint64_t hi, lo;
  mul64(w, t[0], &hi, &lo);
  /* Wider approximation: the low word of 10^q only matters when the bits below the
   * 54 kept ones are all ones and the neglected part could carry into them. */
  if ((hi & 0x1FF) == 0x1FF && lo + w < w) {
    uint64_t hi2, lo2;
    mul64(w, t[1], &hi2, &lo2);
    uint64_t mlo = lo + hi2, mhi = hi + (mlo < lo);
    if ((mhi & 0x1FF) == 0x1FF && mlo + 1 == 0 && lo2 + w < w) return -1;
    hi = mhi; lo = mlo;
  }
  uint64_t msb = hi >> 63;
  uint64_t mantissa = hi >> (msb + 9);
  int64_t exp2 = (int64_t)((217706 * (int64_t)q) >> 16) + 64 + 1023 - lz - (int64_t)(1 ^ msb);
  /* Exactly halfway between two doubles, as far as these bits tell: undecided. */
  if (lo == 0 && (hi & 0x1FF) == 0 && (mantissa & 3) == 1) return -1;
  mantissa += mantissa & 1;
  mantissa >>= 1;
  if (mantissa >> 53) { mantissa >>= 1; exp2++; }
  if (exp2 <= 0 || exp2 >= 0x7FF) return -1;
  *bits = ((uint64_t)exp2 << 52) | (mantissa & 0x000FFFFFFFFFFFFFull);
  return 0;
}

static const double exact_pow10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* Clinger's fast path: w and 10^|q| are exact doubles, so one operation rounds correctly. */
static int clinger(uint64_t w, int64_t q, double *x) {
  if (w > (1ull << 53) || q < -22 || q > 22) return 0;
  *x = q < 0 ? (double)w / exact_pow10[-q] : (double)w * exact_pow10[q];
  return 1;
}

/* Where w·10^q is n·2^q with n = w·5^q (or w / 5^-q, when that divides) an integer below
 * 2^64: one rounding, of n to a double, then an exact scaling by 2^q. These are the exact
 * and halfway values at which Eisel–Lemire's checks give up. */
static int dyadic(uint64_t w, int64_t q, double *x) {
  if (q < -27 || q > 27) return 0;
  uint64_t p5 = 1;
  for (int64_t i = 0; i < (q < 0 ? -q : q); i++) p5 *= 5;
  uint64_t n;
  if (q < 0) {
    if (w % p5) return 0;
    n = w / p5;
  } else {
    if (w > UINT64_MAX / p5) return 0;
    n = w * p5;
  }
  double two_q = (double)(1ull << (q < 0 ? -q : q));
  *x = q < 0 ? (double)n / two_q : (double)n * two_q;
  return 1;
}

/* w·10^q (w > 0) rounded as JavaScript rounds it, or -1 where that is not certain here. */
static int decimal_to_double(uint64_t w, int64_t q, double *x) {
  if (clinger(w, q, x)) return 0;
  /* Trailing zeros (a short number printed with 17 or more digits) may bring it into range. */
  while (w % 10 == 0) w /= 10, q++;
  if (clinger(w, q, x) || dyadic(w, q, x)) return 0;
  uint64_t bits;
  if (q < -342 || q > 308 || eisel_lemire(w, (int32_t)q, &bits)) return -1;
  *x = from_bits(bits);
  return 0;
}

/* A JSON number as JSON.parse reads it, or null (malformed, or not convertible with certainty). */
static const uint8_t *scan_number(const uint8_t *s, double *out) {
  uint64_t small;
  int k = small_int(s, &small);
  if (k) {
    *out = (double)small; /* exact */
    return s + k;
  }
  s = ws(s);
  int neg = *s == '-';
  s += neg;
  unsigned d = digit(s);
  if (d > 9) return 0;
  uint64_t w = 0;
  int significant = 0; /* digits from the first non-zero one */
  int64_t scale = 0;   /* the value is w·10^(exponent + scale) */
  if (d == 0) {
    s++;
    if (digit(s) <= 9) return 0; /* a leading zero */
  } else {
    significant = digits8(s, &w);
    s += significant;
    for (; (d = digit(s)) <= 9; s++) {
      if (significant == 19) { /* past 19 digits only zeros are exact: the power of ten takes them */
        if (d) return 0;
        scale++;
        continue;
      }
      significant++;
      w = w * 10 + d;
    }
  }
  if (*s == '.') {
    s++;
    if (digit(s) > 9) return 0;
    for (; (d = digit(s)) <= 9; s++) {
      if (significant == 19) {
        if (d) return 0;
        continue;
      }
      if (w != 0 || d != 0) significant++;
      w = w * 10 + d;
      scale--;
    }
  }
  int64_t exponent = 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    int eneg = *s == '-';
    if (*s == '+' || *s == '-') s++;
    if (digit(s) > 9) return 0;
    for (int digits = 0; (d = digit(s)) <= 9; s++) {
      if (++digits > 5) return 0;
      exponent = exponent * 10 + d;
    }
    if (eneg) exponent = -exponent;
  }
  /* -0 is left to JavaScript: the canonical structure built edge by edge sums it to +0, where
   * adopted arrays would keep -0 (and JSON.stringify never writes it). */
  if (w == 0 && neg) return 0;
  double x = 0.0;
  if (w != 0 && decimal_to_double(w, exponent + scale, &x)) return 0;
  *out = neg ? -x : x;
  return s;
}

typedef struct {
  ints states, from, to;
  doubles weight, coef;
  int32_t n, L, stateLength, p, discrete; /* L: the states' length; stateLength: as declared */
  int32_t coefMin, coefMax, coefAbsent;   /* over the edges: coefficient counts, edges without */
} reader;

/* A list [x, …], maybe empty, appended to `whole` (plain int32s) or else to `reals` (numbers). */
static const uint8_t *scan_list(const uint8_t *s, ints *whole, doubles *reals) {
  if (!(s = expect(s, '['))) return 0;
  s = ws(s);
  if (*s == ']') return s + 1;
  for (;;) {
    if (whole) {
      int32_t x;
      if (!(s = scan_int(s, &x)) || push_int(whole, x)) return 0;
    } else {
      double x;
      if (!(s = scan_number(s, &x)) || push_double(reals, x)) return 0;
    }
    s = ws(s);
    if (*s == ']') return s + 1;
    if (*s++ != ',') return 0;
  }
}

/* [[int, …], …]: non-empty, every state as long as the first. */
static const uint8_t *scan_vertices(const uint8_t *s, reader *r) {
  if (!(s = expect(s, '['))) return 0;
  r->L = -1;
  do {
    int32_t before = r->states.n;
    if (!(s = scan_list(s, &r->states, 0))) return 0;
    int32_t len = r->states.n - before;
    if (r->L >= 0 && len != r->L) return 0;
    r->L = len;
    r->n++;
    s = ws(s);
  } while (*s == ',' && s++);
  return expect(s, ']');
}

/* [[from, to, weight, [coefficients]?], …] */
static const uint8_t *scan_edges(const uint8_t *s, reader *r) {
  if (!(s = expect(s, '['))) return 0;
  r->coefMin = INT32_MAX; r->coefMax = -1; r->coefAbsent = 0;
  s = ws(s);
  if (*s == ']') return s + 1;
  do {
    int32_t from, to;
    double weight;
    if (!(s = expect(s, '[')) || !(s = scan_int(s, &from)) || !(s = expect(s, ',')) || !(s = scan_int(s, &to)) ||
        !(s = expect(s, ',')) || !(s = scan_number(s, &weight))) return 0;
    if (from < 0 || to < 0) return 0;
    if (push_int(&r->from, from) || push_int(&r->to, to) || push_double(&r->weight, weight)) return 0;
    s = ws(s);
    if (*s == ',') {
      int32_t before = r->coef.n;
      if (!(s = scan_list(s + 1, 0, &r->coef))) return 0;
      int32_t k = r->coef.n - before;
      if (k < r->coefMin) r->coefMin = k;
      if (k > r->coefMax) r->coefMax = k;
    } else {
      r->coefAbsent = 1;
    }
    if (!(s = expect(s, ']'))) return 0;
    s = ws(s);
  } while (*s == ',' && s++);
  return expect(s, ']');
}

/* The text at s starts with `word` (compared byte by byte, so the NUL stops a short text). */
static int literal(const uint8_t *s, const char *word) {
  for (; *word; s++, word++) if (*s != (uint8_t)*word) return 0;
  return 1;
}

/* An object key without escapes is `name`. */
static int key_is(const uint8_t *k, size_t len, const char *name) {
  return strlen(name) == len && memcmp(k, name, len) == 0;
}

enum { SEEN_PARAMS = 1, SEEN_STATE = 2, SEEN_DISCRETE = 4, SEEN_VERTICES = 8, SEEN_EDGES = 16 };

/* The whole text: one object with the format's keys, nothing after it. */
static const uint8_t *scan_document(const uint8_t *s, reader *r) {
  int seen = 0;
  if (!(s = expect(s, '{'))) return 0;
  do {
    if (!(s = expect(s, '"'))) return 0;
    const uint8_t *k = s;
    while (*s != '"' && *s != '\\' && *s >= 0x20) s++;
    if (*s != '"') return 0;
    size_t len = (size_t)(s - k);
    if (!(s = expect(s + 1, ':'))) return 0;
    int bit;
    if (key_is(k, len, "paramLength")) bit = SEEN_PARAMS;
    else if (key_is(k, len, "stateLength")) bit = SEEN_STATE;
    else if (key_is(k, len, "discrete")) bit = SEEN_DISCRETE;
    else if (key_is(k, len, "vertices")) bit = SEEN_VERTICES;
    else if (key_is(k, len, "edges")) bit = SEEN_EDGES;
    else return 0;
    if (seen & bit) return 0; /* JSON.parse keeps the last; rare enough to leave to it */
    seen |= bit;
    if (bit == SEEN_PARAMS) s = scan_int(s, &r->p);
    else if (bit == SEEN_STATE) s = scan_int(s, &r->stateLength);
    else if (bit == SEEN_VERTICES) s = scan_vertices(s, r);
    else if (bit == SEEN_EDGES) s = scan_edges(s, r);
    else {
      s = ws(s);
      if (literal(s, "true")) r->discrete = 1, s += 4;
      else if (literal(s, "false")) r->discrete = 0, s += 5;
      else return 0;
    }
    if (!s) return 0;
    s = ws(s);
  } while (*s == ',' && s++);
  if (!(s = expect(s, '}'))) return 0;
  const int required = SEEN_STATE | SEEN_VERTICES | SEEN_EDGES;
  return (seen & required) == required ? ws(s) : 0;
}

static void release(reader *r) {
  free(r->states.a); free(r->from.a); free(r->to.a); free(r->weight.a); free(r->coef.a);
}

/* Whether the parsed arrays make a graph the TypeScript reader would accept as well. */
static int consistent(const reader *r) {
  int32_t m = r->from.n;
  if (r->n < 1 || r->L != r->stateLength || r->stateLength < 1 || r->p < 0) return 0;
  for (int32_t e = 0; e < m; e++) if (r->from.a[e] >= r->n || r->to.a[e] >= r->n) return 0;
  if (r->coefMax < 0) return r->p == 0 || m == 0; /* no edge has coefficients */
  if (r->p == 0) return r->coefMax == 0;           /* only empty lists */
  return !r->coefAbsent && r->coefMin == r->p && r->coefMax == r->p;
}

/* The graph in `text` (len bytes, then 8 NUL bytes), or null where the TypeScript reader must run. */
pk_json *pk_json_parse(const uint8_t *text, int32_t len) {
  reader r;
  memset(&r, 0, sizeof r);
  r.stateLength = -1;
  pk_json *j = 0;
  const uint8_t *end = len >= 0 && text[len] == 0 ? scan_document(text, &r) : 0;
  if (end == text + len && consistent(&r) && (j = malloc(sizeof *j))) {
    *j = (pk_json){ r.n, r.from.n, r.L, r.p, r.discrete, r.states.a, r.from.a, r.to.a, r.weight.a, r.p ? r.coef.a : 0 };
    if (!r.p) free(r.coef.a);
    return j;
  }
  release(&r);
  return 0;
}

void pk_json_free(pk_json *j) {
  if (!j) return;
  free(j->states); free(j->from); free(j->to); free(j->weight); free(j->coef);
  free(j);
}
