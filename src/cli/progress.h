/* progress.h - the progress line on stderr: refreshed in place (throttled) when
 * stderr is a terminal, otherwise silent (the console prints one plain line per
 * epoch instead). */
#ifndef ATTNCLF_PROGRESS_H
#define ATTNCLF_PROGRESS_H

#include <stdint.h>

typedef struct Progress {
    int live;        /* stderr is a terminal and not quiet */
    double t_last;   /* of the last refresh */
} Progress;

void progress_init(Progress *p, int quiet);
/* Epoch `epoch` of `epochs`: done of total batches after `seconds`, with the
 * tokens, mean loss and lr so far. */
void progress_update(Progress *p, int epoch, int epochs, int64_t done, int64_t total, double tokens,
                     double loss, double lr, double seconds);
/* Reading `path`: done of total bytes (0: unknown) after `seconds`. */
void progress_read(Progress *p, const char *path, int64_t done, int64_t total, double seconds);
/* Erases the line (before other output). */
void progress_clear(Progress *p);

#endif
