/* reader.c - see reader.h.
 *
 * The file is read in 1 MiB chunks and cut into pieces that end at a '\n' (or at
 * the chunk's end), so every piece lies on one physical line. CSV pieces go
 * straight to libcsv, whose callbacks collect the fields of a record; TSV and
 * fastText pieces are joined into whole lines (copied only when a line spans
 * chunks). All three end up in the same record handling: header, columns, bad
 * rows, callback. Buffers grow and are reused, so steady state allocates nothing. */
#include "reader.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "labelnames.h"
#include "labeltok.h"
#include "mem.h"
#include "reader_impl.h"

#define READER_CHUNK ((size_t)1 << 20)
/* libcsv's parser state before the first byte of a record (csv_init sets it and
 * every finished record returns to it); not named in csv.h. */
#define READER_CSV_ROW_NOT_BEGUN 0

DataFormat reader_resolve_format(const char *path, DataFormat f)
{
    if (f != FORMAT_AUTO) return f;
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (!dot) return FORMAT_CSV;
    dot++;
    if (strcasecmp(dot, "tsv") == 0) return FORMAT_TSV;
    if (strcasecmp(dot, "txt") == 0 || strcasecmp(dot, "ft") == 0 || strcasecmp(dot, "fasttext") == 0)
        return FORMAT_FASTTEXT;
    return FORMAT_CSV;
}

static int reader_blank(const char *s, size_t n)
{
    return labeltok_skip_space(s, s + n) == s + n;
}

static void reader_trim(const char **s, size_t *n)
{
    const char *p = labeltok_skip_space(*s, *s + *n), *end = *s + *n;
    while (end > p && labeltok_is_space((unsigned char)end[-1])) end--;
    *s = p;
    *n = (size_t)(end - p);
}

static void reader_grow(char **buf, size_t *cap, size_t need)
{
    /* Allocates even for need 0: a record whose fields are all empty (",") still
     * has cells pointing at buf + 0, and NULL + 0 is undefined behaviour. */
    if (need <= *cap && *buf) return;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    *buf = xrealloc(*buf, c);
    *cap = c;
}

/* How the config names a column: text_i is a text column's index, or one of these. */
enum { READER_COL_LABEL = -1, READER_COL_WEIGHT = -2 };
static void reader_column_name(int text_i, char *out, size_t cap)
{
    if (text_i == READER_COL_LABEL) snprintf(out, cap, "data.label_column");
    else if (text_i == READER_COL_WEIGHT) snprintf(out, cap, "data.weight_column");
    else snprintf(out, cap, "data.text_columns[%d]", text_i);
}

const char *reader_label_prefix(const ReaderOptions *o)
{
    return o->label_prefix && o->label_prefix[0] ? o->label_prefix : READER_LABEL_PREFIX;
}

int reader_has_weights(const ReaderOptions *o)
{
    return o->weight_column.set;
}

/* Settings that make every row unreadable are reported before opening the file. */
int reader_check_config(Reader *r)
{
    const ReaderOptions *o = r->o;
    for (const char *p = r->prefix; *p; p++)
        if (labeltok_is_space((unsigned char)*p))
            return status_error(r->st, "data.label_prefix \"%s\" must not contain white space", r->prefix);
    if (o->label_separator && !o->label_separator[0])
        return status_error(r->st, "data.label_separator must be a non-empty string or null");
    if (r->format == FORMAT_FASTTEXT) {
        if (o->weight_column.set)
            return status_error(r->st, "%s: data.weight_column needs a csv or tsv file; fastText lines have no columns",
                                r->path);
        return 0;
    }
    if (o->n_text_columns < 1 || o->n_text_columns > READER_MAX_TEXT_COLUMNS)
        return status_error(r->st, "data.text_columns must list 1 to %d columns, got %d",
                            READER_MAX_TEXT_COLUMNS, o->n_text_columns);
    for (int i = READER_COL_WEIGHT; i < o->n_text_columns; i++) {
        if (i == READER_COL_WEIGHT && !o->weight_column.set) continue;
        const ColumnRef *ref = i == READER_COL_WEIGHT ? &o->weight_column.col
                               : i == READER_COL_LABEL ? &o->label_column : &o->text_columns[i];
        char what[48];
        reader_column_name(i, what, sizeof what);
        if (ref->name && !o->header)
            return status_error(r->st, "%s \"%s\" needs data.header: true", what, ref->name);
        if (!ref->name && ref->index < 0)
            return status_error(r->st, "%s must be a column index >= 0, got %d", what, ref->index);
    }
    return 0;
}

