/* readsplit.h - reads a corpus file on all threads. The file passes through a
 * window of READSPLIT_WINDOW bytes; each window ends at a record boundary and
 * is cut at record boundaries into parts, which are parsed (reader.h's rules,
 * messages and line numbers) and handed to the sink's `row` on the threads;
 * then the sink's `flush` takes the parts in input order on the calling thread.
 * So a sink that combines parts in order sees the rows exactly as reader_read
 * gives them, for any number of threads.
 *
 * A '\n' is a record boundary in TSV and fastText files; in CSV, where a quoted
 * field may hold newlines, it is one when an even number of quotes precedes it
 * since the window's start (itself a boundary). That is exactly libcsv's state
 * for every file it accepts in strict mode (a quote opens or closes a quoted
 * field or is doubled inside one); in a file it rejects, the part holding the
 * first bad quote reports it, as reader_read would, before any later part's
 * result is used. The first record (which fixes the columns) is parsed before
 * the others, by itself. */
#ifndef ATTNCLF_READSPLIT_H
#define ATTNCLF_READSPLIT_H

#include <stdint.h>

#include "reader.h"
#include "status.h"

/* Bytes per window; the boundaries that decide what a window holds do not
 * depend on the thread count. */
#define READSPLIT_WINDOW ((size_t)16 << 20)
/* Parts per window, at most. */
#define READSPLIT_MAX_PARTS 65

typedef struct ReadSplitSink {
    void *ctx;
    /* Each good row of part `part` (< READSPLIT_MAX_PARTS), in input order
     * within the part, on any thread; parts run at the same time. */
    int (*row)(void *ctx, int part, const ReaderRow *row, Status *st);
    /* After a window: parts 0..parts-1 are complete, to be taken in this
     * order; `done` bytes of `total` (0: unknown, as for stdin) are read. */
    int (*flush)(void *ctx, int parts, int64_t done, int64_t total, Status *st);
} ReadSplitSink;

/* reader_read's file, options, errors and statistics, on `threads` threads,
 * through windows of `window` bytes (0: READSPLIT_WINDOW; tests use tiny ones). */
int readsplit_read(const char *path, const ReaderOptions *o, int threads, size_t window, const ReadSplitSink *sink,
                   ReaderStats *stats, Status *st);

#endif
