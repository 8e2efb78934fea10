/* mem.c - see mem.h. */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static size_t mem_count; /* updated atomically: steps allocate (or not) on many threads */

static void mem_counted(void)
{
    __atomic_fetch_add(&mem_count, 1, __ATOMIC_RELAXED);
}

size_t mem_allocations(void)
{
    return __atomic_load_n(&mem_count, __ATOMIC_RELAXED);
}

static void mem_die(size_t n)
{
    fprintf(stderr, "attnclf: out of memory (allocating %zu bytes)\n", n);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) mem_die(n);
    mem_counted();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) mem_die(count * size);
    mem_counted();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) mem_die(n);
    mem_counted();
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Blocks this large (the embedding table and its Adam moments) come from calloc,
 * which maps fresh zero pages for them instead of writing zeros, and are backed
 * by transparent huge pages where the kernel offers them on request: one page
 * fault per 2 MiB instead of per 4 KiB. First touches of memory were a fifth of a
 * short run on the machines measured. */
#define MEM_HUGE ((size_t)2 << 20)

void *xaligned_calloc(size_t n)
{
    if (n >= 2 * MEM_HUGE) {
        /* calloc's large blocks are page-aligned plus a small header: aligned to
         * 16 bytes, which is all the vectorised loops need to be correct. */
        unsigned char *p = xcalloc(1, n);
#ifdef MADV_HUGEPAGE
        uintptr_t lo = ((uintptr_t)p + MEM_HUGE - 1) & ~(uintptr_t)(MEM_HUGE - 1);
        uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(MEM_HUGE - 1);
        if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
        return p;
    }
    size_t rounded = (n + 63) / 64 * 64;
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (!p) mem_die(n);
    mem_counted();
    memset(p, 0, rounded ? rounded : 64);
    return p;
}
