/* fuzz_quant.c - quant_i8_read and quant_pq_read over arbitrary bytes (what a
 * checkpoint section holds). Bytes that load must be a canonical layout: writing
 * the loaded matrix gives the same bytes back. Every row is then decoded, dotted,
 * added and scored through the lookup table, so AddressSanitizer sees any code
 * that points outside its codebook. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "quant.h"

static void fuzz_quant_i8(const uint8_t *data, size_t size)
{
    QuantI8 m;
    Status st;
    status_clear(&st);
    int rc = quant_i8_read(&m, data, size, "section", &st);
    fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc != 0) {
        if (strncmp(st.msg, "section: int8 matrix: ", 22) != 0) abort();
        return;
    }
    if (quant_i8_size(&m) != size) abort();
    unsigned char *out = malloc(size);
    if (!out) abort();
    quant_i8_write(&m, out);
    if (memcmp(out, data, size) != 0) abort();
    free(out);
    float *v = calloc((size_t)m.dim, sizeof *v), *y = calloc((size_t)m.dim, sizeof *y);
    if (!v || !y) abort();
    for (int j = 0; j < m.dim; j++) v[j] = (float)(j % 5) - 2.0f;
    for (int64_t i = 0; i < m.rows; i++) {
        quant_i8_row(&m, i, y);
        quant_i8_axpy(&m, i, 0.5f, y);
        (void)quant_i8_dot(&m, i, v);
        for (int j = 0; j < m.dim; j++)
            if (m.q[i * m.dim + j] < -127) abort();
    }
    free(v);
    free(y);
    quant_i8_free(&m);
}

static void fuzz_quant_pq(const uint8_t *data, size_t size)
{
    QuantPQMat m;
    Status st;
    status_clear(&st);
    int rc = quant_pq_read(&m, data, size, "section", &st);
    fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc != 0) {
        if (strncmp(st.msg, "section: product quantizer: ", 28) != 0) abort();
        return;
    }
    const QuantPQ *pq = &m.pq;
    if (quant_pq_size(&m) != size || pq->nsub < 1 || pq->lastdsub < 1 || pq->lastdsub > pq->dsub ||
        (pq->nsub - 1) * pq->dsub + pq->lastdsub != pq->dim)
        abort();
    unsigned char *out = malloc(size);
    if (!out) abort();
    quant_pq_write(&m, out);
    if (memcmp(out, data, size) != 0) abort();
    free(out);
    float *v = calloc((size_t)pq->dim, sizeof *v), *y = calloc((size_t)pq->dim, sizeof *y);
    float *lut = malloc((size_t)pq->nsub * pq->ksub * sizeof *lut);
    if (!v || !y || !lut) abort();
    for (int j = 0; j < pq->dim; j++) v[j] = (float)(j % 3) - 1.0f;
    quant_pq_lut(&m, v, lut);
    for (int64_t i = 0; i < m.rows; i++) {
        for (int s = 0; s < pq->nsub; s++)
            if (quant_pq_code(&m, i, s) < 0 || quant_pq_code(&m, i, s) >= pq->ksub) abort();
        quant_pq_row(&m, i, y);
        quant_pq_axpy(&m, i, 0.5f, y);
        (void)quant_pq_dot(&m, i, v);
        (void)quant_pq_dot_lut(&m, lut, i);
    }
    free(v);
    free(y);
    free(lut);
    quant_pq_free(&m);
}

int fuzz_quant_one(const uint8_t *data, size_t size)
{
    fuzz_quant_i8(data, size);
    fuzz_quant_pq(data, size);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_quant_one(data, size);
}
#endif
