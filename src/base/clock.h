/* clock.h - monotonic wall-clock seconds, for throughput and progress figures. */
#ifndef ATTNCLF_CLOCK_H
#define ATTNCLF_CLOCK_H

#include <time.h>

static inline double clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
