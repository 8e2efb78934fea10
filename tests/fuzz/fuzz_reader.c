/* fuzz_reader.c - reader_read over arbitrary file contents, read as CSV with a
 * header (columns by name, bad rows skipped), TSV without one (columns by index,
 * bad rows an error), fastText (bad rows skipped), and CSV with two text columns
 * (the joining path); then the label-set paths: fastText with a one-byte label
 * prefix, CSV split at label separator ";" with a weight column, TSV split at " "
 * with a header naming label and weight, and labeltok_strip on the input. The
 * callback reads every byte it is given so AddressSanitizer sees any out-of-bounds
 * row, and checks what reader.h promises about rows. Each read is repeated by the
 * parallel reader (readsplit.h) through 61-byte windows, which must give the same
 * rows, statistics and error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"
#include "labeltok.h"
#include "reader.h"
#include "readsplit.h"

/* Rows as bytes (line, labels, weight, text), to compare the two readers. */
typedef struct FuzzBytes {
    unsigned char *p;
    size_t n, cap;
} FuzzBytes;

static void fuzz_bytes_put(FuzzBytes *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    if (n) memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void fuzz_bytes_row(FuzzBytes *b, const ReaderRow *row)
{
    fuzz_bytes_put(b, &row->line, sizeof row->line);
    fuzz_bytes_put(b, &row->n_labels, sizeof row->n_labels);
    for (int k = 0; k < row->n_labels; k++) {
        fuzz_bytes_put(b, &row->label_lens[k], sizeof row->label_lens[k]);
        fuzz_bytes_put(b, row->labels[k], row->label_lens[k]);
    }
    fuzz_bytes_put(b, &row->weight, sizeof row->weight);
    fuzz_bytes_put(b, &row->text_len, sizeof row->text_len);
    fuzz_bytes_put(b, row->text, row->text_len);
}

typedef struct FuzzReaderSeen {
    int64_t rows, last_line;
    unsigned sum; /* keeps the reads of every byte from being optimised away */
    FuzzBytes bytes;
} FuzzReaderSeen;

/* The parallel reader's parts, then everything in order. */
typedef struct FuzzSplit {
    FuzzBytes part[READSPLIT_MAX_PARTS], all;
} FuzzSplit;

static int fuzz_split_row(void *ctx, int part, const ReaderRow *row, Status *st)
{
    (void)st;
    fuzz_bytes_row(&((FuzzSplit *)ctx)->part[part], row);
    return 0;
}

static int fuzz_split_flush(void *ctx, int parts, int64_t done, int64_t total, Status *st)
{
    (void)st;
    FuzzSplit *s = ctx;
    if (done < 0 || (total && done > total)) abort();
    for (int k = 0; k < parts; k++) {
        fuzz_bytes_put(&s->all, s->part[k].p, s->part[k].n);
        s->part[k].n = 0;
    }
    return 0;
}

static int fuzz_reader_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    FuzzReaderSeen *seen = ctx;
    /* At least one label, each trimmed, non-empty and distinct; a finite weight
     * >= 0; rows come in file order (texts may be empty). */
    if (row->n_labels < 1 || row->line < 1 || row->line < seen->last_line) abort();
    if (!(row->weight >= 0 && row->weight <= 1e308)) abort();
    for (int k = 0; k < row->n_labels; k++) {
        if (row->label_lens[k] == 0) abort();
        for (size_t i = 0; i < row->label_lens[k]; i++) seen->sum += (unsigned char)row->labels[k][i];
        for (int j = 0; j < k; j++)
            if (row->label_lens[j] == row->label_lens[k] && !memcmp(row->labels[j], row->labels[k], row->label_lens[k]))
                abort();
    }
    for (size_t i = 0; i < row->text_len; i++) seen->sum += (unsigned char)row->text[i];
    seen->last_line = row->line;
    seen->rows++;
    fuzz_bytes_row(&seen->bytes, row);
    return 0;
}

static void fuzz_reader_columns(ReaderOptions *dc, int label_index, const int *text_index, int n_text)
{
    free(dc->label_column.name);
    dc->label_column = (ColumnRef){.index = label_index};
    free(dc->text_columns[0].name);
    dc->text_columns[0] = (ColumnRef){0};
    for (int i = 0; i < n_text; i++) dc->text_columns[i] = (ColumnRef){.index = text_index[i]};
    dc->n_text_columns = n_text;
}

