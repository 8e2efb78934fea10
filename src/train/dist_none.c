/* dist_none.c - dist.h for a build without MPI: one process. */
#include "dist.h"

#ifndef ATTNCLF_MPI

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dist_init(int *argc, char ***argv, Status *st)
{
    (void)argc;
    (void)argv;
    (void)st;
    return 0;
}

void dist_finalize(void) {}

int dist_rank(void)
{
    return 0;
}

int dist_size(void)
{
    return 1;
}

int dist_any(int flag)
{
    return flag != 0;
}

int dist_max(int v)
{
    return v;
}

void dist_allgather(const void *mine, size_t n, void *all)
{
    if (n) memmove(all, mine, n);
}

void dist_allgatherv(const void *mine, void *all, const size_t *counts)
{
    if (counts[0]) memmove(all, mine, counts[0]);
}

void dist_wait_all(void) {}

void dist_abort(const char *msg, int code)
{
    fprintf(stderr, "attnclf: %s\n", msg);
    exit(code);
}

#else
typedef int dist_none_unused; /* the MPI build uses dist.c */
#endif
