/* sort.h - sorting 64-bit keys in place, for the per-document hot paths (a
 * document's naive Bayes features are sorted to count each once). */
#ifndef ATTNCLF_SORT_H
#define ATTNCLF_SORT_H

#include <stdint.h>

/* Sorts a [n] ascending, in place, allocating nothing: past 256 keys one radix
 * pass on the top byte, then introsort (quicksort with a median of three,
 * insertion sort on short runs, heapsort past a depth bound) within each group.
 * glibc's qsort calls a comparison function per step and takes a merge sort's
 * buffer from malloc; on IMDB's ~800 features a review it took a third of
 * predict's time. */
void sort_u64(uint64_t *a, int64_t n);

/* sort_u64's introsort alone, with the number of partitioning levels (>= 0)
 * before heapsort takes over given (sort_u64 allows 2 log2 n; 0 heapsorts at
 * once), so that tests reach each of its ways. */
void sort_u64_bounded(uint64_t *a, int64_t n, int depth);

/* The reference: qsort with a comparison function. The same result, by
 * definition of a sort of integers; the tests hold sort_u64 to it. */
void sort_u64_naive(uint64_t *a, int64_t n);

#endif
