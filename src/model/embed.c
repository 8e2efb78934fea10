/* embed.c - see embed.h. */
#include "embed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "mem.h"

void embed_init_row(float *out, int64_t r, int dim, uint64_t seed, int64_t random_rows)
{
    if (r >= random_rows) {
        memset(out, 0, (size_t)dim * sizeof *out);
        return;
    }
    Rng g;
    rng_seed(&g, seed);
    rng_skip(&g, (uint64_t)r * (uint64_t)dim);
    const float a = 1.0f / sqrtf((float)dim);
    for (int j = 0; j < dim; j++) out[j] = embed_uniform(&g, a);
}

int embed_row_is_initial(const float *row, int64_t r, int dim, uint64_t seed, int64_t random_rows)
{
    if (r >= random_rows) {
        const float zero = 0.0f;
        for (int j = 0; j < dim; j++)
            if (memcmp(&zero, &row[j], sizeof zero) != 0) return 0;
        return 1;
    }
    Rng g;
    rng_seed(&g, seed);
    rng_skip(&g, (uint64_t)r * (uint64_t)dim);
    const float a = 1.0f / sqrtf((float)dim);
    for (int j = 0; j < dim; j++) {
        float v = embed_uniform(&g, a);
        if (memcmp(&v, &row[j], sizeof v) != 0) return 0;
    }
    return 1;
}

void embed_init_plain(Embed *e, const float *table, int64_t rows, int dim)
{
    memset(e, 0, sizeof *e);
    e->rows = rows;
    e->dim = dim;
    e->codec = EMBED_F32;
    e->f32 = table;
}

void embed_free(Embed *e)
{
    if (e->mapped) rowmap_free(&e->map);
    if (e->codec == EMBED_I8 || e->codec == EMBED_I8D) quant_i8_free(&e->i8);
    free(e->dec);
    if (e->codec == EMBED_PQ) quant_pq_free(&e->pq);
    memset(e, 0, sizeof *e);
}

int64_t embed_stored(const Embed *e)
{
    return e->mapped ? e->map.stored : e->rows;
}

void embed_stored_row(const Embed *e, int64_t k, float *out)
{
    if (e->dec) {
        memcpy(out, e->dec + k * e->dim, (size_t)e->dim * sizeof *out);
        return;
    }
    switch (e->codec) {
    case EMBED_F32: memcpy(out, e->f32 + k * e->dim, (size_t)e->dim * sizeof *out); break;
    case EMBED_I8:
    case EMBED_I8D: quant_i8_row(&e->i8, k, out); break;
    case EMBED_PQ: quant_pq_row(&e->pq, k, out); break;
    }
}

void embed_decode_i8d(Embed *e)
{
    const int d = e->dim;
    const int64_t n = e->map.stored;
    int64_t *list = xmalloc((size_t)(n ? n : 1) * sizeof *list);
    rowmap_list(&e->map, list);
    free(e->dec);
    e->dec = xmalloc((size_t)(n ? n : 1) * (size_t)d * sizeof *e->dec);
    for (int64_t k = 0; k < n; k++) {
        float *out = e->dec + k * d;
        const int8_t *q = e->i8.q + k * d;
        const float s = e->i8.scale[k];
        embed_init_row(out, list[k], d, e->seed, e->random_rows);
        for (int j = 0; j < d; j++) out[j] += s * (float)q[j];
    }
    free(list);
}

/* e->dec = every stored int8 or PQ row as embed_stored_row decodes it, which
 * is the gather's arithmetic (one multiply a number), so predictions keep
 * their bits; a gather is then a float table's copy. */
static void embed_decode_all(Embed *e)
{
    const int64_t n = embed_stored(e);
    float *dec = xmalloc((size_t)(n ? n : 1) * (size_t)e->dim * sizeof *dec);
    for (int64_t k = 0; k < n; k++) embed_stored_row(e, k, dec + k * e->dim);
    e->dec = dec;
}

int embed_build_i8d(Embed *e, const float *table, Status *st)
{
    const int d = e->dim;
    const int64_t n = e->map.stored;
    int64_t *list = xmalloc((size_t)(n ? n : 1) * sizeof *list);
    float *diff = xmalloc((size_t)(n ? n : 1) * (size_t)d * sizeof *diff);
    rowmap_list(&e->map, list);
    for (int64_t k = 0; k < n; k++) {
        const float *x = table + list[k] * d;
        embed_init_row(diff + k * d, list[k], d, e->seed, e->random_rows);
        for (int j = 0; j < d; j++) diff[k * d + j] = x[j] - diff[k * d + j];
    }
    int rc = quant_i8_build(&e->i8, diff, n, d, st);
    free(diff);
    free(list);
    if (rc) return -1;
    e->codec = EMBED_I8D;
    return 0;
}

