/* mem.c - see mem.h. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void mem_die(size_t n)
{
    fprintf(stderr, "attnclf: out of memory (allocating %zu bytes)\n", n);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) mem_die(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) mem_die(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) mem_die(n);
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

/* Blocks this large (the embedding table and its Adam moments) are backed by
 * transparent huge pages where the kernel offers them on request: one page
 * fault per 2 MiB instead of per 4 KiB, which was a fifth of a short run. */
#define MEM_HUGE (2u << 20)

void *xaligned_calloc(size_t n)
{
    size_t align = n >= 2 * MEM_HUGE ? MEM_HUGE : 64;
    size_t rounded = (n + align - 1) / align * align;
    if (rounded == 0) rounded = align;
    void *p = aligned_alloc(align, rounded);
    if (!p) mem_die(n);
#ifdef MADV_HUGEPAGE
    if (align == MEM_HUGE) madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, rounded);
    return p;
}
