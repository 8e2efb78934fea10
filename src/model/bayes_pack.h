/* bayes_pack.h - the naive Bayes member's tables stored small and exactly, for
 * an exported model (bayes.h, BAYS version 4): the same keys, priors and
 * log-probabilities, bit for bit, in 7 to 8 bytes a feature where version 2
 * takes 8 + 4 a class (the AG News sample's 4 classes: 1.19 MB for 3.74 MB).
 *
 * Two facts make it small. The keys are ascending 64-bit hashes, which
 * Elias-Fano codes in about 2 bits more than their spacing: 64 - log2(n) + 2
 * bits a key. A feature's log-probability for class c is
 * log(n_c(f) + alpha) - log(T_c + alpha V), a function of its small count
 * n_c(f), so each class has few distinct values (one per count), and most
 * features share a few count patterns (seen once, in one class): each feature
 * stores its pattern's number, and each pattern its value's place in each
 * class's table. The values themselves are stored as the floats they are, so
 * nothing is recomputed and no libm can change a bit.
 *
 * Layout (little-endian), after BAYS's header:
 *   u32 low bits l, u32 0, f32 prior [C]
 *   keys: high parts (key >> l) + i in unary, bit set of n + 2^(64-l) bits
 *     (u64 words), then the low l bits of each packed in u64 words
 *   per class: u32 m_c, then f32 [m_c] its distinct values, ascending by bits
 *   u32 P patterns, each u32 [C] places in the class tables (most used first)
 *   u64 bytes, then each feature's pattern number as a LEB128 varint. */
#ifndef ATTNCLF_BAYES_PACK_H
#define ATTNCLF_BAYES_PACK_H

#include <stdint.h>

#include "ckpt.h"

/* Appends keys [n] (strictly ascending), prior [C] and logp [n,C] to b. */
void bayes_pack_put(CkptBuf *b, const uint64_t *keys, const float *prior, const float *logp, int64_t n, int C);
/* Reads them back from c (which must then be used up) into keys [n], prior [C]
 * and logp [n,C]; -1 when the bytes are not such a table: sizes that do not
 * add up, a place or pattern out of range, keys not strictly ascending, a
 * value not finite. */
int bayes_pack_get(CkptCursor *c, uint64_t *keys, float *prior, float *logp, int64_t n, int C);

#endif
