/* tokfile.c - see tokfile.h.
 *
 * Sections: META (the key's bytes, then u64 documents, words, longest document,
 * rows, skipped rows, table entries ever made, the count below which words
 * were dropped, the first skip's message), HASH [words] u64, DOFF [n+1] i64,
 * LOFF [n+1] i64, LABS [labels] i32, LTAB (the label names, vocab_put), WTAB
 * (u64 entries, then per entry u64 hash, u64 count, u32 length and the bytes),
 * WGHT [n] f32 each document's weight (empty when all are 1), and with strings
 * (character n-grams need every word's letters, a bounded table's dropped
 * words' too) STRS the words' bytes and SOFF [words+1] u64 where each starts. */
#include "tokfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "hash.h"
#include "mem.h"
#include "readsplit.h"

#define TOKFILE_FORMAT 2u
#define TOKFILE_PROBE_BYTES ((size_t)1 << 20)

/* Tokenized with the settings, this text's tokens stand for the tokenizer's
 * behaviour: a change to its code that changes them makes the key change. */
static const char tokfile_probe[] =
    "The <b>Movie</b> &amp; its \"sequel\" don't work: 3.5/10, u.s. rating #39;bad#39; quot;ok quot; \\ "
    "caf\xc3\xa9 \xc3\x9c" "BER na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xed\x95\x9c\xea\xb5\xad "
    "\xff\xfe bad-bytes &#x27;x&#39; &nbsp;end!!! ...";

/* XXH64 of up to TOKFILE_PROBE_BYTES at offset `at` of f. */
static uint64_t tokfile_hash_range(FILE *f, long at, unsigned char *buf)
{
    if (fseek(f, at, SEEK_SET) != 0) return 0;
    size_t got = fread(buf, 1, TOKFILE_PROBE_BYTES, f);
    return hash_bytes(buf, got);
}

static void tokfile_put_column(CkptBuf *key, const ColumnRef *c)
{
    ckpt_put_str(key, c->name ? c->name : "", c->name ? strlen(c->name) : 0);
    ckpt_put_u32(key, (uint32_t)(c->name ? 0 : c->index));
}

static void tokfile_put_opt_str(CkptBuf *key, const char *s)
{
    ckpt_put_u32(key, s != NULL);
    ckpt_put_str(key, s ? s : "", s ? strlen(s) : 0);
}

/* The bytes of a small file (data.label_names) into key. */
static int tokfile_put_file(CkptBuf *key, const char *path, Status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    unsigned char buf[4096];
    size_t n, total = 0;
    uint64_t h = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        h = hash_bytes(buf, n) ^ (h * 0x100000001b3ull);
        total += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return status_error(st, "%s: read failed", path);
    ckpt_put_u64(key, total);
    ckpt_put_u64(key, h);
    return 0;
}

