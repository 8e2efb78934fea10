/* sort.c - see sort.h. */
#include "sort.h"

#include <stdlib.h>

/* Below this many keys insertion sort beats partitioning. */
#define SORT_SHORT 16

static void sort_swap(uint64_t *a, int64_t i, int64_t j)
{
    uint64_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void sort_insertion(uint64_t *a, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        int64_t j = i;
        for (; j > 0 && a[j - 1] > x; j--) a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Restores the max-heap property below i of the heap a [n]. */
static void sort_sift(uint64_t *a, int64_t n, int64_t i)
{
    for (;;) {
        int64_t m = i, l = 2 * i + 1, r = l + 1;
        if (l < n && a[l] > a[m]) m = l;
        if (r < n && a[r] > a[m]) m = r;
        if (m == i) return;
        sort_swap(a, i, m);
        i = m;
    }
}

static void sort_heap(uint64_t *a, int64_t n)
{
    for (int64_t i = n / 2 - 1; i >= 0; i--) sort_sift(a, n, i);
    for (int64_t e = n - 1; e > 0; e--) {
        sort_swap(a, 0, e);
        sort_sift(a, e, 0);
    }
}

/* Hoare's partition of a [n] (n > SORT_SHORT) around the median of its first,
 * middle and last keys, moved to the middle (lo + (hi - lo) / 2, rounded down,
 * which keeps the split point j < n - 1): afterwards a[0..j] <= p <= a[j+1..n-1]. */
static int64_t sort_partition(uint64_t *a, int64_t n)
{
    int64_t mid = (n - 1) / 2;
    if (a[mid] < a[0]) sort_swap(a, mid, 0);
    if (a[n - 1] < a[0]) sort_swap(a, n - 1, 0);
    if (a[n - 1] < a[mid]) sort_swap(a, n - 1, mid);
    uint64_t p = a[mid];
    int64_t i = -1, j = n;
    for (;;) {
        do i++;
        while (a[i] < p);
        do j--;
        while (a[j] > p);
        if (i >= j) return j;
        sort_swap(a, i, j);
    }
}

static void sort_intro(uint64_t *a, int64_t n, int depth)
{
    while (n > SORT_SHORT) {
        if (depth-- == 0) {
            sort_heap(a, n);
            return;
        }
        int64_t j = sort_partition(a, n);
        /* Recurse into the smaller side, loop on the larger: stack depth log n. */
        if (j + 1 < n - j - 1) {
            sort_intro(a, j + 1, depth);
            a += j + 1;
            n -= j + 1;
        } else {
            sort_intro(a + j + 1, n - j - 1, depth);
            n = j + 1;
        }
    }
    sort_insertion(a, n);
}

void sort_u64_bounded(uint64_t *a, int64_t n, int depth)
{
    sort_intro(a, n, depth);
}

static int sort_depth(int64_t n)
{
    int depth = 0;
    for (int64_t m = n; m > 1; m >>= 1) depth += 2;
    return depth;
}

/* Permutes a [n] in place so that keys are grouped by their top byte in ascending
 * order (an American flag sort's one pass), and writes each group's end to end [256]. */
static void sort_by_top_byte(uint64_t *a, int64_t n, int64_t end[256])
{
    int64_t next[256] = {0};
    for (int64_t i = 0; i < n; i++) next[a[i] >> 56]++;
    int64_t at = 0;
    for (int d = 0; d < 256; d++) {
        int64_t c = next[d];
        next[d] = at;
        at += c;
        end[d] = at;
    }
    for (int d = 0; d < 256; d++)
        while (next[d] < end[d]) {
            uint64_t v = a[next[d]];
            int k = (int)(v >> 56);
            while (k != d) {
                uint64_t t = a[next[k]];
                a[next[k]++] = v;
                v = t;
                k = (int)(v >> 56);
            }
            a[next[d]++] = v;
        }
}

void sort_u64(uint64_t *a, int64_t n)
{
    /* Comparison sorts of hashed keys mispredict about every other branch; one
     * radix pass on the top byte leaves groups of n / 256 keys (hashes spread
     * evenly), and short groups are sorted with few branches. Keys that share
     * their top byte fall back to introsort within the group. */
    if (n <= 256) {
        sort_intro(a, n, sort_depth(n));
        return;
    }
    int64_t end[256];
    sort_by_top_byte(a, n, end);
    int64_t start = 0;
    for (int d = 0; d < 256; d++) {
        sort_intro(a + start, end[d] - start, sort_depth(end[d] - start));
        start = end[d];
    }
}

static int sort_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

void sort_u64_naive(uint64_t *a, int64_t n)
{
    if (n > 1) qsort(a, (size_t)n, sizeof *a, sort_cmp_u64);
}
