/* hash.h - pinned hash functions. Word and n-gram hashes decide which embedding
 * row a feature uses, so they are part of the checkpoint format: never change them
 * without bumping CKPT_VERSION. The checksum is XXH64 (seed 0), streamed. */
#ifndef ATTNCLF_HASH_H
#define ATTNCLF_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64-bit, over the token's UTF-8 bytes. */
uint64_t hash_word(const char *s, size_t len);
/* Hash of the n-gram w[i..i+n) given the word hashes: h = w0; h = h*116049371 + wj
 * (fastText's combination, in 64-bit arithmetic). The bucket is h % buckets. */
uint64_t hash_ngram(const uint64_t *word_hashes, int n);

typedef struct HashStream {
    uint64_t v[4];
    uint64_t total;
    unsigned char buf[32];
    size_t buf_len;
} HashStream;

void hash_stream_init(HashStream *hs);
void hash_stream_update(HashStream *hs, const void *data, size_t len);
uint64_t hash_stream_final(const HashStream *hs);
uint64_t hash_bytes(const void *data, size_t len);

#endif