uint64_t tokfile_key(const char *path, const ReaderOptions *o, const Tokenizer *tk, int64_t bound, int strings,
                     CkptBuf *key, uint64_t *source, Status *st)
{
    key->n = 0;
    *source = 0;
    if (strcmp(path, "-") == 0) return 0;
    char *real = realpath(path, NULL);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!real || !f || fstat(fileno(f), &sb) != 0) {
        int e = errno;
        free(real);
        if (f) fclose(f);
        status_error(st, "%s: cannot open: %s", path, strerror(e));
        return 0;
    }
    unsigned char *buf = xmalloc(TOKFILE_PROBE_BYTES);
    uint64_t head = tokfile_hash_range(f, 0, buf);
    long tail_at = sb.st_size > (off_t)TOKFILE_PROBE_BYTES ? (long)(sb.st_size - (off_t)TOKFILE_PROBE_BYTES) : 0;
    uint64_t tail = tokfile_hash_range(f, tail_at, buf);
    free(buf);
    fclose(f);
    ckpt_put_u32(key, TOKFILE_FORMAT);
    ckpt_put_str(key, real, strlen(real));
    *source = hash_bytes(real, strlen(real)) | 1;
    free(real);
    ckpt_put_u64(key, (uint64_t)sb.st_size);
    ckpt_put_u64(key, (uint64_t)sb.st_mtim.tv_sec);
    ckpt_put_u64(key, (uint64_t)sb.st_mtim.tv_nsec);
    ckpt_put_u64(key, head);
    ckpt_put_u64(key, tail);
    /* The reader's settings. */
    ckpt_put_u32(key, (uint32_t)reader_resolve_format(path, o->format));
    ckpt_put_u32(key, (uint32_t)o->header);
    ckpt_put_u32(key, (uint32_t)o->on_bad_row);
    ckpt_put_u32(key, (uint32_t)o->n_text_columns);
    for (int i = -1; i < o->n_text_columns; i++) tokfile_put_column(key, i < 0 ? &o->label_column : &o->text_columns[i]);
    tokfile_put_opt_str(key, reader_label_prefix(o));
    tokfile_put_opt_str(key, o->label_separator);
    ckpt_put_u32(key, (uint32_t)o->weight_column.set);
    if (o->weight_column.set) tokfile_put_column(key, &o->weight_column.col);
    /* The label names' file by its bytes: the rows carry the names it gives. */
    ckpt_put_u32(key, o->label_names != NULL);
    if (o->label_names && tokfile_put_file(key, o->label_names, st)) return 0;
    /* The tokenizer's settings as its checkpoint sections hold them (so a new
     * setting cannot be left out of the key), and its behaviour. */
    CkptWriter w;
    ckpt_writer_init(&w);
    tokenizer_save(tk, &w);
    for (int i = 0; i < w.n; i++) {
        ckpt_put(key, w.sec[i].tag, 4);
        ckpt_put_u32(key, w.sec[i].version);
        ckpt_put_u64(key, w.sec[i].head.n);
        ckpt_put(key, w.sec[i].head.p, w.sec[i].head.n);
        for (int k = 0; k < w.sec[i].nref; k++) {
            ckpt_put_u64(key, w.sec[i].ref_n[k]);
            ckpt_put(key, w.sec[i].ref[k], (size_t)w.sec[i].ref_n[k]);
        }
    }
    ckpt_writer_free(&w);
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(tk, tokfile_probe, sizeof tokfile_probe - 1, &tl);
    ckpt_put_u64(key, tl.n);
    ckpt_put_u64(key, hash_bytes(tl.buf, tl.buf_len));
    tokenlist_free(&tl);
    ckpt_put_u64(key, (uint64_t)bound);
    ckpt_put_u32(key, (uint32_t)strings);
    return hash_bytes(key->p, key->n) | 1; /* never 0, which means "no key" */
}

static CFileState tokfile_map(TokFile *t, const char *cache, const CkptBuf *key, uint64_t key_hash, int verify,
                              Status *st);

/* ---- building ---- */

/* What one part of a window gathers on its thread. */
typedef struct Part {
    TokenList tl;
    uint64_t *hash;     /* [nh] */
    int64_t nh, cap_h;
    int64_t *nw;        /* [rows] words per row */
    int32_t *lab;       /* [nl] label ids, into labels */
    int64_t *nlab;      /* [rows] labels per row */
    float *w;           /* [rows] each row's weight */
    char *str;          /* [ns] with strings: the words' bytes */
    uint64_t *slen;     /* [nh] with strings: each word's length */
    int64_t ns, cap_s, cap_sl;
    int64_t rows, cap_rows, nl, cap_l;
    Vocab labels;       /* this part's, first-seen */
    WordCount words;
} Part;

typedef struct Build {
    const Tokenizer *tk;
    const char *path;
    CFileWriter w;
    Part part[READSPLIT_MAX_PARTS];
    int64_t *off, *loff;   /* [n+1] */
    int32_t *lab;          /* [loff[n]] */
    float *wt;             /* [n] each document's weight */
    int any_weight;        /* a weight other than 1 */
    int strings;           /* keep the words' bytes (STRS, SOFF) */
    char *str;             /* with strings: every word's bytes, in order */
    uint64_t *soff;        /* [off[n]+1] with strings: where each word's bytes start */
    int64_t cap_str, cap_soff;
    int64_t n, cap_docs, cap_lab, max_words;
    Vocab labels;
    WordCount words;
    int64_t bound, min_count;
    const TokProgress *progress;
    double t0;
} Build;

