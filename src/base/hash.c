/* hash.c - see hash.h. */
#include "hash.h"

#include <stdlib.h>
/* On x86-64, libxxhash picks XXH3's SSE2, AVX2 or AVX-512 code at run time
 * through these names; the plain ones are built for baseline SSE2. */
#if defined(__x86_64__)
#include <immintrin.h>
#include <xxh_x86dispatch.h>

/* Debian's libxxhash returns from its wide-vector XXH3 code with the vector
 * registers' upper halves still in use (no vzeroupper). Until they are
 * cleared every SSE instruction after it waits on them: on the Intel
 * machine here predict (which checks its model's checksum first) ran at a
 * fifth of its speed, most of it in the softmax's expf. */
__attribute__((target("avx"))) static void hash_avx_clear(void) { _mm256_zeroupper(); }

static void hash_after_xxh3(void)
{
    if (__builtin_cpu_supports("avx")) hash_avx_clear();
}
#else
static void hash_after_xxh3(void) {}
#endif

#include "mem.h"

uint64_t hash_word(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t hash_ngram(const uint64_t *word_hashes, int n)
{
    uint64_t h = word_hashes[0];
    for (int j = 1; j < n; j++) h = h * 116049371ull + word_hashes[j];
    return h;
}

void hash_stream_init(HashStream *hs)
{
    hs->algo = HASH_XXH64;
    hs->x3 = NULL;
    XXH64_reset(&hs->x64, 0);
}

void hash_stream_init_xxh3(HashStream *hs)
{
    hs->algo = HASH_XXH3_64;
    /* xaligned_calloc: 64-byte aligned for a block this small, and out of
     * memory exits like every allocation here. */
    hs->x3 = xaligned_calloc(sizeof *hs->x3);
    XXH3_64bits_reset(hs->x3);
    hash_after_xxh3();
}

/* XXH64_update and XXH3_64bits_update fail only for a NULL state with a
 * non-empty input, which these streams never have. */
void hash_stream_update(HashStream *hs, const void *data, size_t len)
{
    if (len == 0) return;
    if (hs->algo == HASH_XXH3_64) {
        XXH3_64bits_update(hs->x3, data, len);
        hash_after_xxh3();
    } else {
        XXH64_update(&hs->x64, data, len);
    }
}

uint64_t hash_stream_final(const HashStream *hs)
{
    if (hs->algo != HASH_XXH3_64) return XXH64_digest(&hs->x64);
    const uint64_t h = XXH3_64bits_digest(hs->x3);
    hash_after_xxh3();
    return h;
}

void hash_stream_free(HashStream *hs)
{
    free(hs->x3);
    hs->x3 = NULL;
}

uint64_t hash_bytes(const void *data, size_t len)
{
    return XXH64(data, len, 0);
}

uint64_t hash_bytes_xxh3(const void *data, size_t len)
{
    const uint64_t h = XXH3_64bits(data, len);
    hash_after_xxh3();
    return h;
}
