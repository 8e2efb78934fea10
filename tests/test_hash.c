/* test_hash.c - the checkpoint checksums from libxxhash: XXH64 gives what the
 * hand-written XXH64 it replaced gave (formats 1-3 carry those values), XXH3-64
 * matches its reference, and streams equal one-shot hashes however the input is
 * cut. hash_word and hash_ngram are pinned in test_vocab.c. */
#include <check.h>
#include <stdlib.h>

#include "hash.h"

/* (i * 131 + 7) mod 256, so every length ends on a different byte pattern. */
static unsigned char *pattern(size_t n)
{
    unsigned char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 131 + 7);
    return p;
}

START_TEST(xxh64_as_before)
{
    ck_assert_uint_eq(hash_bytes("", 0), 0xef46db3751d8e999ull); /* the XXH64 spec's value */
    ck_assert_uint_eq(hash_bytes("abc", 3), 0x44bc2cf5ad770999ull);
    /* Every length 0..300 at five alignments, and 1 MiB: the values the
     * hand-written implementation (before libxxhash) gave, folded into one. */
    unsigned char *p = pattern(1u << 20);
    uint64_t acc = 0;
    for (size_t n = 0; n <= 300; n++) acc = acc * 31 + hash_bytes(p + n % 5, n);
    ck_assert_uint_eq(acc, 0xecfab682df4ba316ull);
    ck_assert_uint_eq(hash_bytes(p, 1u << 20), 0x1b13a8085220794bull);
    free(p);
}
END_TEST

START_TEST(xxh3_reference)
{
    ck_assert_uint_eq(hash_bytes_xxh3("", 0), 0x2d06800538d394c2ull); /* the XXH3 spec's value */
    ck_assert_uint_eq(hash_bytes_xxh3("abc", 3), 0x78af5f94892f3950ull);
    unsigned char *p = pattern(4096);
    ck_assert_uint_ne(hash_bytes_xxh3(p, 4096), hash_bytes(p, 4096));
    free(p);
}
END_TEST

/* Streams of both kinds against the one-shot hash, with pieces of 1, 7, 31, 32,
 * 33, 1000 and 70000 bytes (XXH3 buffers 256 bytes, XXH64 32) and lengths
 * around those sizes. */
START_TEST(streams_equal_one_shot)
{
    static const size_t pieces[] = {1, 7, 31, 32, 33, 1000, 70000};
    static const size_t lens[] = {0, 1, 31, 32, 33, 255, 256, 257, 1024, 200000};
    unsigned char *p = pattern(200000);
    for (int algo = 0; algo < 2; algo++)
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
            for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
                size_t n = lens[l];
                HashStream hs;
                if (algo)
                    hash_stream_init_xxh3(&hs);
                else
                    hash_stream_init(&hs);
                for (size_t at = 0; at < n; at += pieces[k])
                    hash_stream_update(&hs, p + at, n - at < pieces[k] ? n - at : pieces[k]);
                uint64_t want = algo ? hash_bytes_xxh3(p, n) : hash_bytes(p, n);
                ck_assert_msg(hash_stream_final(&hs) == want, "algo %d, %zu bytes in pieces of %zu", algo, n,
                              pieces[k]);
                /* final does not consume the stream */
                ck_assert_uint_eq(hash_stream_final(&hs), want);
                hash_stream_free(&hs);
                ck_assert_ptr_null(hs.x3);
            }
    free(p);
}
END_TEST

Suite *hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, xxh64_as_before);
    tcase_add_test(tc, xxh3_reference);
    tcase_add_test(tc, streams_equal_one_shot);
    suite_add_tcase(s, tc);
    return s;
}
