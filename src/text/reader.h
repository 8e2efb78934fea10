/* reader.h - streams labelled rows out of a corpus file: CSV (RFC 4180 via libcsv:
 * quoted fields, doubled quotes, embedded newlines, CRLF, UTF-8 BOM), TSV (tab
 * separated, no quoting, like SST-2) or fastText lines ("__label__X some text").
 * A row has a label SET: in fastText lines every whitespace-separated token that
 * starts with the label prefix is a label, wherever it stands (as fastText reads
 * them), and the other tokens are the text; in CSV/TSV the label column is split
 * at label_separator when one is set. Repeated labels of a row count once.
 * Each good row reaches the callback as a ReaderRow; a row whose text is empty
 * or blank is a good row (an empty document), and is counted. Bad rows (bad
 * quoting, missing columns, an empty label, a bad weight) are an error naming
 * path:line and the field, or with BAD_ROW_SKIP are counted and skipped. */
#ifndef ATTNCLF_READER_H
#define ATTNCLF_READER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define READER_MAX_TEXT_COLUMNS 16

typedef enum { FORMAT_AUTO = 0, FORMAT_CSV, FORMAT_TSV, FORMAT_FASTTEXT } DataFormat;
typedef enum { BAD_ROW_ERROR = 0, BAD_ROW_SKIP } BadRowPolicy;

/* A column given by header name (name != NULL) or by 0-based index. */
typedef struct ColumnRef {
    char *name;  /* owned by whoever owns the options; NULL when given by index */
    int index;   /* used when name == NULL */
} ColumnRef;

/* A column that may be absent: zeroed, it is. */
typedef struct OptColumnRef {
    int set;
    ColumnRef col;
} OptColumnRef;

typedef struct ReaderOptions {
    DataFormat format;      /* AUTO: by extension (.tsv -> tsv, .txt/.ft -> fasttext, else csv) */
    int header;             /* 1: first row names the columns (csv/tsv only) */
    ColumnRef label_column;
    ColumnRef text_columns[READER_MAX_TEXT_COLUMNS];
    int n_text_columns;     /* >= 1 */
    BadRowPolicy on_bad_row;
    char *label_prefix;     /* fastText: a token starting with it is a label; NULL: READER_LABEL_PREFIX */
    char *label_separator;  /* csv/tsv: splits the label column into labels; NULL: one label per row */
    OptColumnRef weight_column; /* csv/tsv: each row's weight, a finite number >= 0 */
    char *label_names;      /* a file naming the raw labels (labelnames.h), which rows then carry; NULL: none */
} ReaderOptions;

#define READER_LABEL_PREFIX "__label__"

/* The label prefix o reads fastText lines with. */
const char *reader_label_prefix(const ReaderOptions *o);
/* Whether o names a weight column. */
int reader_has_weights(const ReaderOptions *o);

/* One good row. Labels and text are NOT NUL-terminated and may contain any bytes
 * (including NUL and invalid UTF-8); they are valid only during the callback. */
typedef struct ReaderRow {
    int n_labels;                    /* >= 1 */
    const char *const *labels;       /* [n_labels] trimmed, non-empty, distinct */
    const size_t *label_lens;        /* [n_labels] */
    const char *text;                /* the text columns joined with one space; may be blank */
    size_t text_len;
    double weight;                   /* data.weight_column's value, else 1 */
    const char *path;
    int64_t line;                    /* 1-based line where the row starts */
} ReaderRow;

/* Called once per good row. Return 0 to go on, -1 (with st set) to stop
 * reading; reader_read then returns -1 with that status. */
typedef int (*ReaderRowFn)(void *ctx, const ReaderRow *row, Status *st);

typedef struct ReaderStats {
    int64_t rows;             /* rows given to the callback */
    int64_t skipped;          /* bad rows skipped under BAD_ROW_SKIP */
    char first_skip[512];     /* message of the first skipped row, "" if none */
    int64_t empty;            /* rows whose text is empty or blank (given to the callback) */
    char first_empty[300];    /* "path:line" of the first of them */
} ReaderStats;

/* Resolves FORMAT_AUTO from the path's extension: .tsv -> TSV, .txt/.ft/.fasttext ->
 * fastText, anything else -> CSV. */
DataFormat reader_resolve_format(const char *path, DataFormat f);

/* Reads `path` ("-": standard input) with the format, header, label/text columns and bad-row policy of
 * `o`. Errors: the file is missing/unreadable/a directory, has no rows, a column
 * named or numbered in o is not there, a bad row under BAD_ROW_ERROR, or the
 * callback failed. stats may be NULL. */
int reader_read(const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx,
                ReaderStats *stats, Status *st);

#endif
