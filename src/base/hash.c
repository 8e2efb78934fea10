/* hash.c - see hash.h. XXH64 follows the reference algorithm (Collet, xxHash spec). */
#include "hash.h"

#include <string.h>

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

#define P1 11400714785074694791ull
#define P2 14029467366897019727ull
#define P3 1609587929392839161ull
#define P4 9650029242287828579ull
#define P5 2870177450012600261ull

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* little-endian hosts only; ckpt.c refuses others */
    return v;
}

static uint32_t read32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t xxh_round(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}

static uint64_t xxh_merge(uint64_t acc, uint64_t val)
{
    acc ^= xxh_round(0, val);
    return acc * P1 + P4;
}

void hash_stream_init(HashStream *hs)
{
    memset(hs, 0, sizeof *hs);
    hs->v[0] = P1 + P2;
    hs->v[1] = P2;
    hs->v[2] = 0;
    hs->v[3] = (uint64_t)0 - P1;
}

static void hash_stream_block(HashStream *hs, const unsigned char *p)
{
    for (int i = 0; i < 4; i++) hs->v[i] = xxh_round(hs->v[i], read64(p + 8 * i));
}

void hash_stream_update(HashStream *hs, const void *data, size_t len)
{
    const unsigned char *p = data;
    hs->total += len;
    if (hs->buf_len) {
        size_t take = 32 - hs->buf_len;
        if (take > len) take = len;
        memcpy(hs->buf + hs->buf_len, p, take);
        hs->buf_len += take;
        p += take;
        len -= take;
        if (hs->buf_len < 32) return;
        hash_stream_block(hs, hs->buf);
        hs->buf_len = 0;
    }
    while (len >= 32) {
        hash_stream_block(hs, p);
        p += 32;
        len -= 32;
    }
    memcpy(hs->buf, p, len);
    hs->buf_len = len;
}

uint64_t hash_stream_final(const HashStream *hs)
{
    uint64_t h;
    if (hs->total >= 32) {
        h = rotl64(hs->v[0], 1) + rotl64(hs->v[1], 7) + rotl64(hs->v[2], 12) + rotl64(hs->v[3], 18);
        for (int i = 0; i < 4; i++) h = xxh_merge(h, hs->v[i]);
    } else {
        h = hs->v[2] + P5;
    }
    h += hs->total;
    const unsigned char *p = hs->buf;
    size_t len = hs->buf_len;
    for (; len >= 8; p += 8, len -= 8) h = rotl64(h ^ xxh_round(0, read64(p)), 27) * P1 + P4;
    if (len >= 4) {
        h = rotl64(h ^ ((uint64_t)read32(p) * P1), 23) * P2 + P3;
        p += 4;
        len -= 4;
    }
    for (; len > 0; p++, len--) h = rotl64(h ^ (*p * P5), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t hash_bytes(const void *data, size_t len)
{
    HashStream hs;
    hash_stream_init(&hs);
    hash_stream_update(&hs, data, len);
    return hash_stream_final(&hs);
}
