/* progress.c - see progress.h. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

void progress_init(Progress *p, int quiet)
{
    p->live = !quiet && isatty(STDERR_FILENO);
    p->t_last = 0;
}

void progress_update(Progress *p, int epoch, int epochs, int64_t done, int64_t total, double tokens,
                     double loss, double lr, double el)
{
    if (!p->live) return;
    double now = clock_seconds();
    if (now - p->t_last < 0.2 && done < total) return;
    p->t_last = now;
    double rate = el > 0 ? tokens / el : 0;
    double eta = done > 0 ? el * (double)(total - done) / (double)done : 0;
    eta += el / (done > 0 ? (double)done / (double)total : 1.0) * (double)(epochs - epoch);
    fprintf(stderr, "\r\033[Kepoch %d/%d %5.1f%% %8.0f tok/s loss %.4f lr %.2e ETA %.0fs", epoch, epochs,
            100.0 * (double)done / (double)(total ? total : 1), rate, loss, lr, eta);
    fflush(stderr);
}

void progress_read(Progress *p, const char *path, int64_t done, int64_t total, double el)
{
    if (!p->live) return;
    double now = clock_seconds();
    if (now - p->t_last < 0.2 && done < total) return;
    p->t_last = now;
    const char *slash = strrchr(path, '/');
    double rate = el > 0 ? (double)done / el : 0;
    fprintf(stderr, "\r\033[Kreading %s", slash ? slash + 1 : path);
    if (total > 0)
        fprintf(stderr, " %5.1f%% %6.1f MB/s ETA %.0fs", 100.0 * (double)done / (double)total, rate / 1e6,
                rate > 0 ? (double)(total - done) / rate : 0.0);
    else
        fprintf(stderr, " %.1f MB %6.1f MB/s", (double)done / 1e6, rate / 1e6);
    fflush(stderr);
}

void progress_clear(Progress *p)
{
    if (p->live) fprintf(stderr, "\r\033[K");
}
