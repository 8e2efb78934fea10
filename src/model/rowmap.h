/* rowmap.h - which of a model's embedding rows a file stores: a bitmap over the
 * rows with a rank directory, so that row r's place among the stored rows (how
 * many stored rows come before it) costs one popcount. A shipped model stores
 * only the rows training touched or a --cutoff kept (embed.h says what the
 * others become). In memory it is a bitmap (rows/8 bytes whatever is kept);
 * in a file, the list of stored rows Elias-Fano coded (eliasfano.h), about
 * 2 + log2(rows / stored) bits a stored row: the AG News sample's 151,390 of
 * 2,020,604 rows take 95 KB where the bitmap took 253 KB. */
#ifndef ATTNCLF_ROWMAP_H
#define ATTNCLF_ROWMAP_H

#include <stdint.h>

#include "ckpt.h"
#include "status.h"

typedef struct RowMap {
    int64_t rows;    /* rows mapped (a model's dims.rows) */
    int64_t stored;  /* bits set */
    int64_t words;   /* ceil(rows / 64) */
    /* [2*words]: dir[2w] holds the bits of rows 64w..64w+63 (bit r % 64 set: row r is
     * stored; bits past rows are 0), dir[2w+1] the stored rows before them, side by
     * side so that a lookup costs one cache miss, not two. */
    uint64_t *dir;
} RowMap;

/* A map of `rows` rows with none stored. */
void rowmap_init(RowMap *m, int64_t rows);
void rowmap_free(RowMap *m);
/* Marks row r stored; call rowmap_finish after the last one. */
static inline void rowmap_set(RowMap *m, int64_t r)
{
    m->dir[2 * (r >> 6)] |= (uint64_t)1 << (r & 63);
}
/* Counts the stored rows and builds the rank directory. */
void rowmap_finish(RowMap *m);
static inline int rowmap_has(const RowMap *m, int64_t r)
{
    return (int)(m->dir[2 * (r >> 6)] >> (r & 63) & 1);
}
/* The bits set in x, without the library call GCC makes for __builtin_popcountll
 * when the target may lack the instruction (SWAR, Knuth 7.1.3). */
static inline int rowmap_popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}
/* Row r's index among the stored rows (ascending row order), or -1 when r is not
 * stored; 0 <= r < rows. */
static inline int64_t rowmap_index(const RowMap *m, int64_t r)
{
    const uint64_t *e = m->dir + 2 * (r >> 6);
    const uint64_t w = e[0], below = ((uint64_t)1 << (r & 63)) - 1;
    if (!(w >> (r & 63) & 1)) return -1;
    return (int64_t)e[1] + rowmap_popcount(w & below);
}
/* Where row r's lookup reads, to prefetch. */
static inline const void *rowmap_entry(const RowMap *m, int64_t r)
{
    return m->dir + 2 * (r >> 6);
}
/* The stored rows in ascending order into out [stored]. */
void rowmap_list(const RowMap *m, int64_t *out);

/* Section RMAP, version 2: u64 rows, u64 stored, u32 l = ef_low_bits(stored,
 * u) for u the bit length of rows, u32 0, then the stored rows ascending,
 * Elias-Fano coded: the high words, then the low ones (u64 each). Version 1
 * (files before it): u64 rows, u64 stored, then the bitmap, u64 [words]. */
void rowmap_save(const RowMap *m, CkptWriter *w);
/* Reads RMAP (either version) for a model of `rows` rows: the row count must
 * match, the stored count must be the rows listed (or marked), rows past the
 * last one are refused. */
int rowmap_load(RowMap *m, const CkptReader *r, int64_t rows, Status *st);

#endif
