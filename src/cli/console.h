/* console.h - a training run told on stderr, as a fit observer: the data
 * summary, the progress line, one line per epoch and the warnings. `quiet`
 * silences all but the warnings. */
#ifndef ATTNCLF_CONSOLE_H
#define ATTNCLF_CONSOLE_H

#include "fit.h"
#include "progress.h"

typedef struct Console {
    Progress prog;
    int quiet;
    const char *resuming;  /* the checkpoint a resumed run started from, or NULL */
    int sets;              /* label sets: show P@1 and micro-F1 (one-vs-all, or several labels per document) */
} Console;

void console_init(Console *c, int quiet, const char *resuming);
FitObserver console_observer(Console *c);

#endif