/* ---- the record being collected ---- */

static void reader_field(Reader *r, const char *s, size_t n)
{
    if (r->nfields < r->keep) {
        if (r->nfields == r->fcap) {
            r->fcap = r->fcap ? 2 * r->fcap : 64;
            r->foff = xrealloc(r->foff, r->fcap * sizeof *r->foff);
            r->flen = xrealloc(r->flen, r->fcap * sizeof *r->flen);
        }
        reader_grow(&r->buf, &r->buf_cap, r->buf_len + n);
        if (n) memcpy(r->buf + r->buf_len, s, n);
        r->foff[r->nfields] = r->buf_len;
        r->flen[r->nfields] = n;
        r->buf_len += n;
    }
    r->nfields++;
}

static void reader_cell(const Reader *r, size_t i, const char **s, size_t *n)
{
    *s = r->buf + r->foff[i];
    *n = r->flen[i];
}

/* "label, rating, source, text", cut short to fit `cap`. */
static void reader_column_list(const Reader *r, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nfields && i < r->keep; i++) {
        const char *s;
        size_t n;
        reader_cell(r, i, &s, &n);
        reader_trim(&s, &n);
        if (len + n + 2 + 4 >= cap) {
            snprintf(out + len, cap - len, "%s...", i ? ", " : "");
            return;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%.*s", i ? ", " : "", (int)n, s);
    }
}

static int reader_resolve_column(Reader *r, const ColumnRef *ref, int text_i, int64_t line, size_t *out)
{
    char what[48];
    reader_column_name(text_i, what, sizeof what);
    if (ref->name) {
        size_t want = strlen(ref->name);
        for (size_t i = 0; i < r->nfields; i++) {
            const char *s;
            size_t n;
            reader_cell(r, i, &s, &n);
            reader_trim(&s, &n);
            if (n == want && memcmp(s, ref->name, n) == 0) {
                *out = i;
                return 0;
            }
        }
        char cols[600];
        reader_column_list(r, cols, sizeof cols);
        return status_error(r->st, "%s:%lld: no column named \"%s\" (columns: %s)", r->path,
                            (long long)line, ref->name, cols);
    }
    if ((size_t)ref->index >= r->nfields)
        return status_error(r->st, "%s:%lld: %s is column %d but the %s has only %zu columns (indexes start at 0)",
                            r->path, (long long)line, what, ref->index,
                            r->o->header ? "header" : "first row", r->nfields);
    *out = (size_t)ref->index;
    return 0;
}

/* Fixes the columns from the first non-empty record. Returns 1 when that record
 * is data, 0 when it was the header, -1 on error. */
static int reader_first_record(Reader *r, int64_t line)
{
    const ReaderOptions *o = r->o;
    if (reader_resolve_column(r, &o->label_column, READER_COL_LABEL, line, &r->label_col)) return -1;
    r->need = r->label_col + 1;
    if (o->weight_column.set) {
        if (reader_resolve_column(r, &o->weight_column.col, READER_COL_WEIGHT, line, &r->weight_col)) return -1;
        if (r->weight_col + 1 > r->need) r->need = r->weight_col + 1;
    }
    for (int i = 0; i < o->n_text_columns; i++) {
        if (reader_resolve_column(r, &o->text_columns[i], i, line, &r->text_cols[i])) return -1;
        if (r->text_cols[i] + 1 > r->need) r->need = r->text_cols[i] + 1;
    }
    r->resolved = 1;
    r->keep = r->need;
    return o->header ? 0 : 1;
}