int embed_row(const Embed *e, int64_t r, float *out)
{
    const int64_t k = embed_index(e, r);
    if (k >= 0) {
        embed_stored_row(e, k, out);
        return 0;
    }
    if (e->missing == EMBED_MISSING_INIT) {
        embed_init_row(out, r, e->dim, e->seed, e->random_rows);
        return 0;
    }
    memset(out, 0, (size_t)e->dim * sizeof *out);
    return -1;
}

/* x [k,d] rows decoded, k = nk: each kept row's values, in order. */
static void embed_decode(const Embed *e, float *x, const int32_t *sid, const int32_t *kid, int nk)
{
    const int d = e->dim;
    if (e->dec) kernel_gather_rows(x, e->dec, sid, nk, d);
    else
        switch (e->codec) {
        case EMBED_F32: kernel_gather_rows(x, e->f32, sid, nk, d); break;
        case EMBED_I8:
        case EMBED_I8D: kernel_gather_i8(x, e->i8.q, e->i8.scale, sid, nk, d); break;
        case EMBED_PQ: kernel_gather_pq(x, &e->pq, sid, nk); break;
        }
    if (e->mapped && e->missing == EMBED_MISSING_INIT)
        for (int j = 0; j < nk; j++)
            if (sid[j] < 0)
                embed_init_row(x + (size_t)j * d, kid[j] < 0 ? ~kid[j] : kid[j], d, e->seed, e->random_rows);
}

int embed_gather(const Embed *e, float *x, int32_t *kid, int *nk, int32_t *pos, int *P, int32_t *sid,
                 const int32_t *ids, int n)
{
    const int d = e->dim, skip = e->mapped && e->missing == EMBED_MISSING_SKIP;
    int k = 0, T = 0, p = -1, open = 0;
    for (int i = 0; i < n; i++) {
        /* The map's entries are scattered like the rows: ask for those ahead early. */
        if (e->mapped && i + 8 < n) __builtin_prefetch(rowmap_entry(&e->map, ids[i + 8] < 0 ? ~ids[i + 8] : ids[i + 8]));
        const int32_t r = ids[i] < 0 ? ~ids[i] : ids[i];
        if (ids[i] >= 0) {
            p++;
            open = 0;
        }
        const int64_t j = embed_index(e, r);
        if (j < 0 && skip) continue;
        sid[k] = (int32_t)j;
        kid[k++] = open ? ~r : r;
        if (!open) pos[T++] = p;
        open = 1;
    }
    *nk = k;
    *P = p + 1;
    embed_decode(e, x, sid, kid, k);
    /* Bag t's rows lie at or after row t of x, so each mean is written in place
     * over rows already read: out = first, out += next..., out *= 1/size. */
    for (int i = 0, t = 0; i < k; t++) {
        int j = i + 1;
        while (j < k && kid[j] < 0) j++;
        float *out = x + (size_t)t * d;
        if (t != i) memcpy(out, x + (size_t)i * d, (size_t)d * sizeof *out);
        for (int q = i + 1; q < j; q++) {
            const float *src = x + (size_t)q * d;
#pragma omp simd
            for (int c = 0; c < d; c++) out[c] += src[c];
        }
        if (j - i > 1) {
            const float inv = 1.0f / (float)(j - i);
#pragma omp simd
            for (int c = 0; c < d; c++) out[c] *= inv;
        }
        i = j;
    }
    return T;
}

void embed_save(const Embed *e, CkptWriter *w)
{
    if (embed_is_plain(e)) return;
    CkptBuf *b = ckpt_section(w, "EMBD", e->codec == EMBED_I8D ? 2 : 1);
    ckpt_put_u32(b, (uint32_t)e->codec);
    ckpt_put_u32(b, (uint32_t)e->missing);
    ckpt_put_u64(b, e->seed);
    ckpt_put_u64(b, (uint64_t)e->random_rows);
    ckpt_put_u32(b, (uint32_t)e->mapped);
    ckpt_put_u32(b, 0);
    ckpt_put_u64(b, (uint64_t)embed_stored(e));
    if (e->mapped) rowmap_save(&e->map, w);
    if (e->codec == EMBED_F32) return;
    b = ckpt_section(w, "QEMB", 1);
    ckpt_put_u32(b, (uint32_t)e->codec);
    ckpt_put_u32(b, 0);
    const int i8 = e->codec == EMBED_I8 || e->codec == EMBED_I8D;
    size_t n = i8 ? quant_i8_size(&e->i8) : quant_pq_size(&e->pq);
    unsigned char *bytes = ckpt_put_space(b, n);
    if (i8) quant_i8_write(&e->i8, bytes);
    else quant_pq_write(&e->pq, bytes);
}

