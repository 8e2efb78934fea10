/* vecfile.c - see vecfile.h. The reader pulls 64 KB chunks and cuts lines out of
 * them into one growing buffer (bounded, so a file without newlines cannot take
 * all memory); numbers go through a fast exact path for short decimals and
 * strtof for everything else. */
#include "vecfile.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filekind.h"
#include "mem.h"

#define VECFILE_CHUNK (1u << 16)
#define VECFILE_MAX_DIM (1 << 20)
/* Shown of a bad token in a message. */
#define VECFILE_SHOW 40

/* ---- numbers ---- */

static int vecfile_strtof(const char *s, size_t len, float *out)
{
    char small[128];
    char *buf = len < sizeof small ? small : xmalloc(len + 1);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    float v = strtof(buf, &end);
    /* strtof skips leading white space; a token has none. */
    int ok = len > 0 && !(buf[0] == ' ' || (buf[0] >= '\t' && buf[0] <= '\r')) && end == buf + len;
    if (buf != small) free(buf);
    if (!ok) return -1;
    if (!isfinite(v)) return -2;
    *out = v;
    return 0;
}

int vecfile_parse_float(const char *s, size_t len, float *out)
{
    /* Fast path (Clinger 1990): m < 2^24 and 10^|e| <= 10^10 are exact floats, so
     * one IEEE multiply or divide rounds m * 10^e correctly, as strtof does. It
     * needs float arithmetic in float precision (FLT_EVAL_METHOD 0). */
#if FLT_EVAL_METHOD == 0
    static const float p10[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    size_t i = 0;
    int neg = 0, digits = 0, frac = 0, big = 0;
    uint32_t m = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        big |= m >= (1u << 24) / 10;
        m = big ? m : m * 10 + (uint32_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
            big |= m >= (1u << 24) / 10;
            m = big ? m : m * 10 + (uint32_t)(s[i] - '0');
        }
    int e = 0, esign = 1, edigits = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) esign = s[i++] == '-' ? -1 : 1;
        for (; i < len && s[i] >= '0' && s[i] <= '9' && edigits < 4; i++, edigits++) e = e * 10 + (s[i] - '0');
        if (edigits == 0) digits = 0; /* "1e": let strtof judge */
    }
    const int e10 = esign * e - frac;
    if (i == len && digits > 0 && !big && e10 >= -10 && e10 <= 10) {
        float v = (float)m;
        v = e10 >= 0 ? v * p10[e10] : v / p10[-e10];
        *out = neg ? -v : v;
        return 0;
    }
#endif
    return vecfile_strtof(s, len, out);
}

/* ---- lines ---- */

typedef struct VecReader {
    FILE *f;
    unsigned char *chunk; /* [VECFILE_CHUNK] */
    size_t cpos, clen;
    int eof, err;
    char *line;           /* [cap], the current line without its '\n', NUL-terminated */
    size_t len, cap, max;
} VecReader;

static int vecreader_fill(VecReader *r)
{
    if (r->eof) return 0;
    r->clen = fread(r->chunk, 1, VECFILE_CHUNK, r->f);
    r->cpos = 0;
    if (r->clen < VECFILE_CHUNK) {
        if (ferror(r->f)) r->err = errno ? errno : EIO;
        r->eof = 1;
    }
    return r->clen > 0;
}

/* 1: a line is in r->line; 0: the end; -1: a read error (r->err); -2: a line
 * longer than r->max. */
static int vecreader_next(VecReader *r)
{
    int any = 0;
    r->len = 0;
    for (;;) {
        if (r->cpos == r->clen && !vecreader_fill(r)) {
            if (r->err) return -1;
            if (!any) return 0;
            break;
        }
        any = 1;
        const unsigned char *p = r->chunk + r->cpos, *nl = memchr(p, '\n', r->clen - r->cpos);
        size_t take = nl ? (size_t)(nl - p) : r->clen - r->cpos;
        if (r->len + take > r->max) return -2;
        if (r->len + take + 1 > r->cap) {
            r->cap = 2 * (r->len + take + 1);
            r->line = xrealloc(r->line, r->cap);
        }
        memcpy(r->line + r->len, p, take);
        r->len += take;
        r->cpos += take + (nl != NULL);
        if (nl) break;
    }
    r->line[r->len] = '\0';
    return 1;
}

/* ---- reading ---- */

typedef struct VecState {
    const char *name;
    const VecfileSink *sink;
    VecfileStats *stats;
    const char **tok; /* [dim] starts of the numbers of the current line */
    size_t *tlen;     /* [dim] */
    float *vec;       /* [dim] */
    uint8_t *seen;    /* [rows] */
    int started;      /* the first non-blank line has been seen */
} VecState;

static int vecfile_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static const char *vecfile_dim_name(const VecfileSink *k)
{
    return k->dim_name ? k->dim_name : "the expected dimension";
}

static int vecfile_bad_token(VecState *vs, const char *t, size_t n, int rc, Status *st)
{
    int show = n > VECFILE_SHOW ? VECFILE_SHOW : (int)n;
    return status_error(st, "%s:%lld: \"%.*s%s\" is not a %snumber", vs->name, (long long)vs->stats->lines, show, t,
                        n > VECFILE_SHOW ? "..." : "", rc == -2 ? "finite " : "");
}