static int reader_bad(Reader *r, int64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int reader_bad(Reader *r, int64_t line, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (r->o->on_bad_row != BAD_ROW_SKIP)
        return status_error(r->st, "%s:%lld: %s", r->path, (long long)line, why);
    if (r->stats.skipped++ == 0)
        snprintf(r->stats.first_skip, sizeof r->stats.first_skip, "%s:%lld: %s", r->path, (long long)line, why);
    return 0;
}

/* Adds a label to the row being built, unless the row has it already. */
static void reader_add_label(Reader *r, int *n, const char *s, size_t len)
{
    for (int k = 0; k < *n; k++)
        if (r->lab_len[k] == len && memcmp(r->lab[k], s, len) == 0) return;
    if (*n == r->lab_cap) {
        r->lab_cap = r->lab_cap ? 2 * r->lab_cap : 8;
        r->lab = xrealloc(r->lab, (size_t)r->lab_cap * sizeof *r->lab);
        r->lab_len = xrealloc(r->lab_len, (size_t)r->lab_cap * sizeof *r->lab_len);
    }
    r->lab[*n] = s;
    r->lab_len[(*n)++] = len;
}

static int reader_emit(Reader *r, int n_labels, double weight, const char *text, size_t text_len, int64_t line)
{
    for (int k = 0; k < n_labels && r->names.n; k++) {
        const char *name = labelnames_find(&r->names, r->lab[k], r->lab_len[k]);
        if (!name)
            return reader_bad(r, line, "label \"%.*s\" has no name in %s", (int)(r->lab_len[k] < 60 ? r->lab_len[k] : 60),
                              r->lab[k], r->names.path);
        r->lab[k] = name;
        r->lab_len[k] = strlen(name);
    }
    const ReaderRow row = {.n_labels = n_labels, .labels = r->lab, .label_lens = r->lab_len, .text = text,
                           .text_len = text_len, .weight = weight, .path = r->path, .line = line};
    if (r->fn(r->ctx, &row, r->st) != 0) {
        if (r->st && r->st->code == STATUS_OK)
            status_error(r->st, "%s:%lld: reading stopped by the row handler", r->path, (long long)line);
        return -1;
    }
    r->stats.rows++;
    if (reader_blank(text, text_len) && r->stats.empty++ == 0)
        snprintf(r->stats.first_empty, sizeof r->stats.first_empty, "%.280s:%lld", r->path, (long long)line);
    return 0;
}

/* The text columns in order, joined by one space; a single column is not copied. */
static void reader_join_text(Reader *r, const char **text, size_t *len)
{
    int n = r->o->n_text_columns;
    if (n == 1) {
        reader_cell(r, r->text_cols[0], text, len);
        return;
    }
    size_t total = (size_t)n - 1;
    for (int i = 0; i < n; i++) total += r->flen[r->text_cols[i]];
    reader_grow(&r->text, &r->text_cap, total);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        const char *s;
        size_t k;
        reader_cell(r, r->text_cols[i], &s, &k);
        if (i) r->text[at++] = ' ';
        memcpy(r->text + at, s, k);
        at += k;
    }
    *text = r->text;
    *len = total;
}

/* The label column's cell split at the separator into r->lab; returns how many
 * labels, 0 after reporting a bad row, -1 on error. */
