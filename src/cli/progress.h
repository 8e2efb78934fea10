/* progress.h - the progress line on stderr: refreshed in place (throttled) when
 * stderr is a terminal, otherwise silent until the one plain line per epoch. */
#ifndef ATTNCLF_PROGRESS_H
#define ATTNCLF_PROGRESS_H

#include <stdint.h>

typedef struct Progress {
    int live;        /* stderr is a terminal and not quiet */
    int quiet;
    double t_start;  /* of the current epoch */
    double t_last;   /* of the last refresh */
} Progress;

double progress_now(void);  /* monotonic seconds */
void progress_init(Progress *p, int quiet);
void progress_epoch_start(Progress *p);
/* done/total batches of this epoch; remaining_epochs after this one. */
void progress_update(Progress *p, int epoch, int epochs, int64_t done, int64_t total, double tokens,
                     double loss, double lr);
void progress_clear(Progress *p);

#endif
