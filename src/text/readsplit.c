/* readsplit.c - see readsplit.h. */
#include "readsplit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "reader_part.h"

/* One part's row callback: the sink's, with the part's number. */
typedef struct PartCtx {
    const ReadSplitSink *sink;
    int part;
} PartCtx;

static int readsplit_row(void *ctx, const ReaderRow *row, Status *st)
{
    const PartCtx *c = ctx;
    return c->sink->row(c->sink->ctx, c->part, row, st);
}

typedef struct Split {
    const char *path;
    const ReaderOptions *o;
    int csv;
    FILE *f;
    char *buf;              /* [cap]: the window, starting at a record boundary */
    size_t len, cap;
    int eof;
    int64_t line;           /* line of buf[0] */
    int64_t done, total;    /* bytes of the file before buf[0]; the file's size */
    int first;              /* the file's first bytes are still to come */
    ReaderPart *columns;    /* the part that read the first record, once it has */
    PartCtx ctx[READSPLIT_MAX_PARTS];
    ReaderPart *part[READSPLIT_MAX_PARTS];
    size_t lo[READSPLIT_MAX_PARTS], hi[READSPLIT_MAX_PARTS];
    int64_t start_line[READSPLIT_MAX_PARTS];
} Split;

/* Fills the window to at least `want` bytes unless the file ends first; drops
 * a UTF-8 byte order mark at the file's start. */
static int split_fill(Split *s, size_t want, Status *st)
{
    if (want > s->cap) {
        s->cap = want;
        s->buf = xrealloc(s->buf, s->cap);
    }
    while (!s->eof && s->len < want) {
        size_t got = fread(s->buf + s->len, 1, want - s->len, s->f);
        if (got == 0 && ferror(s->f)) return status_error(st, "%s: read error: %s", s->path, strerror(errno));
        if (got == 0) s->eof = 1;
        s->len += got;
        if (s->first && (s->len >= 3 || s->eof)) {
            s->first = 0;
            if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) {
                memmove(s->buf, s->buf + 3, s->len - 3);
                s->len -= 3;
                s->done += 3;
            }
        }
    }
    return 0;
}

/* Quotes in p[0..n), modulo 2. */
static int split_quotes(const char *p, size_t n)
{
    int odd = 0;
    const char *end = p + n;
    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        odd ^= 1;
        p++;
    }
    return odd;
}

/* Finds record boundaries in buf[from..len) (from is one): the last one, and
 * the first at or after each target (cut [ntarget]); their lines relative to
 * from. Returns the last boundary, or from when there is none. */
static size_t split_scan(const Split *s, size_t from, const size_t *target, size_t *cut, int64_t *cut_line,
                         int ntarget, int64_t *lines)
{
    size_t pos = from, last = from;
    int odd = 0, t = 0;
    int64_t n = 0;
    *lines = 0;
    for (int k = 0; k < ntarget; k++) cut[k] = 0;
    for (;;) {
        const char *nl = memchr(s->buf + pos, '\n', s->len - pos);
        if (!nl) break;
        size_t at = (size_t)(nl - s->buf);
        if (s->csv) odd ^= split_quotes(s->buf + pos, at - pos);
        n++;
        pos = at + 1;
        if (odd) continue;
        last = pos;
        *lines = n;
        while (t < ntarget && target[t] <= pos) {
            cut[t] = pos;
            cut_line[t++] = n;
        }
    }
    return last;
}

/* The next boundary after from (a boundary), or end. */
static size_t split_next(const Split *s, size_t from, size_t end, int64_t *lines)
{
    int odd = 0;
    *lines = 0;
    for (size_t pos = from; pos < end;) {
        const char *nl = memchr(s->buf + pos, '\n', end - pos);
        if (!nl) break;
        size_t at = (size_t)(nl - s->buf);
        if (s->csv) odd ^= split_quotes(s->buf + pos, at - pos);
        (*lines)++;
        pos = at + 1;
        if (!odd) return pos;
    }
    return end;
}

static void split_free_parts(Split *s)
{
    for (int k = 0; k < READSPLIT_MAX_PARTS; k++) {
        if (s->part[k] && s->part[k] != s->columns) reader_part_free(s->part[k]);
        s->part[k] = NULL;
    }
}

/* Parses the file's first records on their own as part 0, up to the one that
 * fixes the columns; returns where the other parts start. */
static size_t split_prelude(Split *s, const ReadSplitSink *sink, size_t end)
{
    s->ctx[0] = (PartCtx){sink, 0};
    ReaderPart *p = reader_part_new(s->path, s->o, readsplit_row, &s->ctx[0], s->line, NULL);
    s->part[0] = p;
    s->lo[0] = s->hi[0] = 0; /* parsed here, not with the others */
    size_t pos = 0;
    while (pos < end && !reader_part_resolved(p)) {
        int64_t lines;
        size_t next = split_next(s, pos, end, &lines);
        if (reader_part_feed(p, s->buf + pos, next - pos)) return end;
        pos = next;
    }
    if (reader_part_finish(p) == 0 && reader_part_resolved(p)) s->columns = p;
    return pos;
}

