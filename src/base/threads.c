/* threads.c - see threads.h. */
#include "threads.h"

#include <stdlib.h>

#include "mem.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int threads_resolve(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

int threads_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int threads_team(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

void threads_pool_init(ThreadsPool *p, int n, size_t size, void (*init)(void *item, const void *arg),
                       const void *arg, void (*fin)(void *item))
{
    p->n = n;
    p->size = size;
    p->fin = fin;
    p->items = xcalloc((size_t)n, size);
    for (int i = 0; i < n; i++) init(p->items + (size_t)i * size, arg);
}

void threads_pool_free(ThreadsPool *p)
{
    for (int i = 0; i < p->n; i++) p->fin(p->items + (size_t)i * p->size);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

void *threads_pool_item(const ThreadsPool *p, int i)
{
    return p->items + (size_t)i * p->size;
}

void *threads_pool_mine(const ThreadsPool *p)
{
    return threads_pool_item(p, threads_id());
}
