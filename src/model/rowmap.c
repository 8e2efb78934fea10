/* rowmap.c - see rowmap.h. */
#include "rowmap.h"

#include <stdlib.h>
#include <string.h>

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

void rowmap_save(const RowMap *m, CkptWriter *w)
{
    CkptBuf *b = ckpt_section(w, "RMAP", 1);
    ckpt_put_u64(b, (uint64_t)m->rows);
    ckpt_put_u64(b, (uint64_t)m->stored);
    for (int64_t i = 0; i < m->words; i++) ckpt_put_u64(b, m->dir[2 * i]);
}

int rowmap_load(RowMap *m, const CkptReader *r, int64_t rows, Status *st)
{
    CkptSection sec;
    memset(m, 0, sizeof *m);
    if (!ckpt_find(r, "RMAP", &sec)) return ckpt_damaged(r, st, "no RMAP section (the stored rows)");
    CkptCursor c = ckpt_cursor(&sec);
    uint64_t n = ckpt_u64(&c), stored = ckpt_u64(&c);
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
