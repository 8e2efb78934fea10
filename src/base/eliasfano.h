/* eliasfano.h - Elias-Fano coding of n strictly ascending values below 2^u
 * (Elias 1974, Fano 1971): each value's low l bits packed in u64 words, and its
 * high part (v >> l) + i as bit i of a set of n + 2^(u-l) bits (u64 words).
 * With l = ef_low_bits(n, u) that is about l + 2 bits a value: a stored-row
 * list of a model's rows (rowmap.h), a member's 64-bit feature hashes
 * (bayes_pack.h). Callers keep n below 2^62. */
#ifndef ATTNCLF_ELIASFANO_H
#define ATTNCLF_ELIASFANO_H

#include <stdint.h>

/* u minus the bit length of n, within [1, u - 1] (0 when u is 1): the high
 * parts then take at most 3n + 2 bits. */
int ef_low_bits(uint64_t n, int u);
uint64_t ef_high_words(uint64_t n, int u, int l);
uint64_t ef_low_words(uint64_t n, int l);
/* high [ef_high_words] and low [ef_low_words], zeroed by the caller, from v [n]. */
void ef_encode(const uint64_t *v, uint64_t n, int l, uint64_t *high, uint64_t *low);
/* v [n] from the words; -1 unless they hold exactly n strictly ascending
 * values below 2^u. */
int ef_decode(const uint64_t *high, const uint64_t *low, uint64_t n, int u, int l, uint64_t *v);

#endif