static int vecfile_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* The first non-blank line: a header "N D", or else the first vector, whose
 * count must be the caller's dim. Returns 1 when it was a header. */
static int vecfile_first(VecState *vs, const char *w, size_t wn, int64_t count, Status *st)
{
    const VecfileSink *k = vs->sink;
    vs->started = 1;
    if (count == 1 && vecfile_digits(w, wn) && vecfile_digits(vs->tok[0], vs->tlen[0])) {
        long long d = strtoll(vs->tok[0], NULL, 10);
        if (d != k->dim)
            return status_error(st, "%s: vectors have %lld dimensions, %s is %d", vs->name, d, vecfile_dim_name(k), k->dim);
        vs->stats->header = 1;
        vs->stats->header_n = strtoll(w, NULL, 10);
        return 1;
    }
    if (count != k->dim)
        return status_error(st, "%s: vectors have %lld dimensions, %s is %d", vs->name, (long long)count,
                            vecfile_dim_name(k), k->dim);
    return 0;
}

static int vecfile_store(VecState *vs, const char *w, size_t wn, Status *st)
{
    const VecfileSink *k = vs->sink;
    int64_t row = k->want(k->ctx, w, wn);
    if (row == -1) return 0;
    if (row < -1 || row >= k->rows) {
        int show = wn > VECFILE_SHOW ? VECFILE_SHOW : (int)wn;
        return status_error(st, "%s:%lld: row %lld for \"%.*s\" is outside 0..%lld", vs->name,
                            (long long)vs->stats->lines, (long long)row, show, w, (long long)k->rows - 1);
    }
    if (vs->seen[row]) {
        vs->stats->repeated++;
        return 0;
    }
    vs->seen[row] = 1;
    vs->stats->found++;
    memcpy(k->dst + row * k->dim, vs->vec, (size_t)k->dim * sizeof *vs->vec);
    return 0;
}

static int vecfile_line(VecState *vs, char *line, size_t len, Status *st)
{
    const VecfileSink *k = vs->sink;
    if (memchr(line, '\0', len))
        return status_error(st, "%s:%lld: the line holds a NUL byte", vs->name, (long long)vs->stats->lines);
    char *p = line, *end = line + len;
    while (p < end && vecfile_sep(*p)) p++;
    if (p == end) return 0; /* blank */
    char *w = p;
    while (p < end && !vecfile_sep(*p)) p++;
    const size_t wn = (size_t)(p - w);
    int64_t count = 0;
    while (p < end) {
        *p++ = '\0'; /* ends the word or the previous number */
        while (p < end && vecfile_sep(*p)) p++;
        if (p == end) break;
        char *t = p;
        while (p < end && !vecfile_sep(*p)) p++;
        if (count < k->dim) vs->tok[count] = t, vs->tlen[count] = (size_t)(p - t);
        count++;
    }
    if (!vs->started) {
        int rc = vecfile_first(vs, w, wn, count, st);
        if (rc) return rc < 0 ? -1 : 0;
    } else if (count != k->dim) {
        return status_error(st, "%s:%lld: expected %d numbers, got %lld", vs->name, (long long)vs->stats->lines, k->dim,
                            (long long)count);
    }
    for (int j = 0; j < k->dim; j++) {
        int rc = vecfile_parse_float(vs->tok[j], vs->tlen[j], &vs->vec[j]);
        if (rc) return vecfile_bad_token(vs, vs->tok[j], vs->tlen[j], rc, st);
    }
    vs->stats->vectors++;
    return vecfile_store(vs, w, wn, st);
}

static int vecfile_loop(VecReader *r, VecState *vs, Status *st)
{
    for (;;) {
        int rc = vecreader_next(r);
        if (rc == 0) break;
        if (rc == -1) return status_error(st, "%s: read failed: %s", vs->name, strerror(r->err));
        vs->stats->lines++;
        if (rc == -2)
            return status_error(st, "%s:%lld: the line is longer than %zu bytes", vs->name, (long long)vs->stats->lines,
                                r->max);
        if (vecfile_line(vs, r->line, r->len, st)) return -1;
    }
    const VecfileStats *s = vs->stats;
    if (!vs->started) return status_error(st, "%s: empty file", vs->name);
    if (s->header && s->header_n != s->vectors)
        return status_error(st, "%s: the header says %lld words, the file has %lld", vs->name, (long long)s->header_n,
                            (long long)s->vectors);
    return 0;
}