static int reader_split_labels(Reader *r, const char *cell, size_t n, int64_t line)
{
    const char *sep = r->o->label_separator;
    const size_t sl = sep ? strlen(sep) : 0;
    const int blank_sep = sl && reader_blank(sep, sl);
    int count = 0, k = 0;
    for (const char *p = cell, *end = cell + n;; k++) {
        const char *q = sl ? p : end;
        while (sl && q < end && !((size_t)(end - q) >= sl && memcmp(q, sep, sl) == 0)) q++;
        const char *s = p;
        size_t len = (size_t)(q - p);
        reader_trim(&s, &len);
        if (len) {
            reader_add_label(r, &count, s, len);
        } else if (!blank_sep) { /* runs of a white-space separator are one separator */
            int rc = reader_bad(r, line, "label column: separator \"%s\" leaves label %d of \"%.*s\" empty", sep,
                                k + 1, (int)(n < 60 ? n : 60), cell);
            return rc ? -1 : 0;
        }
        if (q >= end) break;
        p = q + sl;
    }
    return count;
}

/* The weight column's cell: a finite number >= 0. Returns 1 when good, 0 after
 * reporting a bad row, -1 on error. */
static int reader_weight(Reader *r, int64_t line, double *w)
{
    const char *s;
    size_t n;
    reader_cell(r, r->weight_col, &s, &n);
    reader_trim(&s, &n);
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
    char *end = NULL;
    errno = 0;
    *w = n && n < sizeof buf ? strtod(buf, &end) : NAN;
    const char *why = NULL;
    if (n == 0) why = "is empty";
    else if (!end || *end || end == buf) why = "is not a number";
    else if (!isfinite(*w)) why = "is not finite";
    else if (*w < 0) why = "is negative";
    if (!why) return 1;
    return reader_bad(r, line, "weight column: \"%s\" %s (a weight is a finite number >= 0)", buf, why) ? -1 : 0;
}

static int reader_record(Reader *r, int64_t line)
{
    /* A blank line or a lone "" is no record at all. */
    if (r->nfields == 0 || (r->nfields == 1 && r->flen[0] == 0)) return 0;
    if (!r->resolved) {
        int rc = reader_first_record(r, line);
        if (rc <= 0) return rc;
    }
    if (r->nfields < r->need)
        return reader_bad(r, line, "row has %zu columns, expected at least %zu", r->nfields, r->need);
    const char *label, *text;
    size_t label_len, text_len;
    reader_cell(r, r->label_col, &label, &label_len);
    reader_trim(&label, &label_len);
    if (label_len == 0) return reader_bad(r, line, "label column is empty");
    int n_labels = reader_split_labels(r, label, label_len, line);
    if (n_labels <= 0) return n_labels;
    double weight = 1.0;
    if (r->o->weight_column.set) {
        int ok = reader_weight(r, line, &weight);
        if (ok <= 0) return ok;
    }
    reader_join_text(r, &text, &text_len);
    return reader_emit(r, n_labels, weight, text, text_len, line);
}

static int reader_record_end(Reader *r, int64_t line)
{
    int rc = reader_record(r, line);
    r->nfields = 0;
    r->buf_len = 0;
    return rc;
}

/* ---- TSV and fastText: one record per line ---- */

static int reader_tsv_line(Reader *r, const char *s, size_t n, int64_t line)
{
    const char *end = s + n;
    for (;;) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *stop = tab ? tab : end;
        reader_field(r, s, (size_t)(stop - s));
        if (!tab) break;
        s = tab + 1;
    }
    return reader_record_end(r, line);
}

static int reader_fasttext_line(Reader *r, const char *s, size_t n, int64_t line)
{
    const char *end = s + n;
    int n_labels = 0, k = 0;
    for (const char *p = labeltok_skip_space(s, end); p < end; p = labeltok_skip_space(p, end), k++) {
        const char *tok = p;
        while (p < end && !labeltok_is_space((unsigned char)*p)) p++;
        if (!labeltok_is_label(tok, (size_t)(p - tok), r->prefix, r->prefix_len)) continue;
        if ((size_t)(p - tok) == r->prefix_len)
            return reader_bad(r, line, "token %d: label prefix \"%s\" with nothing after it", k + 1, r->prefix);
        reader_add_label(r, &n_labels, tok + r->prefix_len, (size_t)(p - tok) - r->prefix_len);
    }
    if (n_labels == 0) return reader_bad(r, line, "line has no label (no token starts with \"%s\")", r->prefix);
    const char *text;
    int runs;
    size_t len = labeltok_text(s, end, r->prefix, r->prefix_len, NULL, &text, &runs);
    if (runs > 1) {
        reader_grow(&r->text, &r->text_cap, len);
        labeltok_text(s, end, r->prefix, r->prefix_len, r->text, &text, &runs);
    }
    return reader_emit(r, n_labels, 1.0, text, len, line);
}