static void *tokfile_grow(void *p, int64_t *cap, int64_t need, size_t es)
{
    if (need <= *cap) return p;
    while (*cap < need) *cap = *cap ? 2 * *cap : 1024;
    return xrealloc(p, (size_t)*cap * es);
}

static int tokfile_row(void *ctx, int k, const ReaderRow *row, Status *st)
{
    (void)st;
    Build *b = ctx;
    Part *p = &b->part[k];
    tokenizer_run(b->tk, row->text, row->text_len, &p->tl);
    p->hash = tokfile_grow(p->hash, &p->cap_h, p->nh + (int64_t)p->tl.n, sizeof *p->hash);
    for (size_t i = 0; i < p->tl.n; i++) {
        const char *s = p->tl.buf + p->tl.start[i];
        uint64_t h = hash_word(s, p->tl.len[i]);
        if (b->strings) {
            p->str = tokfile_grow(p->str, &p->cap_s, p->ns + (int64_t)p->tl.len[i], 1);
            memcpy(p->str + p->ns, s, p->tl.len[i]);
            p->ns += (int64_t)p->tl.len[i];
            p->slen = tokfile_grow(p->slen, &p->cap_sl, p->nh + 1, sizeof *p->slen);
            p->slen[p->nh] = p->tl.len[i];
        }
        p->hash[p->nh++] = h;
        wordcount_add(&p->words, s, p->tl.len[i], h, 1);
    }
    int64_t r = p->rows;
    if (r + 1 > p->cap_rows) {
        int64_t cap = p->cap_rows;
        p->nw = tokfile_grow(p->nw, &cap, r + 1, sizeof *p->nw);
        p->nlab = xrealloc(p->nlab, (size_t)cap * sizeof *p->nlab);
        p->w = xrealloc(p->w, (size_t)cap * sizeof *p->w);
        p->cap_rows = cap;
    }
    p->nw[r] = (int64_t)p->tl.n;
    p->nlab[r] = row->n_labels;
    p->w[r] = (float)row->weight;
    p->lab = tokfile_grow(p->lab, &p->cap_l, p->nl + row->n_labels, sizeof *p->lab);
    for (int j = 0; j < row->n_labels; j++)
        p->lab[p->nl++] = (int32_t)vocab_add(&p->labels, row->labels[j], row->label_lens[j]);
    p->rows++;
    return 0;
}

/* Appends part p's documents in order. */
static int tokfile_take(Build *b, Part *p, Status *st)
{
    cfile_write(&b->w, p->hash, (size_t)p->nh * sizeof *p->hash);
    if (b->strings) {
        /* Kept in memory until the end (only with character n-grams). */
        int64_t words = b->off[b->n];
        b->soff = tokfile_grow(b->soff, &b->cap_soff, words + p->nh + 1, sizeof *b->soff);
        for (int64_t i = 0; i < p->nh; i++) b->soff[words + i + 1] = b->soff[words + i] + p->slen[i];
        b->str = tokfile_grow(b->str, &b->cap_str, (int64_t)b->soff[words + p->nh], 1);
        if (p->ns) memcpy(b->str + b->soff[words], p->str, (size_t)p->ns);
        p->ns = 0;
    }
    int64_t *to_global = xmalloc((size_t)(p->labels.n + 1) * sizeof *to_global);
    for (int64_t i = 0; i < p->labels.n; i++) {
        to_global[i] = vocab_add(&b->labels, p->labels.words[i], p->labels.lens[i]);
        b->labels.counts[to_global[i]] += p->labels.counts[i] - 1;
    }
    int64_t cap = b->cap_docs;
    b->off = tokfile_grow(b->off, &cap, b->n + p->rows + 1, sizeof *b->off);
    b->loff = xrealloc(b->loff, (size_t)cap * sizeof *b->loff);
    b->wt = xrealloc(b->wt, (size_t)cap * sizeof *b->wt);
    b->cap_docs = cap;
    b->lab = tokfile_grow(b->lab, &b->cap_lab, b->loff[b->n] + p->nl, sizeof *b->lab);
    int64_t at = 0;
    for (int64_t r = 0; r < p->rows; r++, b->n++) {
        b->off[b->n + 1] = b->off[b->n] + p->nw[r];
        b->loff[b->n + 1] = b->loff[b->n] + p->nlab[r];
        b->wt[b->n] = p->w[r];
        if (p->w[r] != 1.0f) b->any_weight = 1;
        for (int64_t j = 0; j < p->nlab[r]; j++) b->lab[b->loff[b->n] + j] = (int32_t)to_global[p->lab[at++]];
        if (p->nw[r] > b->max_words) b->max_words = p->nw[r];
    }
    free(to_global);
    wordcount_merge(&b->words, &p->words);
    p->nh = p->rows = p->nl = 0;
    vocab_free(&p->labels);
    wordcount_clear(&p->words);
    if (b->words.n >= WORDCOUNT_MAX / 2)
        return status_error(st, "%s: more than %lld distinct words (set tokenizer.max_vocab)", b->path,
                            (long long)(WORDCOUNT_MAX / 2));
    return 0;
}

