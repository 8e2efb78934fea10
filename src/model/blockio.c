/* blockio.c - see blockio.h. */
#include "blockio.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* The n-gram rows with a nonzero weight; their count. */
static int64_t blockio_touched(const Model *m, uint32_t **rows)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim;
    const float *emb = m->p.emb;
    int64_t k = 0;
    *rows = xmalloc((size_t)(D->rows - D->dense_rows + 1) * sizeof **rows);
    for (int64_t r = D->dense_rows; r < D->rows; r++) {
        const float *row = emb + r * d;
        int nonzero = 0;
        for (int e = 0; e < d && !nonzero; e++) nonzero = row[e] != 0.0f;
        if (nonzero) (*rows)[k++] = (uint32_t)r;
    }
    return k;
}

void blockio_save(const Model *m, const float *block, CkptWriter *w, const char *tag)
{
    const ModelDims *D = &m->dims;
    const int64_t d = D->dim, ngram_rows = D->rows - D->dense_rows;
    const uint64_t prefix = (uint64_t)(m->tensors[TENSOR_EMB].offset + D->dense_rows * d);
    uint32_t *rows = NULL;
    int64_t k = ngram_rows > 0 ? blockio_touched(m, &rows) : 0;
    if (ngram_rows == 0 || 8 + (uint64_t)k * (4 + 4 * (uint64_t)d) >= (uint64_t)ngram_rows * d * 4) {
        ckpt_section(w, tag, 1);
        ckpt_section_ref(w, block, (uint64_t)m->n_params * sizeof(float));
        free(rows);
        return;
    }
    CkptBuf *b = ckpt_section(w, tag, 2);
    ckpt_put_u64(b, (uint64_t)k);
    ckpt_put(b, rows, (size_t)k * sizeof *rows);
    /* A million rows or so: gathered in one buffer on every core, not appended one by one. */
    const float *emb = block + m->tensors[TENSOR_EMB].offset;
    float *out = (float *)(void *)ckpt_put_space(b, (size_t)k * (size_t)d * sizeof(float));
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < k; i++) memcpy(out + i * d, emb + (int64_t)rows[i] * d, (size_t)d * sizeof(float));
    ckpt_section_ref(w, block, prefix * sizeof(float));
    free(rows);
}

const float *blockio_mapped(const Model *m, const CkptReader *r, const char *tag)
{
    CkptSection sec;
    if (!ckpt_find(r, tag, &sec) || sec.version != 1 || sec.n != (uint64_t)m->n_params * sizeof(float)) return NULL;
    return (const float *)(const void *)sec.p;
}

int blockio_load(const Model *m, float *block, const CkptReader *r, const char *tag, Status *st)
{
    CkptSection sec;
    const ModelDims *D = &m->dims;
    const uint64_t np = (uint64_t)m->n_params, d = (uint64_t)D->dim;
    const uint64_t prefix = (uint64_t)m->tensors[TENSOR_EMB].offset + (uint64_t)D->dense_rows * d;
    if (!ckpt_find(r, tag, &sec)) return ckpt_damaged(r, st, "no %s section", tag);
    if (sec.version == 1 || r->version < 4) {
        if (sec.n != np * sizeof(float))
            return ckpt_damaged(r, st, "%s holds %llu bytes, not the %llu of the parameter block", tag,
                                (unsigned long long)sec.n, (unsigned long long)(np * sizeof(float)));
        memcpy(block, sec.p, (size_t)sec.n);
        return 0;
    }
    CkptCursor c = ckpt_cursor(&sec);
    uint64_t k = ckpt_u64(&c), left = c.n - c.pos;
    if (sec.version != 2 || c.bad || k > (uint64_t)(D->rows - D->dense_rows) ||
        left != k * 4 + k * d * 4 + prefix * 4)
        return ckpt_damaged(r, st, "bad %s section", tag);
    const unsigned char *rows = ckpt_take(&c, k * 4);
    float *emb = block + m->tensors[TENSOR_EMB].offset;
    uint32_t prev = 0;
    for (uint64_t i = 0; i < k; i++) {
        uint32_t row;
        memcpy(&row, rows + 4 * i, 4);
        /* Ascending and inside the n-gram rows: no row lands twice or outside. */
        if (row < (uint64_t)D->dense_rows || row >= (uint64_t)D->rows || (i && row <= prev))
            return ckpt_damaged(r, st, "%s lists row %u out of order or range", tag, row);
        ckpt_copy(&c, emb + (uint64_t)row * d, (size_t)(d * sizeof(float)));
        prev = row;
    }
    ckpt_copy(&c, block, (size_t)(prefix * sizeof(float)));
    return ckpt_done(&c) ? 0 : ckpt_damaged(r, st, "bad %s section", tag);
}