static int reader_line(Reader *r, const char *s, size_t n)
{
    if (n && s[n - 1] == '\r') n--;
    if (reader_blank(s, n)) return 0;
    if (r->format == FORMAT_TSV) return reader_tsv_line(r, s, n, r->line);
    return reader_fasttext_line(r, s, n, r->line);
}

static int reader_line_piece(Reader *r, const char *s, size_t n, int ends_line)
{
    size_t body = ends_line ? n - 1 : n;
    if (ends_line && r->carry_len == 0) return reader_line(r, s, body);
    reader_grow(&r->carry, &r->carry_cap, r->carry_len + body);
    memcpy(r->carry + r->carry_len, s, body);
    r->carry_len += body;
    if (!ends_line) return 0;
    size_t len = r->carry_len;
    r->carry_len = 0;
    return reader_line(r, r->carry, len);
}

/* ---- CSV through libcsv ---- */

static void reader_csv_field(void *s, size_t n, void *data)
{
    Reader *r = data;
    if (!r->failed) reader_field(r, s, n);
}

static void reader_csv_row(int c, void *data)
{
    (void)c;
    Reader *r = data;
    if (!r->failed && reader_record_end(r, r->rec_line)) r->failed = 1;
}

static int reader_csv_piece(Reader *r, struct csv_parser *p, const char *s, size_t n)
{
    /* A piece holds at most one '\n', at its end, so a record that begins in it
     * begins on this line. */
    if (p->pstate == READER_CSV_ROW_NOT_BEGUN) r->rec_line = r->line;
    /* libcsv grows its field buffer by a fixed block; doubling the block keeps a
     * 20 MB field from costing thousands of reallocs. */
    size_t have = csv_get_buffer_size(p);
    csv_set_blk_size(p, have > READER_CHUNK ? have : READER_CHUNK);
    size_t done = csv_parse(p, s, n, reader_csv_field, reader_csv_row, r);
    if (r->failed) return -1;
    if (done == n) return 0;
    if (csv_error(p) != CSV_EPARSE)
        return status_error(r->st, "%s:%lld: %s", r->path, (long long)r->line, csv_strerror(csv_error(p)));
    if (p->quoted)
        return status_error(r->st, "%s:%lld: unexpected text after a closing quote (a quote inside a quoted field must be doubled)",
                            r->path, (long long)r->line);
    return status_error(r->st, "%s:%lld: quote inside an unquoted field (a field containing quotes must be quoted)",
                        r->path, (long long)r->line);
}

/* ---- the file ---- */