int vecfile_read_stream(FILE *f, const char *name, const VecfileSink *sink, VecfileStats *stats, Status *st)
{
    memset(stats, 0, sizeof *stats);
    if (sink->dim < 1 || sink->dim > VECFILE_MAX_DIM)
        return status_usage(st, "%s: %s is %d; vectors need 1..%d numbers", name, vecfile_dim_name(sink), sink->dim,
                            VECFILE_MAX_DIM);
    if (sink->rows < 0) return status_usage(st, "%s: %lld rows", name, (long long)sink->rows);
    VecReader r = {.f = f, .chunk = xmalloc(VECFILE_CHUNK), .max = (1u << 20) + 64 * (size_t)sink->dim};
    vecreader_fill(&r);
    if (r.err) {
        free(r.chunk);
        return status_error(st, "%s: read failed: %s", name, strerror(r.err));
    }
    FileKind kind = filekind_sniff(r.chunk, r.clen, r.eof, NULL);
    if (kind != FILEKIND_VEC && kind != FILEKIND_TEXT && kind != FILEKIND_EMPTY) {
        free(r.chunk);
        return filekind_mismatch(st, name, kind, FILEKIND_VEC);
    }
    if (r.clen >= 3 && memcmp(r.chunk, "\xef\xbb\xbf", 3) == 0) r.cpos = 3;
    VecState vs = {.name = name, .sink = sink, .stats = stats};
    vs.tok = xmalloc((size_t)sink->dim * sizeof *vs.tok);
    vs.tlen = xmalloc((size_t)sink->dim * sizeof *vs.tlen);
    vs.vec = xmalloc((size_t)sink->dim * sizeof *vs.vec);
    vs.seen = xcalloc(sink->rows ? (size_t)sink->rows : 1, 1);
    int rc = vecfile_loop(&r, &vs, st);
    free(vs.tok);
    free(vs.tlen);
    free(vs.vec);
    free(vs.seen);
    free(r.chunk);
    free(r.line);
    return rc;
}

int vecfile_read(const char *path, const VecfileSink *sink, VecfileStats *stats, Status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(stats, 0, sizeof *stats);
        return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    }
    int rc = vecfile_read_stream(f, path, sink, stats, st);
    fclose(f);
    return rc;
}

/* ---- writing ---- */

int vecfile_format_float(char *out, float v)
{
    /* The shortest precision that reads back, found by trying each from 1: it
     * need not be monotonic near powers of two, where the gap below a float is
     * half the gap above. 9 significant digits always round-trip a float. */
    int n = 0;
    for (int p = 1; p <= 9; p++) {
        n = snprintf(out, VECFILE_FLOAT_CHARS, "%.*g", p, (double)v);
        if (strtof(out, NULL) == v && signbit(strtof(out, NULL)) == signbit(v)) break;
    }
    return n;
}

int vecfile_write_line(FILE *f, const char *word, size_t len, const float *v, int dim)
{
    char buf[VECFILE_FLOAT_CHARS + 1];
    if (word && fwrite(word, 1, len, f) != len) return -1;
    for (int j = 0; j < dim; j++) {
        char *p = buf;
        if (word || j > 0) *p++ = ' ';
        int n = vecfile_format_float(p, v[j]);
        if (fwrite(buf, 1, (size_t)(p - buf) + (size_t)n, f) != (size_t)(p - buf) + (size_t)n) return -1;
    }
    return putc('\n', f) == EOF ? -1 : 0;
}

static int vecfile_check_rows(const char *name, const char *const *words, const float *vecs, int64_t n, int dim,
                              Status *st)
{
    if (dim < 1 || dim > VECFILE_MAX_DIM) return status_usage(st, "%s: dim %d is outside 1..%d", name, dim, VECFILE_MAX_DIM);
    for (int64_t i = 0; i < n; i++) {
        const char *w = words[i];
        size_t wn = strlen(w);
        int show = wn > VECFILE_SHOW ? VECFILE_SHOW : (int)wn;
        if (wn == 0) return status_error(st, "%s: word %lld is empty", name, (long long)i);
        for (size_t c = 0; c < wn; c++)
            if (vecfile_sep(w[c]) || w[c] == '\n')
                return status_error(st, "%s: word %lld (\"%.*s\") holds a blank or a line break", name, (long long)i, show, w);
        for (int j = 0; j < dim; j++)
            if (!isfinite(vecs[i * dim + j]))
                return status_error(st, "%s: word %lld (\"%.*s\") has a value that is not finite", name, (long long)i, show, w);
    }
    return 0;
}

int vecfile_write_stream(FILE *f, const char *name, const char *const *words, const float *vecs, int64_t n, int dim,
                         Status *st)
{
    if (vecfile_check_rows(name, words, vecs, n, dim, st)) return -1;
    int bad = fprintf(f, "%lld %d\n", (long long)n, dim) < 0;
    for (int64_t i = 0; i < n && !bad; i++) bad = vecfile_write_line(f, words[i], strlen(words[i]), vecs + i * dim, dim);
    if (bad || fflush(f) != 0) return status_error(st, "%s: write failed: %s", name, strerror(errno));
    return 0;
}

int vecfile_write(const char *path, const char *const *words, const float *vecs, int64_t n, int dim, Status *st)
{
    if (vecfile_check_rows(path, words, vecs, n, dim, st)) return -1;
    FILE *f = fopen(path, "w");
    if (!f) return status_error(st, "%s: cannot write: %s", path, strerror(errno));
    int rc = vecfile_write_stream(f, path, words, vecs, n, dim, st);
    if (fclose(f) != 0 && rc == 0) rc = status_error(st, "%s: write failed: %s", path, strerror(errno));
    return rc;
}