static int tokfile_flush(void *ctx, int parts, int64_t done, int64_t total, Status *st)
{
    Build *b = ctx;
    for (int k = 0; k < parts; k++)
        if (tokfile_take(b, &b->part[k], st)) return -1;
    wordcount_bound(&b->words, b->bound, b->min_count);
    if (b->progress && b->progress->fn) b->progress->fn(b->progress->ctx, b->path, done, total, clock_seconds() - b->t0);
    return 0;
}

static void tokfile_write_tail(Build *b, const CkptBuf *key, const ReaderStats *rs)
{
    CFileWriter *w = &b->w;
    cfile_section(w, "DOFF", b->off, (size_t)(b->n + 1) * sizeof *b->off);
    cfile_section(w, "LOFF", b->loff, (size_t)(b->n + 1) * sizeof *b->loff);
    cfile_section(w, "LABS", b->lab, (size_t)b->loff[b->n] * sizeof *b->lab);
    cfile_section(w, "WGHT", b->wt, b->any_weight ? (size_t)b->n * sizeof *b->wt : 0);
    if (b->strings) {
        cfile_section(w, "STRS", b->str, (size_t)b->soff[b->off[b->n]]);
        cfile_section(w, "SOFF", b->soff, (size_t)(b->off[b->n] + 1) * sizeof *b->soff);
    }
    CkptBuf buf = {0};
    vocab_put(&b->labels, &buf);
    cfile_section(w, "LTAB", buf.p, buf.n);
    buf.n = 0;
    ckpt_put_u64(&buf, (uint64_t)b->words.n);
    for (int64_t i = 0; i < b->words.n; i++) {
        ckpt_put_u64(&buf, b->words.hash[i]);
        ckpt_put_u64(&buf, (uint64_t)b->words.count[i]);
        ckpt_put_str(&buf, wordcount_word(&b->words, i), b->words.len[i]);
    }
    cfile_section(w, "WTAB", buf.p, buf.n);
    buf.n = 0;
    ckpt_put(&buf, key->p, key->n);
    uint64_t v[7] = {(uint64_t)b->n, (uint64_t)b->off[b->n], (uint64_t)b->max_words, (uint64_t)rs->rows,
                     (uint64_t)rs->skipped, (uint64_t)b->words.seen, (uint64_t)b->words.dropped_below};
    ckpt_put(&buf, v, sizeof v);
    ckpt_put_str(&buf, rs->first_skip, strlen(rs->first_skip));
    cfile_section(w, "META", buf.p, buf.n);
    free(buf.p);
}

