/* rowmap.c - see rowmap.h. */
#include "rowmap.h"

#include <stdlib.h>
#include <string.h>

#include "eliasfano.h"
#include "mem.h"

void rowmap_init(RowMap *m, int64_t rows)
{
    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->words = (rows + 63) / 64;
    m->dir = xcalloc((size_t)(m->words ? 2 * m->words : 2), sizeof *m->dir);
}

void rowmap_free(RowMap *m)
{
    free(m->dir);
    memset(m, 0, sizeof *m);
}

void rowmap_finish(RowMap *m)
{
    int64_t n = 0;
    for (int64_t w = 0; w < m->words; w++) {
        m->dir[2 * w + 1] = (uint64_t)n;
        n += rowmap_popcount(m->dir[2 * w]);
    }
    m->stored = n;
}

void rowmap_list(const RowMap *m, int64_t *out)
{
    int64_t n = 0;
    for (int64_t w = 0; w < m->words; w++)
        for (uint64_t b = m->dir[2 * w]; b; b &= b - 1) out[n++] = w * 64 + __builtin_ctzll(b);
}

/* The bit length of rows: every row index is below 2^u. */
static int rowmap_universe(int64_t rows)
{
    int u = 1;
    while (u < 63 && ((uint64_t)1 << u) < (uint64_t)rows) u++;
    return u;
}

void rowmap_save(const RowMap *m, CkptWriter *w)
{
    const uint64_t n = (uint64_t)m->stored;
    const int u = rowmap_universe(m->rows), l = ef_low_bits(n, u);
    const uint64_t hw = ef_high_words(n, u, l), lw = ef_low_words(n, l);
    uint64_t *list = xmalloc((size_t)(n ? n : 1) * sizeof *list);
    uint64_t *high = xcalloc((size_t)hw, sizeof *high), *low = xcalloc((size_t)(lw ? lw : 1), sizeof *low);
    rowmap_list(m, (int64_t *)list);
    ef_encode(list, n, l, high, low);
    CkptBuf *b = ckpt_section(w, "RMAP", 2);
    ckpt_put_u64(b, (uint64_t)m->rows);
    ckpt_put_u64(b, n);
    ckpt_put_u32(b, (uint32_t)l);
    ckpt_put_u32(b, 0);
    ckpt_put(b, high, (size_t)hw * 8);
    ckpt_put(b, low, (size_t)lw * 8);
    free(list);
    free(high);
    free(low);
}

/* Version 2's list into the bitmap of m (initialised for rows); -1 when the
 * bytes are not n ascending rows below rows. */
static int rowmap_load_list(RowMap *m, CkptCursor *c, uint64_t n)
{
    const int u = rowmap_universe(m->rows);
    const uint32_t l = ckpt_u32(c), zero = ckpt_u32(c);
    if (c->bad || zero != 0 || (int)l != ef_low_bits(n, u)) return -1;
    const uint64_t hw = ef_high_words(n, u, (int)l), lw = ef_low_words(n, (int)l);
    if (c->n - c->pos != (hw + lw) * 8) return -1;
    uint64_t *high = xmalloc((size_t)hw * 8), *low = xmalloc((size_t)(lw ? lw : 1) * 8);
    uint64_t *list = xmalloc((size_t)(n ? n : 1) * sizeof *list);
    ckpt_copy(c, high, (size_t)hw * 8);
    ckpt_copy(c, low, (size_t)lw * 8);
    int rc = ef_decode(high, low, n, u, (int)l, list);
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
        if (list[i] >= (uint64_t)m->rows) rc = -1;
        else rowmap_set(m, (int64_t)list[i]);
    }
    free(high);
    free(low);
    free(list);
    return rc;
}

int rowmap_load(RowMap *m, const CkptReader *r, int64_t rows, Status *st)
{
    CkptSection sec;
    memset(m, 0, sizeof *m);
    if (!ckpt_find(r, "RMAP", &sec)) return ckpt_damaged(r, st, "no RMAP section (the stored rows)");
    CkptCursor c = ckpt_cursor(&sec);
    uint64_t n = ckpt_u64(&c), stored = ckpt_u64(&c);
    if (sec.version == 2) {
        /* A row is at least a bit of the high words. */
        if (c.bad || n != (uint64_t)rows || stored > n || stored > 8 * (c.n - c.pos))
            return ckpt_damaged(r, st, "bad RMAP section: %llu rows for a model of %lld", (unsigned long long)n,
                                (long long)rows);
        rowmap_init(m, rows);
        if (rowmap_load_list(m, &c, stored)) {
            rowmap_free(m);
            return ckpt_damaged(r, st, "bad RMAP section: the stored rows do not decode");
        }
        rowmap_finish(m);
        return 0;
    }
    const uint64_t words = ((uint64_t)rows + 63) / 64;
    const unsigned char *bits = ckpt_take(&c, words * 8);
    if (sec.version != 1 || !ckpt_done(&c) || n != (uint64_t)rows || stored > n)
        return ckpt_damaged(r, st, "bad RMAP section: %llu rows for a model of %lld", (unsigned long long)n,
                            (long long)rows);
    rowmap_init(m, rows);
    for (uint64_t i = 0; i < words; i++) memcpy(&m->dir[2 * i], bits + 8 * i, 8);
    if (rows % 64 && m->dir[2 * (words - 1)] >> (rows % 64)) {
        rowmap_free(m);
        return ckpt_damaged(r, st, "bad RMAP section: rows past the last one are marked");
    }
    rowmap_finish(m);
    if ((uint64_t)m->stored != stored) {
        rowmap_free(m);
        return ckpt_damaged(r, st, "bad RMAP section: %llu rows said stored, %lld marked", (unsigned long long)stored,
                            (long long)m->stored);
    }
    return 0;
}
