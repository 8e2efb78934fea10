/* vocab.c - see vocab.h. */
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

void vocab_init(Vocab *v)
{
    memset(v, 0, sizeof *v);
}

void vocab_free(Vocab *v)
{
    for (int64_t i = 0; i < v->n; i++) free(v->words[i]);
    free(v->words);
    free(v->lens);
    free(v->hashes);
    free(v->counts);
    free(v->table);
    memset(v, 0, sizeof *v);
}

static void vocab_rehash(Vocab *v, uint64_t size)
{
    free(v->table);
    v->table = xmalloc(size * sizeof *v->table);
    v->table_size = size;
    for (uint64_t i = 0; i < size; i++) v->table[i] = -1;
    for (int64_t id = 0; id < v->n; id++) {
        uint64_t s = v->hashes[id] & (size - 1);
        while (v->table[s] >= 0) s = (s + 1) & (size - 1);
        v->table[s] = id;
    }
}

int64_t vocab_find_hashed(const Vocab *v, const char *word, size_t len, uint64_t hash)
{
    if (!v->table_size) return -1;
    uint64_t mask = v->table_size - 1;
    for (uint64_t s = hash & mask;; s = (s + 1) & mask) {
        int64_t id = v->table[s];
        if (id < 0) return -1;
        if (v->hashes[id] == hash && v->lens[id] == len && memcmp(v->words[id], word, len) == 0)
            return id;
    }
}

int64_t vocab_find(const Vocab *v, const char *word, size_t len)
{
    return vocab_find_hashed(v, word, len, hash_word(word, len));
}

int64_t vocab_add(Vocab *v, const char *word, size_t len)
{
    uint64_t h = hash_word(word, len);
    int64_t id = vocab_find_hashed(v, word, len, h);
    if (id >= 0) {
        v->counts[id]++;
        return id;
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 1024;
        v->words = xrealloc(v->words, (size_t)v->cap * sizeof *v->words);
        v->lens = xrealloc(v->lens, (size_t)v->cap * sizeof *v->lens);
        v->hashes = xrealloc(v->hashes, (size_t)v->cap * sizeof *v->hashes);
        v->counts = xrealloc(v->counts, (size_t)v->cap * sizeof *v->counts);
    }
    id = v->n++;
    v->words[id] = xstrndup(word, len);
    v->lens[id] = (uint32_t)len;
    v->hashes[id] = h;
    v->counts[id] = 1;
    if ((uint64_t)v->n * 2 > v->table_size) {
        vocab_rehash(v, v->table_size ? v->table_size * 2 : 2048);
    } else {
        uint64_t mask = v->table_size - 1, s = h & mask;
        while (v->table[s] >= 0) s = (s + 1) & mask;
        v->table[s] = id;
    }
    return id;
}

/* qsort has no context argument in C11, so the comparators see the vocabulary
 * through this pointer; vocab_prune/vocab_sort_natural are not reentrant. */
static const Vocab *vocab_sorting;

static int vocab_cmp_count(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    const Vocab *v = vocab_sorting;
    if (v->counts[x] != v->counts[y]) return v->counts[x] > v->counts[y] ? -1 : 1;
    return strcmp(v->words[x], v->words[y]);
}

static int vocab_cmp_natural(const void *a, const void *b)
{
    const char *s = vocab_sorting->words[*(const int64_t *)a];
    const char *t = vocab_sorting->words[*(const int64_t *)b];
    while (*s && *t) {
        if (*s >= '0' && *s <= '9' && *t >= '0' && *t <= '9') {
            while (*s == '0') s++;
            while (*t == '0') t++;
            size_t ns = strspn(s, "0123456789"), nt = strspn(t, "0123456789");
            if (ns != nt) return ns < nt ? -1 : 1;
            int c = strncmp(s, t, ns);
            if (c) return c;
            s += ns;
            t += nt;
        } else {
            if (*s != *t) return (unsigned char)*s < (unsigned char)*t ? -1 : 1;
            s++;
            t++;
        }
    }
    if (*s || *t) return *s ? 1 : -1;
    return strcmp(vocab_sorting->words[*(const int64_t *)a], vocab_sorting->words[*(const int64_t *)b]);
}

/* Rebuilds the vocabulary from the first `keep` ids of `order`. */
static void vocab_reorder(Vocab *v, const int64_t *order, int64_t keep, int64_t *remap)
{
    int64_t n = v->n;
    char **words = xmalloc((size_t)(keep ? keep : 1) * sizeof *words);
    uint32_t *lens = xmalloc((size_t)(keep ? keep : 1) * sizeof *lens);
    uint64_t *hashes = xmalloc((size_t)(keep ? keep : 1) * sizeof *hashes);
    int64_t *counts = xmalloc((size_t)(keep ? keep : 1) * sizeof *counts);
    if (remap)
        for (int64_t i = 0; i < n; i++) remap[i] = -1;
    for (int64_t i = 0; i < keep; i++) {
        int64_t o = order[i];
        words[i] = v->words[o];
        lens[i] = v->lens[o];
        hashes[i] = v->hashes[o];
        counts[i] = v->counts[o];
        v->words[o] = NULL;
        if (remap) remap[o] = i;
    }
    for (int64_t i = 0; i < n; i++) free(v->words[i]);
    free(v->words);
    free(v->lens);
    free(v->hashes);
    free(v->counts);
    v->words = words;
    v->lens = lens;
    v->hashes = hashes;
    v->counts = counts;
    v->n = v->cap = keep;
    uint64_t size = 2048;
    while (size < (uint64_t)keep * 2) size *= 2;
    vocab_rehash(v, size);
}