static void tokfile_build_free(Build *b)
{
    for (int k = 0; k < READSPLIT_MAX_PARTS; k++) {
        Part *p = &b->part[k];
        tokenlist_free(&p->tl);
        free(p->hash);
        free(p->nw);
        free(p->lab);
        free(p->nlab);
        free(p->w);
        free(p->str);
        free(p->slen);
        vocab_free(&p->labels);
        wordcount_free(&p->words);
    }
    free(b->off);
    free(b->loff);
    free(b->lab);
    free(b->wt);
    free(b->str);
    free(b->soff);
    vocab_free(&b->labels);
    wordcount_free(&b->words);
}

int tokfile_build(TokFile *t, const char *path, const ReaderOptions *o, const Tokenizer *tk, int64_t bound,
                  int64_t min_count, int strings, const CkptBuf *key, uint64_t key_hash, const char *cache, const char *tmp_dir,
                  int threads, const TokProgress *progress, Status *st)
{
    memset(t, 0, sizeof *t);
    Build *b = xcalloc(1, sizeof *b);
    b->tk = tk;
    b->path = path;
    b->bound = bound;
    b->min_count = min_count;
    b->progress = progress;
    b->t0 = clock_seconds();
    b->off = xcalloc(1, sizeof *b->off);
    b->loff = xcalloc(1, sizeof *b->loff);
    b->wt = xmalloc(sizeof *b->wt);
    b->cap_docs = 1;
    b->strings = strings;
    if (strings) {
        b->soff = xcalloc(1, sizeof *b->soff);
        b->cap_soff = 1;
    }
    char tmp[4200];
    if (!cache) snprintf(tmp, sizeof tmp, "%s/tokens-unkeyed-%ld.atc", tmp_dir, (long)getpid());
    const char *file = cache ? cache : tmp;
    int rc = cfile_create(&b->w, file, "TOKS", key_hash, st);
    if (rc) {
        tokfile_build_free(b);
        free(b);
        return -1;
    }
    cfile_begin(&b->w, "HASH");
    ReadSplitSink sink = {b, tokfile_row, tokfile_flush};
    ReaderStats rs;
    rc = readsplit_read(path, o, threads, 0, &sink, &rs, st);
    cfile_end(&b->w);
    if (rc == 0) {
        tokfile_write_tail(b, key, &rs);
        rc = cfile_commit(&b->w, st);
    } else {
        cfile_abort(&b->w);
    }
    tokfile_build_free(b);
    free(b);
    if (rc) return -1;
    CFileState s = tokfile_map(t, file, key, key_hash, 0, st);
    if (!cache) unlink(tmp);
    return s == CFILE_OK ? 0 : -1;
}

/* ---- opening ---- */

static const void *tokfile_section(const TokFile *t, const char *tag, uint64_t want, int *bad)
{
    uint64_t len;
    const void *p = cfile_find(&t->f, tag, &len);
    if (!p || (want != UINT64_MAX && len != want)) *bad = 1;
    return p;
}

/* off [n+1] starts at 0 and never goes down. */
static int tokfile_ascending(const int64_t *off, int64_t n)
{
    if (off[0] != 0) return 0;
    for (int64_t i = 0; i < n; i++)
        if (off[i + 1] < off[i]) return 0;
    return 1;
}

