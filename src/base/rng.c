/* rng.c - see rng.h. splitmix64 is Steele, Lea & Flood (2014). */
#include "rng.h"

static uint64_t rng_splitmix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    r->state = rng_splitmix(seed ^ 0x5851f42d4c957f2dull);
}

uint64_t rng_next(Rng *r)
{
    r->state += 0x9e3779b97f4a7c15ull;
    return rng_splitmix(r->state);
}

void rng_skip(Rng *r, uint64_t n)
{
    r->state += n * 0x9e3779b97f4a7c15ull;
}

float rng_uniform(Rng *r)
{
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

uint64_t rng_below(Rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

void rng_shuffle(Rng *r, int64_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rng_below(r, (uint64_t)i + 1);
        int64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

uint64_t rng_mix(uint64_t seed, uint64_t stream, uint64_t index)
{
    return rng_splitmix(rng_splitmix(seed ^ rng_splitmix(stream + 0x632be59bd9b4e019ull)) + index);
}
