/* fuzz_vec.c - vecfile_read over arbitrary file contents, wanting dims 1, 2, 3 and
 * 300 in turn, with a callback that sends each word to one of 16 rows by a hash of
 * its bytes (or skips it). A read that succeeds must have stored exactly `found`
 * finite vectors, and writing those rows out with vecfile_write_stream and reading
 * them back must give the same bits. A read that fails names the file first. The
 * first up to 48 bytes also go to vecfile_parse_float, which must agree with
 * strtof exactly. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "vecfile.h"

#define FUZZ_VEC_ROWS 16

typedef struct FuzzVecWant {
    char *words[FUZZ_VEC_ROWS]; /* the first word sent to each row: the one the reader keeps */
    int64_t calls;
} FuzzVecWant;

static int64_t fuzz_vec_want(void *ctx, const char *word, size_t len)
{
    FuzzVecWant *w = ctx;
    if (len == 0 || strlen(word) != len) abort(); /* non-empty, NUL-terminated, no NUL inside */
    for (size_t i = 0; i < len; i++)
        if (word[i] == ' ' || word[i] == '\t' || word[i] == '\n' || word[i] == '\r') abort();
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)word[i]) * 16777619u;
    int64_t row = (int64_t)(h % (FUZZ_VEC_ROWS + 1)) - 1;
    if (row >= 0 && !w->words[row]) {
        w->words[row] = malloc(len + 1);
        if (!w->words[row]) abort();
        memcpy(w->words[row], word, len + 1);
    }
    w->calls++;
    return row;
}

static void fuzz_vec_free(FuzzVecWant *w)
{
    for (int i = 0; i < FUZZ_VEC_ROWS; i++) free(w->words[i]);
}

static int fuzz_vec_plain(const char *word)
{
    for (const char *p = word; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

/* Writes the stored rows and reads them back: the same vectors, bit for bit. Only
 * for words without control bytes, which could make the new file look binary. */
static void fuzz_vec_round_trip(const FuzzVecWant *w, const float *dst, int dim)
{
    const char *words[FUZZ_VEC_ROWS];
    const float *rows[FUZZ_VEC_ROWS];
    int n = 0;
    for (int r = 0; r < FUZZ_VEC_ROWS; r++) {
        if (!w->words[r] || isnan(dst[(size_t)r * dim])) continue;
        if (!fuzz_vec_plain(w->words[r])) return;
        words[n] = w->words[r];
        rows[n++] = dst + (size_t)r * dim;
    }
    float *packed = malloc((size_t)(n ? n : 1) * dim * sizeof *packed);
    if (!packed) abort();
    for (int i = 0; i < n; i++) memcpy(packed + (size_t)i * dim, rows[i], (size_t)dim * sizeof *packed);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    Status st;
    if (!f || vecfile_write_stream(f, "mem", words, packed, n, dim, &st) != 0) abort();
    fclose(f);
    f = fmemopen(buf, len, "rb");
    if (!f) abort();
    FuzzVecWant w2 = {0};
    float *back = malloc((size_t)FUZZ_VEC_ROWS * dim * sizeof *back);
    if (!back) abort();
    for (size_t k = 0; k < (size_t)FUZZ_VEC_ROWS * dim; k++) back[k] = NAN;
    VecfileSink sink = {.dim = dim, .dim_name = "dim", .want = fuzz_vec_want, .ctx = &w2, .dst = back, .rows = FUZZ_VEC_ROWS};
    VecfileStats s;
    if (vecfile_read_stream(f, "mem", &sink, &s, &st) != 0 || s.found != n || s.vectors != n || !s.header) abort();
    for (int r = 0; r < FUZZ_VEC_ROWS; r++)
        if (w2.words[r] && memcmp(back + (size_t)r * dim, dst + (size_t)r * dim, (size_t)dim * sizeof *back) != 0) abort();
    fclose(f);
    fuzz_vec_free(&w2);
    free(back);
    free(buf);
    free(packed);
}

static void fuzz_vec_read(const char *path, int dim)
{
    float *dst = malloc((size_t)FUZZ_VEC_ROWS * dim * sizeof *dst);
    if (!dst) abort();
    for (size_t k = 0; k < (size_t)FUZZ_VEC_ROWS * dim; k++) dst[k] = NAN;
    FuzzVecWant w = {0};
    VecfileSink sink = {.dim = dim, .dim_name = "model.dim", .want = fuzz_vec_want, .ctx = &w, .dst = dst, .rows = FUZZ_VEC_ROWS};
    VecfileStats s;
    Status st;
    int rc = vecfile_read(path, &sink, &s, &st);
    fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc != 0 && (strncmp(st.msg, path, strlen(path)) != 0 || st.msg[strlen(path)] != ':')) abort();
    if (rc == 0) {
        int64_t stored = 0;
        for (int r = 0; r < FUZZ_VEC_ROWS; r++) {
            if (isnan(dst[(size_t)r * dim])) continue;
            stored++;
            for (int j = 0; j < dim; j++)
                if (!isfinite(dst[(size_t)r * dim + j])) abort();
        }
        if (stored != s.found || s.found + s.repeated > s.vectors || s.vectors != w.calls ||
            s.lines < s.vectors + s.header || (s.header && s.header_n != s.vectors))
            abort();
        fuzz_vec_round_trip(&w, dst, dim);
    }
    fuzz_vec_free(&w);
    free(dst);
}

static void fuzz_vec_number(const uint8_t *data, size_t size)
{
    char buf[49];
    size_t n = size < 48 ? size : 48;
    if (memchr(data, 0, n)) return;
    memcpy(buf, data, n);
    buf[n] = '\0';
    float got = 0;
    int rc = vecfile_parse_float(buf, n, &got);
    char *end;
    float want = strtof(buf, &end);
    int want_rc = n == 0 || *end != '\0' || buf[0] == ' ' || (buf[0] >= '\t' && buf[0] <= '\r') ? -1
                  : !isfinite(want)                                                         ? -2
                                                                                            : 0;
    if (rc != want_rc || (rc == 0 && memcmp(&got, &want, 4) != 0)) abort();
}

static FuzzTmp fuzz_vec_tmp;

int fuzz_vec_one(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_write(&fuzz_vec_tmp, "vec", data, size);
    static const int dims[] = {1, 2, 3, 300};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) fuzz_vec_read(path, dims[i]);
    fuzz_vec_number(data, size);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
static void fuzz_vec_cleanup(void)
{
    fuzz_tmp_remove(&fuzz_vec_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_vec_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_vec_one(data, size);
}
#endif
