/* quant.c - see quant.h: int8 rows, the row scores and the selection; the product
 * quantizer is in quant_pq.c. */
#include "quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int quant_check_finite(const float *x, int64_t rows, int dim, Status *st)
{
    for (int64_t i = 0; i < rows; i++)
        for (int j = 0; j < dim; j++)
            if (!isfinite(x[i * dim + j]))
                return status_error(st, "quantize: row %lld, column %d is not a finite number", (long long)i, j);
    return 0;
}

float quant_row_norm(const float *x, int dim)
{
    double s = 0.0;
    for (int j = 0; j < dim; j++) s += (double)x[j] * x[j];
    return (float)sqrt(s);
}

static uint32_t quant_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t quant_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int quant_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- int8 ---- */

int quant_i8_build(QuantI8 *m, const float *x, int64_t rows, int dim, Status *st)
{
    if (dim < 1 || dim > QUANT_MAX_DIM) return status_error(st, "quantize: dim %d is outside 1..%d", dim, QUANT_MAX_DIM);
    if (rows < 0) return status_error(st, "quantize: %lld rows", (long long)rows);
    if (quant_check_finite(x, rows, dim, st)) return -1;
    m->rows = rows;
    m->dim = dim;
    m->scale = xmalloc(rows ? (size_t)rows * sizeof *m->scale : 1);
    m->q = xmalloc(rows ? (size_t)rows * (size_t)dim : 1);
    for (int64_t i = 0; i < rows; i++) {
        const float *r = x + i * dim;
        int8_t *q = m->q + i * dim;
        float amax = 0.0f;
        for (int j = 0; j < dim; j++) amax = fmaxf(amax, fabsf(r[j]));
        float s = amax / 127.0f;
        m->scale[i] = s;
        for (int j = 0; j < dim; j++) {
            /* |r_j / s| <= 127 up to one rounding, so the clamp only guards that. */
            long v = s > 0.0f ? lrintf(r[j] / s) : 0;
            q[j] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
    return 0;
}

void quant_i8_free(QuantI8 *m)
{
    free(m->scale);
    free(m->q);
    memset(m, 0, sizeof *m);
}

void quant_i8_row(const QuantI8 *m, int64_t i, float *out)
{
    const int8_t *q = m->q + i * m->dim;
    const float s = m->scale[i];
    for (int j = 0; j < m->dim; j++) out[j] = s * (float)q[j];
}

void quant_i8_axpy(const QuantI8 *m, int64_t i, float a, float *y)
{
    const int8_t *q = m->q + i * m->dim;
    const float as = a * m->scale[i];
    for (int j = 0; j < m->dim; j++) y[j] += as * (float)q[j];
}

float quant_i8_dot(const QuantI8 *m, int64_t i, const float *v)
{
    const int8_t *q = m->q + i * m->dim;
    float s = 0.0f;
    for (int j = 0; j < m->dim; j++) s += v[j] * (float)q[j];
    return s * m->scale[i];
}

#define QUANT_I8_HEADER 16

size_t quant_i8_size(const QuantI8 *m)
{
    return QUANT_I8_HEADER + (size_t)m->rows * (4 + (size_t)m->dim);
}

void quant_i8_write(const QuantI8 *m, unsigned char *out)
{
    uint64_t rows = (uint64_t)m->rows;
    uint32_t dim = (uint32_t)m->dim, zero = 0;
    memcpy(out, &rows, 8);
    memcpy(out + 8, &dim, 4);
    memcpy(out + 12, &zero, 4);
    out += QUANT_I8_HEADER;
    memcpy(out, m->scale, (size_t)m->rows * 4);
    memcpy(out + (size_t)m->rows * 4, m->q, (size_t)m->rows * (size_t)m->dim);
}

int quant_i8_read(QuantI8 *m, const unsigned char *p, size_t n, const char *what, Status *st)
{
    if (n < QUANT_I8_HEADER)
        return status_error(st, "%s: int8 matrix: %zu bytes, shorter than its %d-byte header", what, n, QUANT_I8_HEADER);
    uint64_t rows = quant_u64(p);
    uint32_t dim = quant_u32(p + 8), reserved = quant_u32(p + 12);
    if (dim < 1 || dim > QUANT_MAX_DIM)
        return status_error(st, "%s: int8 matrix: dim %u is outside 1..%d", what, dim, QUANT_MAX_DIM);
    if (reserved != 0) return status_error(st, "%s: int8 matrix: reserved field is %u, not 0", what, reserved);
    const uint64_t per_row = 4 + (uint64_t)dim;
    if (rows > (UINT64_MAX - QUANT_I8_HEADER) / per_row)
        return status_error(st, "%s: int8 matrix: %llu rows of dim %u do not fit in %zu bytes", what,
                            (unsigned long long)rows, dim, n);
    if (QUANT_I8_HEADER + rows * per_row != n)
        return status_error(st, "%s: int8 matrix: %llu rows of dim %u take %llu bytes, the section has %zu", what,
                            (unsigned long long)rows, dim, (unsigned long long)(QUANT_I8_HEADER + rows * per_row), n);
    const unsigned char *scale = p + QUANT_I8_HEADER, *q = scale + rows * 4;
    for (uint64_t i = 0; i < rows; i++) {
        float s;
        memcpy(&s, scale + 4 * i, 4);
        if (!isfinite(s) || signbit(s)) return status_error(st, "%s: int8 matrix: row %llu has scale %g", what, (unsigned long long)i, s);
    }
    for (uint64_t k = 0; k < rows * dim; k++)
        if (q[k] == 0x80)
            return status_error(st, "%s: int8 matrix: row %llu holds -128, outside -127..127", what,
                                (unsigned long long)(k / dim));
    m->rows = (int64_t)rows;
    m->dim = (int)dim;
    m->scale = xmalloc(rows ? rows * 4 : 1);
    m->q = xmalloc(rows ? rows * dim : 1);
    memcpy(m->scale, scale, rows * 4);
    memcpy(m->q, q, rows * dim);
    return 0;
}

/* ---- row selection ---- */

void quant_score_norm(float *score, const float *x, int64_t rows, int dim)
{
    for (int64_t i = 0; i < rows; i++) score[i] = quant_row_norm(x + i * dim, dim);
}

void quant_score_norm_freq(float *score, const float *x, const int64_t *count, int64_t rows, int dim)
{
    for (int64_t i = 0; i < rows; i++)
        score[i] = (float)((double)quant_row_norm(x + i * dim, dim) * log1p(count[i] > 0 ? (double)count[i] : 0.0));
}

typedef struct QuantRank {
    float score;
    int pinned;
    int64_t row;
} QuantRank;

/* Pinned first, then score descending with NaN last, then row ascending: a total
 * order, so qsort's instability cannot show. */
static int quant_rank_cmp(const void *pa, const void *pb)
{
    const QuantRank *a = pa, *b = pb;
    if (a->pinned != b->pinned) return b->pinned - a->pinned;
    const int na = isnan(a->score), nb = isnan(b->score);
    if (na != nb) return na - nb;
    if (!na && a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

int64_t quant_select(int64_t *keep, const float *score, const uint8_t *pinned, int64_t rows, int64_t n)
{
    if (rows <= 0) return 0;
    QuantRank *r = xmalloc((size_t)rows * sizeof *r);
    int64_t npin = 0;
    for (int64_t i = 0; i < rows; i++) {
        r[i] = (QuantRank){.score = score[i], .pinned = pinned && pinned[i], .row = i};
        npin += r[i].pinned;
    }
    qsort(r, (size_t)rows, sizeof *r, quant_rank_cmp);
    int64_t k = n > npin ? n : npin;
    if (k > rows) k = rows;
    for (int64_t i = 0; i < k; i++) keep[i] = r[i].row;
    free(r);
    qsort(keep, (size_t)k, sizeof *keep, quant_cmp_i64);
    return k;
}
