/* mem.h - allocation that cannot return NULL. Running out of memory is the one
 * failure we do not thread through Status (as llm.c's mallocCheck): it prints
 * one line and exits 1. */
#ifndef ATTNCLF_MEM_H
#define ATTNCLF_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Zeroed block for vectorised kernels (64-byte aligned when small, 16 when
 * large); free with free(). */
void *xaligned_calloc(size_t n);
/* How many blocks the functions above have allocated so far (all threads): the
 * tests' check that a training step allocates nothing. */
size_t mem_allocations(void);

#endif
