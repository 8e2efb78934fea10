/* rng.h - explicit, seedable random state (splitmix64). No global state and no
 * rand(): the state is a value that checkpoints save and restore, which is what
 * makes runs and resumes bit-reproducible. */
#ifndef ATTNCLF_RNG_H
#define ATTNCLF_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t state;
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
/* Moves r on as n rng_next calls would (splitmix64's state is a counter), so
 * draw k of a stream can be had without the k before it: draws far into one
 * stream are made on other threads to the same bits, and a shipped model
 * rebuilds an embedding row's initial values this way (embed.h). */
void rng_skip(Rng *r, uint64_t n);
/* Uniform in [0, 1) with 24 random bits. */
float rng_uniform(Rng *r);
/* Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; the tiny bias is
 * irrelevant for shuffling and it keeps the draw count fixed). */
uint64_t rng_below(Rng *r, uint64_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(Rng *r, int64_t *idx, int64_t n);
/* A stateless stream for item `index` of draw `stream`: used for dropout masks so
 * that they do not depend on which thread handles a document. */
uint64_t rng_mix(uint64_t seed, uint64_t stream, uint64_t index);

#endif