/* "-" is standard input. */
FILE *reader_open(const char *path, Status *st)
{
    if (strcmp(path, "-") == 0) return stdin;
    FILE *f = fopen(path, "rb");
    if (!f) {
        status_error(st, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    int bad = 0;
    if (fstat(fileno(f), &sb) != 0) bad = status_error(st, "%s: cannot open: %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode)) bad = status_error(st, "%s: is a directory", path);
    if (bad) {
        fclose(f);
        return NULL;
    }
    return f;
}

/* Feeds s[0..n) piece by piece to libcsv (csv != NULL) or the line splitter. */
int reader_feed(Reader *r, struct csv_parser *csv, const char *s, size_t n)
{
    const char *end = s + n;
    int rc = 0;
    while (rc == 0 && s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = nl ? nl + 1 : end;
        if (csv) rc = reader_csv_piece(r, csv, s, (size_t)(stop - s));
        else rc = reader_line_piece(r, s, (size_t)(stop - s), nl != NULL);
        if (nl) r->line++;
        s = stop;
    }
    return rc;
}

/* Feeds the file chunk by chunk. */
static int reader_scan(Reader *r, FILE *f, struct csv_parser *csv)
{
    char *chunk = xmalloc(READER_CHUNK);
    int rc = 0, first = 1;
    size_t got;
    while (rc == 0 && (got = fread(chunk, 1, READER_CHUNK, f)) > 0) {
        const char *s = chunk;
        if (first && got >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
        first = 0;
        rc = reader_feed(r, csv, s, got - (size_t)(s - chunk));
    }
    if (rc == 0 && ferror(f)) rc = status_error(r->st, "%s: read error: %s", r->path, strerror(errno));
    free(chunk);
    return rc;
}

int reader_csv_init(Reader *r, struct csv_parser *p)
{
    if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return status_error(r->st, "%s: cannot set up the CSV parser", r->path);
    csv_set_realloc_func(p, xrealloc);
    return 0;
}

/* The end of the input: the record libcsv still holds, or the last line when
 * it has no '\n'. */
int reader_finish(Reader *r, struct csv_parser *csv)
{
    if (csv) {
        if (csv_fini(csv, reader_csv_field, reader_csv_row, r) != 0)
            return status_error(r->st, "%s:%lld: unterminated quoted field", r->path, (long long)r->rec_line);
        return r->failed ? -1 : 0;
    }
    if (r->carry_len == 0) return 0;
    size_t len = r->carry_len;
    r->carry_len = 0;
    return reader_line(r, r->carry, len);
}

static int reader_csv(Reader *r, FILE *f)
{
    struct csv_parser p;
    if (reader_csv_init(r, &p)) return -1;
    int rc = reader_scan(r, f, &p);
    if (rc == 0) rc = reader_finish(r, &p);
    csv_free(&p);
    return rc;
}

static int reader_lines(Reader *r, FILE *f)
{
    int rc = reader_scan(r, f, NULL);
    return rc == 0 ? reader_finish(r, NULL) : rc;
}

int reader_no_rows(const Reader *r)
{
    if (r->stats.skipped == 0) return status_error(r->st, "%s: no data rows", r->path);
    return status_error(r->st, "%s: no data rows (%lld bad rows skipped; first: %s)", r->path,
                        (long long)r->stats.skipped, r->stats.first_skip);
}

void reader_setup(Reader *r, const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx, Status *st)
{
    memset(r, 0, sizeof *r);
    r->path = strcmp(path, "-") == 0 ? "stdin" : path;
    r->o = o;
    r->format = reader_resolve_format(path, o->format);
    r->fn = fn;
    r->ctx = ctx;
    r->st = st;
    r->keep = (size_t)-1;  /* the header's names are all needed until columns are known */
    r->line = 1;
    r->rec_line = 1;
    r->prefix = reader_label_prefix(o);
    r->prefix_len = strlen(r->prefix);
}

void reader_release(Reader *r)
{
    free(r->buf);
    free(r->foff);
    free(r->flen);
    free(r->text);
    free(r->carry);
    free(r->lab);
    free(r->lab_len);
    labelnames_free(&r->names);
}

int reader_read(const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx, ReaderStats *stats,
                Status *st)
{
    status_clear(st);
    Reader r;
    reader_setup(&r, path, o, fn, ctx, st);
    int rc = reader_check_config(&r);
    if (rc == 0 && o->label_names) rc = labelnames_load(&r.names, o->label_names, st);
    FILE *f = NULL;
    if (rc == 0 && !(f = reader_open(path, st))) rc = -1;
    if (rc == 0) rc = r.format == FORMAT_CSV ? reader_csv(&r, f) : reader_lines(&r, f);
    if (rc == 0 && r.stats.rows == 0) rc = reader_no_rows(&r);
    if (f && f != stdin) fclose(f);
    if (stats) *stats = r.stats;
    reader_release(&r);
    return rc;
}