/* Makes part k of [lo, hi), starting on `line`. */
static void split_part(Split *s, const ReadSplitSink *sink, int k, size_t lo, size_t hi, int64_t line)
{
    s->ctx[k] = (PartCtx){sink, k};
    s->part[k] = reader_part_new(s->path, s->o, readsplit_row, &s->ctx[k], line, s->columns);
    s->lo[k] = lo;
    s->hi[k] = hi;
}

static void split_stats_add(ReaderStats *to, const ReaderStats *from)
{
    if (to->skipped == 0 && from->skipped) snprintf(to->first_skip, sizeof to->first_skip, "%s", from->first_skip);
    to->rows += from->rows;
    to->skipped += from->skipped;
}

/* One window: cut, parse on the threads, flush in order. Returns the bytes
 * used, 0 when the window must grow (no boundary in it), -1 on an error. */
static int64_t split_window(Split *s, const ReadSplitSink *sink, int threads, ReaderStats *rs, Status *st)
{
    const int nparts = 2 * threads < READSPLIT_MAX_PARTS - 1 ? 2 * threads : READSPLIT_MAX_PARTS - 1;
    size_t target[READSPLIT_MAX_PARTS], cut[READSPLIT_MAX_PARTS];
    int64_t cut_line[READSPLIT_MAX_PARTS], lines;
    for (int k = 0; k < nparts - 1; k++) target[k] = s->len / (size_t)nparts * (size_t)(k + 1);
    size_t end = split_scan(s, 0, target, cut, cut_line, nparts - 1, &lines);
    if (s->eof) end = s->len;
    else if (end == 0) return 0;
    int n = 0;
    size_t lo = 0;
    int64_t line = s->line;
    if (!s->columns) {
        lo = split_prelude(s, sink, end);
        line = reader_part_line(s->part[0]);
        n = 1;
    }
    if (n == 0 || reader_part_status(s->part[0])->code == STATUS_OK) {
        for (int c = 0; c < nparts - 1; c++)
            if (cut[c] > lo && cut[c] < end) {
                split_part(s, sink, n++, lo, cut[c], line);
                lo = cut[c];
                line = s->line + cut_line[c];
            }
        if (lo < end) split_part(s, sink, n++, lo, end, line);
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (n > 1)
    for (int k = 0; k < n; k++)
        if (s->hi[k] > s->lo[k] && reader_part_feed(s->part[k], s->buf + s->lo[k], s->hi[k] - s->lo[k]) == 0)
            reader_part_finish(s->part[k]);
    int ok = n;
    for (int k = 0; k < n && ok == n; k++) {
        if (reader_part_status(s->part[k])->code != STATUS_OK) ok = k;
        else split_stats_add(rs, reader_part_stats(s->part[k]));
    }
    int rc = ok > 0 ? sink->flush(sink->ctx, ok, s->done + (int64_t)end, s->total, st) : 0;
    if (rc == 0 && ok < n) {
        *st = *reader_part_status(s->part[ok]);
        rc = -1;
    }
    s->line += lines;
    split_free_parts(s);
    return rc ? -1 : (int64_t)end;
}

int readsplit_read(const char *path, const ReaderOptions *o, int threads, size_t window, const ReadSplitSink *sink,
                   ReaderStats *stats, Status *st)
{
    status_clear(st);
    ReaderStats rs;
    memset(&rs, 0, sizeof rs);
    Split s;
    memset(&s, 0, sizeof s);
    s.path = strcmp(path, "-") == 0 ? "stdin" : path;
    s.o = o;
    s.csv = reader_resolve_format(path, o->format) == FORMAT_CSV;
    s.line = 1;
    s.first = 1;
    int rc = reader_part_check(o, path, st);
    if (rc == 0 && !(s.f = reader_part_open(path, st))) rc = -1;
    struct stat sb;
    if (rc == 0 && s.f != stdin && fstat(fileno(s.f), &sb) == 0 && S_ISREG(sb.st_mode)) s.total = sb.st_size;
    if (window == 0) window = READSPLIT_WINDOW;
    size_t want = window;
    while (rc == 0) {
        rc = split_fill(&s, want, st);
        if (rc || (s.len == 0 && s.eof)) break;
        int64_t used = split_window(&s, sink, threads < 1 ? 1 : threads, &rs, st);
        if (used < 0) rc = -1;
        else if (used == 0) want = 2 * s.cap; /* one record longer than the window */
        else {
            memmove(s.buf, s.buf + used, s.len - (size_t)used);
            s.len -= (size_t)used;
            s.done += used;
            want = window;
            if (s.eof && s.len == 0) break;
        }
    }
    if (rc == 0 && rs.rows == 0) rc = reader_part_no_rows(&rs, path, st);
    if (s.f && s.f != stdin) fclose(s.f);
    split_free_parts(&s);
    reader_part_free(s.columns);
    free(s.buf);
    if (stats) *stats = rs;
    return rc;
}
