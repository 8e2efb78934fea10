/* test_vocab.c - the string table, its ordering rules, the pinned hashes and the
 * word/n-gram sequence layout. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "encoder.h"
#include "hash.h"
#include "vocab.h"

START_TEST(test_pinned_hashes)
{
    /* These values are part of the checkpoint format: changing them changes
     * which rows n-grams use in every saved model. */
    ck_assert_uint_eq(hash_word("", 0), 14695981039346656037ull);
    ck_assert_uint_eq(hash_word("a", 1), 0xaf63dc4c8601ec8cull);
    uint64_t w[2] = {1, 2};
    ck_assert_uint_eq(hash_ngram(w, 2), 116049371ull + 2);
    ck_assert_uint_eq(hash_bytes("", 0), 0xef46db3751d8e999ull);         /* XXH64 reference */
    ck_assert_uint_eq(hash_bytes("abc", 3), 0x44bc2cf5ad770999ull);
    char big[100];
    for (int i = 0; i < 100; i++) big[i] = (char)i;
    HashStream hs;
    hash_stream_init(&hs);
    for (int i = 0; i < 100; i += 7) hash_stream_update(&hs, big + i, i + 7 <= 100 ? 7 : 100 - i);
    ck_assert_uint_eq(hash_stream_final(&hs), hash_bytes(big, 100));
}
END_TEST

START_TEST(test_add_find_prune)
{
    Vocab v;
    vocab_init(&v);
    const char *words[] = {"b", "a", "c", "a", "b", "a", "d"};
    for (int i = 0; i < 7; i++) vocab_add(&v, words[i], strlen(words[i]));
    ck_assert_int_eq(v.n, 4);
    ck_assert_int_eq(vocab_find(&v, "a", 1), 1);
    ck_assert_int_eq(vocab_find(&v, "zz", 2), -1);
    int64_t remap[4];
    vocab_prune(&v, 1, 3, remap);
    /* counts a=3, b=2, c=1, d=1: ties by bytes, so c stays and d goes. */
    ck_assert_int_eq(v.n, 3);
    ck_assert_str_eq(v.words[0], "a");
    ck_assert_str_eq(v.words[1], "b");
    ck_assert_str_eq(v.words[2], "c");
    ck_assert_int_eq(remap[0], 1);
    ck_assert_int_eq(remap[3], -1);
    ck_assert_int_eq(vocab_find(&v, "c", 1), 2);
    ck_assert_int_eq(vocab_find(&v, "d", 1), -1);
    vocab_prune(&v, 2, 0, NULL);
    ck_assert_int_eq(v.n, 2);
    vocab_free(&v);
}
END_TEST

START_TEST(test_many_words_rehash)
{
    Vocab v;
    vocab_init(&v);
    char w[32];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(w, sizeof w, "w%d", i);
        ck_assert_int_eq(vocab_add(&v, w, (size_t)n), i);
    }
    for (int i = 0; i < 50000; i += 997) {
        int n = snprintf(w, sizeof w, "w%d", i);
        ck_assert_int_eq(vocab_find(&v, w, (size_t)n), i);
    }
    vocab_free(&v);
}
END_TEST

START_TEST(test_natural_label_order)
{
    Vocab v;
    vocab_init(&v);
    const char *labels[] = {"10", "2", "pos", "1", "neg"};
    for (int i = 0; i < 5; i++) vocab_add(&v, labels[i], strlen(labels[i]));
    vocab_sort_natural(&v, NULL);
    const char *want[] = {"1", "2", "10", "neg", "pos"};
    for (int i = 0; i < 5; i++) ck_assert_str_eq(v.words[i], want[i]);
    vocab_free(&v);
}
END_TEST

START_TEST(test_sequence_layout)
{
    Encoder e = {.o = {.ngrams = 3, .buckets = 100}};
    vocab_init(&e.vocab);
    vocab_add(&e.vocab, "x", 1);
    vocab_add(&e.vocab, "y", 1); /* V = 2, UNK = 2, buckets from 3 */
    int32_t rows[3] = {0, 1, 2};
    uint64_t h[3] = {hash_word("x", 1), hash_word("y", 1), hash_word("z", 1)};
    int32_t ids[9], first[9];
    uint8_t order[9];
    int64_t n = encoder_emit(&e, rows, h, NULL, NULL, 3, ids, first, order, NULL);
    /* x, y, [x y], z, [y z], [x y z] */
    ck_assert_int_eq(n, 6);
    ck_assert_int_eq(ids[0], 0);
    ck_assert_int_eq(ids[1], 1);
    ck_assert_int_eq(ids[2], 3 + (int32_t)(hash_ngram(h, 2) % 100));
    ck_assert_int_eq(ids[3], 2);
    ck_assert_int_eq(ids[5], 3 + (int32_t)(hash_ngram(h, 3) % 100));
    ck_assert_int_eq(order[5], 3);
    ck_assert_int_eq(first[4], 1);
    ck_assert_int_eq(encoder_rows(&e), 103);
    vocab_free(&e.vocab);
}
END_TEST

START_TEST(test_char_ngrams)
{
    /* Words as bags: "ab" (in the vocabulary) is its row and the buckets of "<a",
     * "ab", "b>", "<ab", "ab>"; "é" (out of it, two bytes, one character) is "<é",
     * "é>", "<é>" alone; lengths 2..3, 50 buckets after V = 1 and UNK. */
    Encoder e = {.o = {.ngrams = 1, .buckets = 50, .char_min = 2, .char_max = 3}};
    vocab_init(&e.vocab);
    vocab_add(&e.vocab, "ab", 2);
    const char *str[2] = {"ab", "\xc3\xa9"};
    uint32_t len[2] = {2, 2};
    int32_t rows[2] = {0, 1};
    uint64_t h[2] = {hash_word("ab", 2), hash_word("\xc3\xa9", 2)};
    int32_t ids[32];
    int64_t pos;
    ck_assert_int_le(encoder_max_ids(&e, len, 2), 32);
    int64_t n = encoder_emit(&e, rows, h, str, len, 2, ids, NULL, NULL, &pos);
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(n, 6 + 3);
    const char *grams[] = {"<a", "<ab", "ab", "ab>", "b>"}, *oov[] = {"<\xc3\xa9", "<\xc3\xa9>", "\xc3\xa9>"};
    ck_assert_int_eq(ids[0], 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(ids[1 + i], ~(int32_t)(2 + hash_word(grams[i], strlen(grams[i])) % 50));
    ck_assert_int_eq(ids[6], (int32_t)(2 + hash_word(oov[0], strlen(oov[0])) % 50));
    for (int i = 1; i < 3; i++) ck_assert_int_eq(ids[6 + i], ~(int32_t)(2 + hash_word(oov[i], strlen(oov[i])) % 50));
    ck_assert_int_eq(encoder_rows(&e), 52);
    vocab_free(&e.vocab);
}
END_TEST

Suite *vocab_suite(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("vocab");
    tcase_add_test(tc, test_pinned_hashes);
    tcase_add_test(tc, test_add_find_prune);
    tcase_add_test(tc, test_many_words_rehash);
    tcase_add_test(tc, test_natural_label_order);
    tcase_add_test(tc, test_sequence_layout);
    tcase_add_test(tc, test_char_ngrams);
    suite_add_tcase(s, tc);
    return s;
}