/* Reads META, LTAB and WTAB; the arrays' sizes follow from META. */
static int tokfile_parse(TokFile *t, const CkptBuf *key)
{
    int bad = 0;
    uint64_t len;
    const unsigned char *meta = cfile_find(&t->f, "META", &len);
    if (!meta || len < key->n + 56 || (key->n && memcmp(meta, key->p, key->n) != 0)) return -1;
    CkptSection sec = {meta + key->n, len - key->n, 1};
    CkptCursor c = ckpt_cursor(&sec);
    uint64_t v[7];
    ckpt_copy(&c, v, sizeof v);
    uint32_t skip_len = ckpt_u32(&c);
    const unsigned char *skip = ckpt_take(&c, skip_len);
    if (!skip || !ckpt_done(&c) || skip_len >= sizeof t->stats.first_skip || v[0] >= (uint64_t)1 << 56) return -1;
    t->n = (int64_t)v[0];
    t->max_words = (int64_t)v[2];
    t->stats.rows = (int64_t)v[3];
    t->stats.skipped = (int64_t)v[4];
    memcpy(t->stats.first_skip, skip, skip_len);
    t->stats.first_skip[skip_len] = '\0';
    const uint64_t docs = ((uint64_t)t->n + 1) * 8;
    t->off = tokfile_section(t, "DOFF", docs, &bad);
    t->loff = tokfile_section(t, "LOFF", docs, &bad);
    if (bad || !tokfile_ascending(t->off, t->n) || !tokfile_ascending(t->loff, t->n) || (uint64_t)t->off[t->n] != v[1])
        return -1;
    t->hash = tokfile_section(t, "HASH", v[1] * 8, &bad);
    t->lab = tokfile_section(t, "LABS", (uint64_t)t->loff[t->n] * 4, &bad);
    const void *ltab = tokfile_section(t, "LTAB", UINT64_MAX, &bad);
    const void *wtab = tokfile_section(t, "WTAB", UINT64_MAX, &bad);
    if (bad) return -1;
    uint64_t wlen;
    const float *wght = cfile_find(&t->f, "WGHT", &wlen);
    if (!wght || (wlen != 0 && wlen != (uint64_t)t->n * 4)) return -1;
    t->w = wlen ? wght : NULL;
    uint64_t slen, solen;
    const char *strs = cfile_find(&t->f, "STRS", &slen);
    const uint64_t *soff = cfile_find(&t->f, "SOFF", &solen);
    if (strs && soff) {
        if (solen != (v[1] + 1) * 8 || soff[0] != 0 || soff[v[1]] != slen) return -1;
        for (uint64_t i = 0; i < v[1]; i++)
            if (soff[i + 1] < soff[i]) return -1;
        t->str = strs;
        t->soff = soff;
    } else if (strs || soff) {
        return -1;
    }
    cfile_find(&t->f, "LTAB", &len);
    sec = (CkptSection){ltab, len, 1};
    c = ckpt_cursor(&sec);
    if (vocab_get(&t->labels, &c) || !ckpt_done(&c)) return -1;
    for (int64_t i = 0; i < t->loff[t->n]; i++)
        if (t->lab[i] < 0 || t->lab[i] >= t->labels.n) return -1;
    cfile_find(&t->f, "WTAB", &len);
    sec = (CkptSection){wtab, len, 1};
    c = ckpt_cursor(&sec);
    uint64_t n = ckpt_u64(&c);
    for (uint64_t i = 0; i < n && !c.bad; i++) {
        uint64_t h = ckpt_u64(&c), count = ckpt_u64(&c);
        uint32_t wl = ckpt_u32(&c);
        const unsigned char *s = ckpt_take(&c, wl);
        if (s && wordcount_add(&t->words, (const char *)s, wl, h, (int64_t)count) != (int64_t)i) return -1;
    }
    t->words.seen = (int64_t)v[5];
    t->words.dropped_below = (int64_t)v[6];
    return ckpt_done(&c) ? 0 : -1;
}

static CFileState tokfile_map(TokFile *t, const char *cache, const CkptBuf *key, uint64_t key_hash, int verify,
                              Status *st)
{
    memset(t, 0, sizeof *t);
    vocab_init(&t->labels);
    wordcount_init(&t->words);
    CFileState s = cfile_open(&t->f, cache, "TOKS", key_hash, verify, st);
    if (s == CFILE_OK && tokfile_parse(t, key) != 0) {
        status_error(st, "%s: damaged cache file: its sections do not fit together", cache);
        s = CFILE_DAMAGED;
    }
    if (s != CFILE_OK) tokfile_free(t);
    return s;
}

CFileState tokfile_open(TokFile *t, const char *cache, const CkptBuf *key, uint64_t key_hash, Status *st)
{
    return tokfile_map(t, cache, key, key_hash, 1, st);
}

void tokfile_free(TokFile *t)
{
    cfile_close(&t->f);
    vocab_free(&t->labels);
    wordcount_free(&t->words);
    memset(t, 0, sizeof *t);
}
