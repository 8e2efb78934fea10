/* reader_impl.h - what reader.c shares with reader_part.c, which runs its record
 * handling over one byte range of a file: the reader's state and the steps of a
 * read. Not for other modules: they use reader.h and reader_part.h. */
#ifndef ATTNCLF_READER_IMPL_H
#define ATTNCLF_READER_IMPL_H

#include <csv.h>
#include <stdio.h>

#include "labelnames.h"
#include "reader.h"

typedef struct Reader {
    const char *path;
    const ReaderOptions *o;
    DataFormat format;
    ReaderRowFn fn;
    void *ctx;
    Status *st;
    ReaderStats stats;
    /* Columns, fixed by the first non-empty record (the header, if any). */
    int resolved;
    size_t label_col;
    size_t text_cols[READER_MAX_TEXT_COLUMNS];
    size_t weight_col;
    size_t need;  /* 1 + the largest column used */
    const char *prefix;  /* fastText label prefix */
    size_t prefix_len;
    /* The labels of the row being emitted. */
    const char **lab;
    size_t *lab_len;
    int lab_cap;
    /* The record being collected: the first `keep` fields are stored. */
    char *buf;
    size_t buf_len, buf_cap;
    size_t *foff, *flen;
    size_t fcap, nfields, keep;
    char *text;  /* text columns joined */
    size_t text_cap;
    char *carry;  /* a TSV/fastText line that spans chunks */
    size_t carry_len, carry_cap;
    int64_t line;      /* physical line of the next byte fed */
    int64_t rec_line;  /* line where the current CSV record started */
    int failed;        /* st is set; libcsv cannot be stopped mid-piece */
    LabelNames names;  /* o->label_names read, or empty */
} Reader;

/* A reader for path with options o, rows to fn(ctx), errors to st; nothing read yet. */
void reader_setup(Reader *r, const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx, Status *st);
void reader_release(Reader *r);
/* Settings that make every row unreadable, reported before opening the file. */
int reader_check_config(Reader *r);
/* The file, or stdin for "-"; NULL with st set when it cannot be read. */
FILE *reader_open(const char *path, Status *st);
int reader_csv_init(Reader *r, struct csv_parser *p);
/* Feeds s [n] to libcsv (csv != NULL) or to the line splitter. */
int reader_feed(Reader *r, struct csv_parser *csv, const char *s, size_t n);
/* The end of the input: the record libcsv still holds, or a last line without '\n'. */
int reader_finish(Reader *r, struct csv_parser *csv);
/* The error for an input without data rows. */
int reader_no_rows(const Reader *r);

#endif
