/* reader.h - streams labelled rows out of a corpus file: CSV (RFC 4180 via libcsv:
 * quoted fields, doubled quotes, embedded newlines, CRLF, UTF-8 BOM), TSV (tab
 * separated, no quoting, like SST-2) or fastText lines ("__label__X some text").
 * Each good row reaches the callback as (label, text) where text is the configured
 * text columns joined with one space. Bad rows are an error naming path:line and
 * why, or with BAD_ROW_SKIP are counted and skipped. */
#ifndef ATTNCLF_READER_H
#define ATTNCLF_READER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "status.h"

/* Called once per good row. label/text are NOT NUL-terminated and may contain
 * any bytes (including NUL and invalid UTF-8); they are valid only during the call.
 * `line` is the 1-based line where the row starts. Return 0 to go on, -1 (with st
 * set) to stop reading; reader_read then returns -1 with that status. */
typedef int (*ReaderRowFn)(void *ctx, const char *label, size_t label_len,
                           const char *text, size_t text_len,
                           const char *path, int64_t line, Status *st);

typedef struct ReaderStats {
    int64_t rows;             /* rows given to the callback */
    int64_t skipped;          /* bad rows skipped under BAD_ROW_SKIP */
    char first_skip[512];     /* message of the first skipped row, "" if none */
} ReaderStats;

/* Resolves FORMAT_AUTO from the path's extension: .tsv -> TSV, .txt/.ft/.fasttext ->
 * fastText, anything else -> CSV. */
DataFormat reader_resolve_format(const char *path, DataFormat f);

/* Reads `path` with the format, header, label/text columns and bad-row policy of
 * `dc` (dc->train/valid are ignored: `path` is what is read). Errors: the file is
 * missing/unreadable/a directory, has no rows, a column named or numbered in dc is
 * not there, a bad row under BAD_ROW_ERROR, or the callback failed. stats may be NULL. */
int reader_read(const char *path, const DataConfig *dc, ReaderRowFn fn, void *ctx,
                ReaderStats *stats, Status *st);

#endif