static void fuzz_reader_run(const char *path, const ReaderOptions *dc)
{
    FuzzReaderSeen seen = {0};
    ReaderStats stats;
    Status st;
    int rc = reader_read(path, dc, fuzz_reader_row, &seen, &stats, &st);
    fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc == 0 && (stats.rows < 1 || stats.rows != seen.rows)) abort();
    if (stats.skipped < 0 || (dc->on_bad_row == BAD_ROW_ERROR && stats.skipped != 0)) abort();
    if (stats.skipped > 0 && stats.first_skip[0] == '\0') abort();
    FuzzSplit split;
    memset(&split, 0, sizeof split);
    ReadSplitSink sink = {&split, fuzz_split_row, fuzz_split_flush};
    ReaderStats stats2;
    Status st2;
    int rc2 = readsplit_read(path, dc, 2, 61, &sink, &stats2, &st2);
    if (rc2 != rc || (rc && (st2.code != st.code || strcmp(st2.msg, st.msg) != 0))) abort();
    if (rc == 0 && (stats2.rows != stats.rows || stats2.skipped != stats.skipped ||
                    strcmp(stats2.first_skip, stats.first_skip) != 0 || split.all.n != seen.bytes.n ||
                    (seen.bytes.n && memcmp(split.all.p, seen.bytes.p, seen.bytes.n) != 0)))
        abort();
    for (int k = 0; k < READSPLIT_MAX_PARTS; k++) free(split.part[k].p);
    free(split.all.p);
    free(seen.bytes.p);
}

static void fuzz_reader_set(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
    if (value && !*field) abort();
}

/* labeltok_strip keeps a prefix of the length and leaves no token that
 * starts with the prefix (the text is all that predict reads). */
static void fuzz_reader_strip(const uint8_t *data, size_t size, const char *prefix)
{
    char *out = malloc(size + 1);
    if (!out) abort();
    size_t n = labeltok_strip(out, (const char *)data, size, prefix);
    if (n > size) abort();
    const size_t lp = strlen(prefix);
    for (size_t i = 0; i + lp <= n; i++) {
        int start = i == 0 || out[i - 1] == ' ' || out[i - 1] == '\t' || out[i - 1] == '\n' || out[i - 1] == '\r';
        if (start && !memcmp(out + i, prefix, lp)) abort();
    }
    free(out);
}

static FuzzTmp fuzz_reader_tmp;

int fuzz_reader_one(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_write(&fuzz_reader_tmp, "reader", data, size);
    Config cfg;
    config_defaults(&cfg);
    ReaderOptions *dc = &cfg.data.read;

    /* The defaults: header on, label_column "label", text_columns ["text"]. */
    dc->format = FORMAT_CSV;
    dc->on_bad_row = BAD_ROW_SKIP;
    fuzz_reader_run(path, dc);

    const int text1[] = {1}, text21[] = {2, 1};
    dc->format = FORMAT_TSV;
    dc->header = 0;
    dc->on_bad_row = BAD_ROW_ERROR;
    fuzz_reader_columns(dc, 0, text1, 1);
    fuzz_reader_run(path, dc);

    dc->format = FORMAT_FASTTEXT;
    dc->on_bad_row = BAD_ROW_SKIP;
    fuzz_reader_run(path, dc);

    dc->format = FORMAT_CSV;
    dc->on_bad_row = BAD_ROW_ERROR;
    fuzz_reader_columns(dc, 0, text21, 2);
    fuzz_reader_run(path, dc);

    /* Label sets: another prefix; a separator and a weight column by index, bad
     * rows skipped; by name with a header, bad rows an error. */
    dc->format = FORMAT_FASTTEXT;
    dc->on_bad_row = BAD_ROW_SKIP;
    fuzz_reader_set(&dc->label_prefix, "#");
    fuzz_reader_run(path, dc);

    dc->format = FORMAT_CSV;
    fuzz_reader_set(&dc->label_separator, ";");
    fuzz_reader_columns(dc, 0, text1, 1);
    dc->weight_column = (OptColumnRef){.set = 1, .col = {.index = 2}};
    fuzz_reader_run(path, dc);

    dc->format = FORMAT_TSV;
    dc->header = 1;
    dc->on_bad_row = BAD_ROW_ERROR;
    fuzz_reader_set(&dc->label_separator, " ");
    free(dc->label_column.name);
    dc->label_column = (ColumnRef){.name = strdup("label")};
    free(dc->text_columns[0].name);
    dc->text_columns[0] = (ColumnRef){.name = strdup("text")};
    dc->n_text_columns = 1;
    dc->weight_column = (OptColumnRef){.set = 1, .col = {.name = strdup("weight")}};
    if (!dc->label_column.name || !dc->text_columns[0].name || !dc->weight_column.col.name) abort();
    fuzz_reader_run(path, dc);

    fuzz_reader_strip(data, size, READER_LABEL_PREFIX);
    fuzz_reader_strip(data, size, "#");

    config_free(&cfg);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
static void fuzz_reader_cleanup(void)
{
    fuzz_tmp_remove(&fuzz_reader_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_reader_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_reader_one(data, size);
}
#endif
