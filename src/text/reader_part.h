/* reader_part.h - reader.c's record handling for one byte range of a file that
 * starts at a record boundary, for the parallel reader (readsplit.h) only: each
 * part parses its range with its own parser, line counter, statistics and
 * status, with the columns a first part resolved from the header. */
#ifndef ATTNCLF_READER_PART_H
#define ATTNCLF_READER_PART_H

#include <stdint.h>
#include <stdio.h>

#include "reader.h"

typedef struct ReaderPart ReaderPart;

/* A part whose first byte is on line `line`; `columns` (NULL for the first
 * part of a file) gives the columns resolved from the file's first record. */
ReaderPart *reader_part_new(const char *path, const ReaderOptions *o, ReaderRowFn fn, void *ctx, int64_t line,
                            const ReaderPart *columns);
void reader_part_free(ReaderPart *p);
/* Parses more of the range; -1 once the part has failed (reader_part_status says why). */
int reader_part_feed(ReaderPart *p, const char *s, size_t n);
/* The end of the range: the last record. */
int reader_part_finish(ReaderPart *p);
/* The columns are known (the first record has been seen). */
int reader_part_resolved(const ReaderPart *p);
/* The line of the next byte. */
int64_t reader_part_line(const ReaderPart *p);
const Status *reader_part_status(const ReaderPart *p);
const ReaderStats *reader_part_stats(const ReaderPart *p);

/* reader_read's checks and messages, for the parallel reader. */
FILE *reader_part_open(const char *path, Status *st);
int reader_part_check(const ReaderOptions *o, const char *path, Status *st);
int reader_part_no_rows(const ReaderStats *rs, const char *path, Status *st);

#endif
