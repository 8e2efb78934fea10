/* reader_part.c - see reader_part.h: reader.c's steps (reader_impl.h) over a
 * byte range, with the part's own parser, line counter, statistics and status. */
#include "reader_part.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "reader_impl.h"

struct ReaderPart {
    Reader r;
    struct csv_parser csv;
    int has_csv;
    Status st;
};

ReaderPart *reader_part_new(const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx, int64_t line,
                            const ReaderPart *columns)
{
    ReaderPart *p = xcalloc(1, sizeof *p);
    status_clear(&p->st);
    reader_setup(&p->r, path, o, fn, ctx, &p->st);
    p->r.line = p->r.rec_line = line;
    if (columns) {
        const Reader *c = &columns->r;
        p->r.resolved = c->resolved;
        p->r.label_col = c->label_col;
        memcpy(p->r.text_cols, c->text_cols, sizeof p->r.text_cols);
        p->r.weight_col = c->weight_col;
        p->r.need = c->need;
        p->r.keep = c->keep;
    }
    if (o->label_names && labelnames_load(&p->r.names, o->label_names, &p->st)) p->r.failed = 1;
    if (!p->r.failed && p->r.format == FORMAT_CSV) {
        if (reader_csv_init(&p->r, &p->csv) == 0) p->has_csv = 1;
        else p->r.failed = 1;
    }
    return p;
}

FILE *reader_part_open(const char *path, Status *st)
{
    return reader_open(path, st);
}

int reader_part_check(const ReaderOptions *o, const char *path, Status *st)
{
    Reader r;
    reader_setup(&r, path, o, NULL, NULL, st);
    return reader_check_config(&r);
}

int reader_part_feed(ReaderPart *p, const char *s, size_t n)
{
    if (p->r.failed || p->st.code != STATUS_OK) return -1;
    int rc = reader_feed(&p->r, p->has_csv ? &p->csv : NULL, s, n);
    if (rc) p->r.failed = 1;
    return rc;
}

int reader_part_finish(ReaderPart *p)
{
    if (p->r.failed || p->st.code != STATUS_OK) return -1;
    int rc = reader_finish(&p->r, p->has_csv ? &p->csv : NULL);
    if (rc) p->r.failed = 1;
    return rc;
}

int reader_part_resolved(const ReaderPart *p)
{
    return p->r.resolved;
}

int64_t reader_part_line(const ReaderPart *p)
{
    return p->r.line;
}

const Status *reader_part_status(const ReaderPart *p)
{
    return &p->st;
}

const ReaderStats *reader_part_stats(const ReaderPart *p)
{
    return &p->r.stats;
}

int reader_part_no_rows(const ReaderStats *rs, const char *path, Status *st)
{
    Reader r;
    memset(&r, 0, sizeof r);
    r.path = strcmp(path, "-") == 0 ? "stdin" : path;
    r.st = st;
    r.stats = *rs;
    return reader_no_rows(&r);
}

void reader_part_free(ReaderPart *p)
{
    if (!p) return;
    if (p->has_csv) csv_free(&p->csv);
    reader_release(&p->r);
    free(p);
}
