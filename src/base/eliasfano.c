/* eliasfano.c - see eliasfano.h. */
#include "eliasfano.h"

int ef_low_bits(uint64_t n, int u)
{
    int b = 0;
    while (b < 64 && (n >> b)) b++;
    int l = u - b;
    if (l > u - 1) l = u - 1;
    if (l < 1) l = u > 1 ? 1 : 0;
    return l;
}

uint64_t ef_high_words(uint64_t n, int u, int l)
{
    return (n + ((uint64_t)1 << (u - l)) + 63) / 64;
}

uint64_t ef_low_words(uint64_t n, int l)
{
    return (n * (uint64_t)l + 63) / 64;
}

static void ef_put_bits(uint64_t *w, uint64_t at, uint64_t v, int l)
{
    w[at >> 6] |= v << (at & 63);
    if ((at & 63) + (uint64_t)l > 64) w[(at >> 6) + 1] |= v >> (64 - (at & 63));
}

static uint64_t ef_get_bits(const uint64_t *w, uint64_t at, int l)
{
    uint64_t v = w[at >> 6] >> (at & 63);
    if ((at & 63) + (uint64_t)l > 64) v |= w[(at >> 6) + 1] << (64 - (at & 63));
    return l ? v & (((uint64_t)1 << l) - 1) : 0;
}

void ef_encode(const uint64_t *v, uint64_t n, int l, uint64_t *high, uint64_t *low)
{
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t p = (v[i] >> l) + i;
        high[p >> 6] |= (uint64_t)1 << (p & 63);
        if (l) ef_put_bits(low, i * (uint64_t)l, v[i] & (((uint64_t)1 << l) - 1), l);
    }
}

int ef_decode(const uint64_t *high, const uint64_t *low, uint64_t n, int u, int l, uint64_t *v)
{
    const uint64_t hw = ef_high_words(n, u, l);
    uint64_t i = 0;
    for (uint64_t wi = 0; wi < hw; wi++)
        for (uint64_t bits = high[wi]; bits; bits &= bits - 1) {
            const uint64_t p = wi * 64 + (uint64_t)__builtin_ctzll(bits), top = p - i;
            if (i >= n || top >> (u - l)) return -1;
            const uint64_t x = (top << l) | ef_get_bits(low, i * (uint64_t)l, l);
            if ((u < 64 && x >> u) || (i > 0 && x <= v[i - 1])) return -1;
            v[i++] = x;
        }
    return i == n ? 0 : -1;
}