/* QEMB: the stored rows of an int8 or PQ embedding, which must be stored x dim. */
static int embed_load_quant(Embed *e, const CkptReader *r, int64_t stored, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, "QEMB", &sec)) return ckpt_damaged(r, st, "no QEMB section (the quantized embedding)");
    CkptCursor c = ckpt_cursor(&sec);
    uint32_t codec = ckpt_u32(&c), zero = ckpt_u32(&c);
    if (sec.version != 1 || c.bad || codec != (uint32_t)e->codec || zero != 0)
        return ckpt_damaged(r, st, "bad QEMB section");
    char what[300];
    snprintf(what, sizeof what, "%s: section QEMB", r->path);
    int rc;
    int64_t rows;
    int dim;
    if (e->codec == EMBED_I8 || e->codec == EMBED_I8D) {
        rc = quant_i8_read(&e->i8, sec.p + 8, (size_t)(sec.n - 8), what, st);
        rows = e->i8.rows;
        dim = e->i8.dim;
    } else {
        rc = quant_pq_read(&e->pq, sec.p + 8, (size_t)(sec.n - 8), what, st);
        rows = e->pq.rows;
        dim = e->pq.pq.dim;
    }
    if (rc) {
        e->codec = EMBED_F32; /* nothing of the codec's to free */
        return -1;
    }
    if (rows != stored || dim != e->dim)
        return ckpt_damaged(r, st, "the quantized embedding holds %lld rows of %d, the model %lld of %d",
                            (long long)rows, dim, (long long)stored, e->dim);
    return 0;
}

int embed_load(Embed *e, const CkptReader *r, int64_t rows, int dim, Status *st)
{
    embed_init_plain(e, NULL, rows, dim);
    CkptSection sec;
    if (!ckpt_find(r, "EMBD", &sec)) return ckpt_damaged(r, st, "no EMBD section (how the embedding is stored)");
    CkptCursor c = ckpt_cursor(&sec);
    uint32_t codec = ckpt_u32(&c), missing = ckpt_u32(&c);
    uint64_t seed = ckpt_u64(&c), random_rows = ckpt_u64(&c);
    uint32_t mapped = ckpt_u32(&c), zero = ckpt_u32(&c);
    uint64_t stored = ckpt_u64(&c);
    /* Version 2 says the rows are EMBED_I8D, which only an exported model's mapped rows are. */
    const int i8d = sec.version == 2 && codec == EMBED_I8D && missing == EMBED_MISSING_INIT && mapped == 1;
    if ((sec.version != 1 && !i8d) || (sec.version == 1 && codec > EMBED_PQ) || !ckpt_done(&c) ||
        missing > EMBED_MISSING_SKIP || mapped > 1 ||
        zero != 0 || random_rows > (uint64_t)rows || stored > (uint64_t)rows || (!mapped && stored != (uint64_t)rows))
        return ckpt_damaged(r, st, "bad EMBD section");
    e->missing = (EmbedMissing)missing;
    e->seed = seed;
    e->random_rows = (int64_t)random_rows;
    if (mapped) {
        if (rowmap_load(&e->map, r, rows, st)) return -1;
        e->mapped = 1;
        if ((uint64_t)e->map.stored != stored) {
            embed_free(e);
            return ckpt_damaged(r, st, "EMBD says %llu stored rows, RMAP %lld", (unsigned long long)stored,
                                (long long)e->map.stored);
        }
    }
    e->codec = (EmbedCodec)codec;
    if (e->codec != EMBED_F32 && embed_load_quant(e, r, (int64_t)stored, st)) {
        embed_free(e);
        return -1;
    }
    if (e->codec == EMBED_I8D) embed_decode_i8d(e);
    else if (e->codec != EMBED_F32 && stored * (uint64_t)dim * sizeof(float) <= EMBED_DECODE_BUDGET)
        embed_decode_all(e);
    return 0;
}
