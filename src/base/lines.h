/* lines.h - a text file read into a growing array of rows, one per non-blank
 * line, each parsed by the caller's function (log.jsonl, tune.jsonl). */
#ifndef ATTNCLF_LINES_H
#define ATTNCLF_LINES_H

#include <stddef.h>

#include "status.h"

/* Parses line number `line` of path (text, NUL-terminated, with its newline)
 * into row; -1 with st set when it is not one. */
typedef int (*LinesRowFn)(const char *path, long line, const char *text, void *row, Status *st);

/* *rows gets *n rows of `size` bytes each (free() it). On an error (the file,
 * or a row fn refuses) returns -1 with the rows parsed so far in *rows and *n,
 * for the caller to free as it frees its rows. */
int lines_read(const char *path, size_t size, LinesRowFn fn, void **rows, int *n, Status *st);

#endif
