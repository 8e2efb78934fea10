/* fixture.c - see fixture.h. */
#include "fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rng.h"

void fixture_tmpdir(char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/attnclf-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(out));
}

void fixture_corpus(const char *path, int n, uint64_t seed)
{
    fixture_corpus_len(path, n, seed, 50, 399);
}

void fixture_corpus_len(const char *path, int n, uint64_t seed, int min_len, int max_len)
{
    static const char *const words[3][5] = {
        {"goal", "match", "team", "coach", "season"},
        {"stock", "market", "shares", "profit", "bank"},
        {"planet", "rocket", "nasa", "orbit", "telescope"},
    };
    static const char *const noise[6] = {"the", "a", "of", "said", "on", "new"};
    static const char *const names[3] = {"sports", "business", "science"};
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    Rng r;
    rng_seed(&r, seed);
    fprintf(f, "label,text\n");
    for (int i = 0; i < n; i++) {
        int c = (int)rng_below(&r, 3), len = min_len + (int)rng_below(&r, (uint64_t)(max_len - min_len + 1));
        fprintf(f, "%s,\"", names[c]);
        for (int k = 0; k < len; k++) {
            const char *w = rng_below(&r, 3) == 0 ? words[c][rng_below(&r, 5)] : noise[rng_below(&r, 6)];
            fprintf(f, "%s%s", k ? " " : "", w);
        }
        fprintf(f, "\"\n");
    }
    fclose(f);
}

unsigned char *fixture_read(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)*n + 1);
    if (fread(d, 1, (size_t)*n, f) != (size_t)*n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    return d;
}

void fixture_write(const char *path, const void *data, long n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
}

void fixture_rmtree(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
}

void fixture_bays_file(const Bayes *b, char *path, CkptReader *r)
{
    strcpy(path, "/tmp/attnclf-bays-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    CkptWriter w;
    ckpt_writer_init(&w);
    bayes_save(b, &w);
    Status st;
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    ck_assert_msg(ckpt_open(r, path, &st) == 0, "%s", st.msg);
}