void vocab_prune(Vocab *v, int64_t min_count, int64_t max_vocab, int64_t *remap)
{
    int64_t *order = xmalloc((size_t)(v->n ? v->n : 1) * sizeof *order);
    int64_t keep = 0;
    for (int64_t i = 0; i < v->n; i++)
        if (v->counts[i] >= min_count) order[keep++] = i;
    vocab_sorting = v;
    qsort(order, (size_t)keep, sizeof *order, vocab_cmp_count);
    if (max_vocab > 0 && keep > max_vocab) keep = max_vocab;
    vocab_reorder(v, order, keep, remap);
    free(order);
}

void vocab_sort_natural(Vocab *v, int64_t *remap)
{
    int64_t *order = xmalloc((size_t)(v->n ? v->n : 1) * sizeof *order);
    for (int64_t i = 0; i < v->n; i++) order[i] = i;
    vocab_sorting = v;
    qsort(order, (size_t)v->n, sizeof *order, vocab_cmp_natural);
    vocab_reorder(v, order, v->n, remap);
    free(order);
}

void vocab_filter(Vocab *v, const uint8_t *keep, int64_t *remap)
{
    int64_t *order = xmalloc((size_t)(v->n ? v->n : 1) * sizeof *order), n = 0;
    for (int64_t i = 0; i < v->n; i++)
        if (keep[i]) order[n++] = i;
    vocab_reorder(v, order, n, remap);
    free(order);
}

/* The entries as section version 1 (u32 length, bytes, u64 count) or, compact,
 * version 2 (LEB128 length, bytes; no counts: a shipped model needs none). */
static void vocab_put_entries(const Vocab *v, CkptBuf *b, int compact)
{
    ckpt_put_u64(b, (uint64_t)v->n);
    for (int64_t i = 0; i < v->n; i++) {
        if (!compact) {
            ckpt_put_str(b, v->words[i], v->lens[i]);
            ckpt_put_u64(b, (uint64_t)v->counts[i]);
            continue;
        }
        unsigned char len[5];
        int k = 0;
        for (uint32_t x = v->lens[i];; x >>= 7) {
            len[k++] = (unsigned char)((x & 127) | (x > 127 ? 128 : 0));
            if (x <= 127) break;
        }
        ckpt_put(b, len, (size_t)k);
        ckpt_put(b, v->words[i], v->lens[i]);
    }
}

void vocab_put(const Vocab *v, CkptBuf *b)
{
    vocab_put_entries(v, b, 0);
}

void vocab_save(const Vocab *v, CkptWriter *w, const char *tag, int compact)
{
    vocab_put_entries(v, ckpt_section(w, tag, compact ? 2 : 1), compact);
}

/* A LEB128 length of at most 32 bits; sets c->bad past the end or when longer. */
static uint32_t vocab_varint(CkptCursor *c)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        const unsigned char *p = ckpt_take(c, 1);
        if (!p) return 0;
        x |= (uint64_t)(*p & 127) << shift;
        if (!(*p & 128)) break;
        if (shift == 28) c->bad = 1;
    }
    if (x > UINT32_MAX) c->bad = 1;
    return c->bad ? 0 : (uint32_t)x;
}

/* Reads what vocab_put_entries wrote; NULL, or what is wrong with it. */
static const char *vocab_get_entries(Vocab *v, CkptCursor *c, int compact)
{
    uint64_t n = ckpt_u64(c);
    if (n > c->n) return "holds more entries than bytes";
    for (uint64_t i = 0; i < n && !c->bad; i++) {
        uint32_t len = compact ? vocab_varint(c) : ckpt_u32(c);
        const unsigned char *s = ckpt_take(c, len);
        int64_t count = compact ? 0 : (int64_t)ckpt_u64(c);
        /* A repeated entry would get an earlier id back: the table must be a set. */
        if (!s || vocab_add(v, (const char *)s, len) != (int64_t)i) return "has an entry cut short or repeated";
        v->counts[i] = count;
    }
    return c->bad ? "is cut short" : NULL;
}

const char *vocab_get(Vocab *v, CkptCursor *c)
{
    return vocab_get_entries(v, c, 0);
}

int vocab_load(Vocab *v, const CkptReader *r, const char *tag, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, tag, &sec)) return ckpt_damaged(r, st, "no %s section", tag);
    const int compact = r->version >= 4 && sec.version == 2;
    if (r->version >= 4 && sec.version != 1 && !compact)
        return ckpt_damaged(r, st, "%s section version %u is not 1 or 2", tag, sec.version);
    CkptCursor c = ckpt_cursor(&sec);
    const char *why = vocab_get_entries(v, &c, compact);
    if (why) return ckpt_damaged(r, st, "%s section %s", tag, why);
    if (!ckpt_done(&c)) return ckpt_damaged(r, st, "%s section does not end where its entries do", tag);
    return 0;
}

int vocab_equal(const Vocab *a, const Vocab *b)
{
    if (a->n != b->n) return 0;
    for (int64_t i = 0; i < a->n; i++)
        if (a->lens[i] != b->lens[i] || a->counts[i] != b->counts[i] || memcmp(a->words[i], b->words[i], a->lens[i]))
            return 0;
    return 1;
}
