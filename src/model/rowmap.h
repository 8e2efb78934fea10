/* rowmap.h - which of a model's embedding rows a file stores: a bitmap over the
 * rows with a rank directory, so that row r's place among the stored rows (how
 * many stored rows come before it) costs one popcount. A shipped model stores
 * only the rows training touched or a --cutoff kept (embed.h says what the
 * others become). A bitmap costs rows/8 bytes whatever is kept: 260 KB for
 * IMDB's 2.08M rows, where a list of the 100,000 rows a cutoff keeps as u32
 * would take 400 KB. */
#ifndef ATTNCLF_ROWMAP_H
#define ATTNCLF_ROWMAP_H

#include <stdint.h>

#include "ckpt.h"
#include "status.h"

typedef struct RowMap {
    int64_t rows;    /* rows mapped (a model's dims.rows) */
    int64_t stored;  /* bits set */
    int64_t words;   /* ceil(rows / 64) */
    uint64_t *bits;  /* [words] bit r % 64 of word r / 64 set: row r is stored; bits past rows are 0 */
    uint32_t *rank;  /* [words] stored rows before word w (rows < 2^31, model.h) */
} RowMap;

/* A map of `rows` rows with none stored. */
void rowmap_init(RowMap *m, int64_t rows);
void rowmap_free(RowMap *m);
/* Marks row r stored; call rowmap_finish after the last one. */
static inline void rowmap_set(RowMap *m, int64_t r)
{
    m->bits[r >> 6] |= (uint64_t)1 << (r & 63);
}
/* Counts the stored rows and builds the rank directory. */
void rowmap_finish(RowMap *m);
static inline int rowmap_has(const RowMap *m, int64_t r)
{
    return (int)(m->bits[r >> 6] >> (r & 63) & 1);
}
/* Row r's index among the stored rows (ascending row order), or -1 when r is not
 * stored; 0 <= r < rows. */
static inline int64_t rowmap_index(const RowMap *m, int64_t r)
{
    const uint64_t w = m->bits[r >> 6], below = ((uint64_t)1 << (r & 63)) - 1;
    if (!(w >> (r & 63) & 1)) return -1;
    return (int64_t)m->rank[r >> 6] + __builtin_popcountll(w & below);
}
/* The stored rows in ascending order into out [stored]. */
void rowmap_list(const RowMap *m, int64_t *out);

/* Section RMAP, version 1: u64 rows, u64 stored, then the bitmap, u64 [words]. */
void rowmap_save(const RowMap *m, CkptWriter *w);
/* Reads RMAP for a model of `rows` rows: the row count must match, the stored
 * count must be the bitmap's, and the bits past the last row must be 0. */
int rowmap_load(RowMap *m, const CkptReader *r, int64_t rows, Status *st);

#endif
