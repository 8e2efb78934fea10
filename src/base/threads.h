/* threads.h - the one place that knows about OpenMP's thread numbering: how many
 * threads a setting means, which thread this is, and a pool of per-thread scratch
 * items (each thread indexes the pool by its id, so no item is shared). Builds
 * without OpenMP (NO_OMP=1) see one thread. */
#ifndef ATTNCLF_THREADS_H
#define ATTNCLF_THREADS_H

#include <stddef.h>

/* Threads a setting of `requested` means: itself, or all cores for 0. */
int threads_resolve(int requested);
/* The calling thread's number in its parallel region (0 outside one). */
int threads_id(void);
/* Threads in the calling thread's parallel region (1 outside one). */
int threads_team(void);

/* n items of `size` bytes, each set up by init(item, arg) and torn down by fin(item). */
typedef struct ThreadsPool {
    unsigned char *items;
    size_t size;
    int n;
    void (*fin)(void *item);
} ThreadsPool;

void threads_pool_init(ThreadsPool *p, int n, size_t size, void (*init)(void *item, const void *arg),
                       const void *arg, void (*fin)(void *item));
void threads_pool_free(ThreadsPool *p);
void *threads_pool_item(const ThreadsPool *p, int i);
/* The calling thread's item. */
void *threads_pool_mine(const ThreadsPool *p);

#endif
