/* hash.h - pinned hash functions. Word and n-gram hashes decide which embedding
 * row a feature uses, so they are part of the checkpoint format: never change them
 * without bumping CKPT_VERSION. Checkpoints are checksummed by XXH3-64 (seed
 * 0; XXH64 before, and in formats 1-3), computed by libxxhash (the reference
 * implementation); XXH3 is faster on long inputs (bench/unicode-hash.md). */
#ifndef ATTNCLF_HASH_H
#define ATTNCLF_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The state structs, so an XXH64 stream needs no allocation. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

/* FNV-1a, 64-bit, over the token's UTF-8 bytes. */
uint64_t hash_word(const char *s, size_t len);
/* Hash of the n-gram w[i..i+n) given the word hashes: h = w0; h = h*116049371 + wj
 * (fastText's combination, in 64-bit arithmetic). The bucket is h % buckets. */
uint64_t hash_ngram(const uint64_t *word_hashes, int n);

typedef enum HashAlgo { HASH_XXH64 = 0, HASH_XXH3_64 = 1 } HashAlgo;

/* A checksum over bytes given in pieces; the result equals the one-shot hash of
 * their concatenation. */
typedef struct HashStream {
    HashAlgo algo;
    XXH64_state_t x64;
    XXH3_state_t *x3; /* on the heap: XXH3's state must be 64-byte aligned */
} HashStream;

/* XXH64, seed 0. */
void hash_stream_init(HashStream *hs);
/* XXH3-64, seed 0. */
void hash_stream_init_xxh3(HashStream *hs);
void hash_stream_update(HashStream *hs, const void *data, size_t len);
uint64_t hash_stream_final(const HashStream *hs);
void hash_stream_free(HashStream *hs);
/* One-shot XXH64 and XXH3-64, seed 0. */
uint64_t hash_bytes(const void *data, size_t len);
uint64_t hash_bytes_xxh3(const void *data, size_t len);

#endif
