/* datafile.c - see datafile.h.
 *
 * Sections: for each part P, T (training) and V (validation): PIDS the
 * embedding rows (i32; with character n-grams a position is a bag, encoder.h),
 * PFEA the naive Bayes features (u64), POFF, PLOF and PFOF the offsets into
 * them and into PLAB (i64 [n+1] each), PLAB the label ids (i32), PWGT each
 * document's weight (f32 [n]; empty when all are 1); VOCB, LABL and UNKV the vocabulary, the labels and the labels
 * training never saw (vocab_put); META the key's bytes, then u64 documents of
 * each part, longest document of each part, distinct words of the training
 * file, rows and skipped rows of each file, and each file's first skip
 * message (u32 length + bytes). */
#include "datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "rng.h"
#include "threads.h"

#define DATAFILE_FORMAT 2u
/* Words per encoding batch: a few MiB of hashes in, a few of rows out. */
#define DATAFILE_BATCH_WORDS ((int64_t)1 << 20)
/* Batches between letting go of the token file's resident pages (ext4 maps
 * its page cache in pieces of up to 2 MiB, so a pass over the mapping would
 * otherwise keep the whole file resident). */
#define DATAFILE_RELEASE_EVERY 2
/* Documents between letting go of the pages a count touched. */
#define DATAFILE_COUNT_RELEASE 256

unsigned char *datafile_split(int64_t n, double fraction, uint64_t seed)
{
    unsigned char *is_valid = xcalloc((size_t)(n ? n : 1), 1);
    int64_t k = (int64_t)((double)n * fraction + 0.5);
    if (k <= 0) return is_valid;
    if (k >= n) k = n - 1;
    int64_t *idx = xmalloc((size_t)n * sizeof *idx);
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    Rng r;
    rng_seed(&r, rng_mix(seed, 0x73706c6974ull /* "split" */, 0));
    rng_shuffle(&r, idx, n);
    for (int64_t i = 0; i < k; i++) is_valid[idx[i]] = 1;
    free(idx);
    return is_valid;
}

/* ---- the key ---- */

static void datafile_put_vocab_hash(CkptBuf *key, const Vocab *v)
{
    CkptBuf b = {0};
    vocab_put(v, &b);
    ckpt_put_u64(key, hash_bytes(b.p, b.n));
    free(b.p);
}

uint64_t datafile_key(const DataSpec *s, const CkptBuf *train_key, const CkptBuf *valid_key, const Encoder *enc,
                      CkptBuf *key)
{
    key->n = 0;
    if (train_key->n == 0 || (s->valid && valid_key->n == 0)) return 0;
    ckpt_put_u32(key, DATAFILE_FORMAT);
    ckpt_put_u64(key, train_key->n);
    ckpt_put(key, train_key->p, train_key->n);
    if (s->valid) {
        ckpt_put_u64(key, valid_key->n);
        ckpt_put(key, valid_key->p, valid_key->n);
    } else {
        ckpt_put_u64(key, 0);
        ckpt_put_f64(key, s->valid_fraction);
        /* The seed decides nothing without a split. */
        ckpt_put_u64(key, s->valid_fraction > 0 ? s->seed : 0);
    }
    ckpt_put_u64(key, (uint64_t)s->vocab.min_count);
    ckpt_put_u64(key, (uint64_t)s->vocab.max_vocab);
    /* The encoder's settings as its ENCD section holds them (so a new setting
     * cannot be left out of the key), and the naive Bayes features'. */
    CkptWriter w;
    ckpt_writer_init(&w);
    encoder_save(enc, &w, 0);
    for (int i = 0; i < w.n; i++)
        if (memcmp(w.sec[i].tag, "ENCD", 4) == 0) {
            ckpt_put_u32(key, w.sec[i].version);
            ckpt_put_u64(key, w.sec[i].head.n);
            ckpt_put(key, w.sec[i].head.p, w.sec[i].head.n);
        }
    ckpt_writer_free(&w);
    ckpt_put_u32(key, (uint32_t)enc->bayes_ngrams);
    ckpt_put_u32(key, s->given_words != NULL);
    if (s->given_words) {
        datafile_put_vocab_hash(key, s->given_words);
        datafile_put_vocab_hash(key, s->given_labels);
    }
    return hash_bytes(key->p, key->n) | 1;
}

/* ---- words to rows ---- */

/* hash_word() of a vocabulary word -> its row: an open-addressing table. */
typedef struct RowMap {
    uint64_t *key;  /* [mask+1] */
    int32_t *row;   /* [mask+1] -1: empty */
    uint64_t mask;
} RowMap;

static uint64_t rowmap_home(uint64_t h, uint64_t mask)
{
    return (h * 0x9E3779B97F4A7C15ull) >> 32 & mask;
}

static void rowmap_init(RowMap *m, const Vocab *v)
{
    uint64_t size = 1024;
    while (size < 2 * (uint64_t)v->n) size *= 2;
    m->key = xmalloc((size_t)size * sizeof *m->key);
    m->row = xmalloc((size_t)size * sizeof *m->row);
    memset(m->row, 0xff, (size_t)size * sizeof *m->row);
    m->mask = size - 1;
    for (int64_t i = 0; i < v->n; i++) {
        uint64_t s = rowmap_home(v->hashes[i], m->mask);
        while (m->row[s] >= 0 && m->key[s] != v->hashes[i]) s = (s + 1) & m->mask;
        if (m->row[s] >= 0) continue; /* a hash collision: the more frequent word keeps the hash */
        m->key[s] = v->hashes[i];
        m->row[s] = (int32_t)i;
    }
}

static int32_t rowmap_get(const RowMap *m, uint64_t h)
{
    for (uint64_t s = rowmap_home(h, m->mask);; s = (s + 1) & m->mask)
        if (m->row[s] < 0 || m->key[s] == h) return m->row[s];
}

static void rowmap_free(RowMap *m)
{
    free(m->key);
    free(m->row);
}

/* ---- the vocabulary and labels ---- */

static void datafile_copy_vocab(Vocab *dst, const Vocab *src)
{
    vocab_init(dst);
    for (int64_t i = 0; i < src->n; i++) {
        int64_t id = vocab_add(dst, src->words[i], src->lens[i]);
        dst->counts[id] = src->counts[i];
    }
}

/* Adds each document's word occurrences to counts (by table entry) when
 * is_valid[i] == want (is_valid NULL: every document); sign -1 subtracts. */
static void datafile_count(const TokFile *t, const unsigned char *is_valid, int want, int64_t sign, int64_t *counts,
                           int threads)
{
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads)
    for (int64_t i = 0; i < t->n; i++) {
        if (i % DATAFILE_COUNT_RELEASE == 0) cfile_release(&t->f);
        if (is_valid && is_valid[i] != want) continue;
        for (int64_t k = t->off[i]; k < t->off[i + 1]; k++) {
            int64_t e = wordcount_find(&t->words, t->hash[k]);
            if (e >= 0) {
#pragma omp atomic
                counts[e] += sign;
            }
        }
    }
    cfile_release(&t->f);
}

/* The training part's count of each word of t's table. Without dropped words
 * the table's counts are exact over the whole file, and the validation part's
 * are taken off; a table that dropped words counts the training part again. */
static int64_t *datafile_train_counts(const TokFile *t, const unsigned char *is_valid, int threads)
{
    int64_t *counts = xcalloc((size_t)(t->words.n + 1), sizeof *counts);
    if (t->words.dropped_below == 0) {
        memcpy(counts, t->words.count, (size_t)t->words.n * sizeof *counts);
        if (is_valid) datafile_count(t, is_valid, 1, -1, counts, threads);
    } else {
        datafile_count(t, is_valid, 0, 1, counts, threads);
    }
    return counts;
}

/* Label ids of t's labels: by name in `labels`, else appended to `unknown`
 * (as labels->n + its id there). */
static int32_t *datafile_label_names(const TokFile *t, const Vocab *labels, Vocab *unknown)
{
    int32_t *map = xmalloc((size_t)(t->labels.n + 1) * sizeof *map);
    for (int64_t i = 0; i < t->labels.n; i++) {
        int64_t id = vocab_find(labels, t->labels.words[i], t->labels.lens[i]);
        if (id < 0) {
            int64_t u = vocab_find(unknown, t->labels.words[i], t->labels.lens[i]);
            if (u < 0) {
                u = vocab_add(unknown, t->labels.words[i], t->labels.lens[i]);
                unknown->counts[u] = 0;
            }
            unknown->counts[u] += t->labels.counts[i];
            id = labels->n + u;
        }
        map[i] = (int32_t)id;
    }
    return map;
}

/* ---- encoding ---- */

/* What encoding needs: the encoder with the final vocabulary, the word rows. */
typedef struct EncodeCtx {
    Encoder e;          /* a shallow copy whose vocab is the final one */
    RowMap map;
    int threads;
    CFileWriter *w;
    int32_t *rows;      /* [threads, max_words] */
    const char **str;   /* [threads, max_words] with character n-grams: the words' bytes */
    uint32_t *len;      /* [threads, max_words] and lengths */
    uint32_t *room_len; /* [max_words] the lengths of the document being sized */
    uint64_t *out;      /* [cap_out] one batch's output (rows or features) */
    int64_t cap_out;
    int64_t *doc, *pos; /* [cap_docs] the batch's documents and where each one's output starts */
    int64_t cap_docs;
} EncodeCtx;

/* The most ids document i of t encodes into (encoder_max_ids). */
static int64_t datafile_room(const EncodeCtx *c, const TokFile *t, int64_t i)
{
    const int64_t o = t->off[i], nw = t->off[i + 1] - o;
    if (!t->soff || !encoder_has_chars(&c->e)) return encoder_max_ids(&c->e, NULL, nw);
    for (int64_t k = 0; k < nw; k++) c->room_len[k] = (uint32_t)(t->soff[o + k + 1] - t->soff[o + k]);
    return encoder_max_ids(&c->e, c->room_len, nw);
}

/* One part of the file being written: its documents' offsets and labels. */
typedef struct PartOut {
    int64_t n;
    int64_t *off, *loff, *foff;  /* [n+1] */
    int32_t *lab;
    float *w;                    /* [n] */
    int any_weight;              /* a weight other than 1 */
    int64_t max_len;
} PartOut;

static int datafile_selected(const unsigned char *is_valid, int want, int64_t i)
{
    return !is_valid || is_valid[i] == want;
}

/* The part's offsets and labels (label_map: t's label ids to final ones). */
static void datafile_part_labels(PartOut *p, const TokFile *t, const unsigned char *is_valid,
                                 int want, const int32_t *label_map)
{
    int64_t n = 0, nl = 0;
    for (int64_t i = 0; t && i < t->n; i++)
        if (datafile_selected(is_valid, want, i)) n++, nl += t->loff[i + 1] - t->loff[i];
    p->n = n;
    p->off = xcalloc((size_t)n + 1, sizeof *p->off);
    p->loff = xcalloc((size_t)n + 1, sizeof *p->loff);
    p->foff = xcalloc((size_t)n + 1, sizeof *p->foff);
    p->lab = xmalloc((size_t)(nl + 1) * sizeof *p->lab);
    p->w = xmalloc((size_t)(n + 1) * sizeof *p->w);
    int64_t k = 0;
    for (int64_t i = 0; t && i < t->n; i++) {
        if (!datafile_selected(is_valid, want, i)) continue;
        p->w[k] = t->w ? t->w[i] : 1.0f;
        if (p->w[k] != 1.0f) p->any_weight = 1;
        p->loff[k + 1] = p->loff[k];
        for (int64_t j = t->loff[i]; j < t->loff[i + 1]; j++) p->lab[p->loff[k + 1]++] = label_map[t->lab[j]];
        k++;
    }
}

static void datafile_part_free(PartOut *p)
{
    free(p->off);
    free(p->loff);
    free(p->foff);
    free(p->lab);
    free(p->w);
    memset(p, 0, sizeof *p);
}

/* Encodes document i of t (nw words) into out: rows (feat 0) or features;
 * returns how many values. */
static int64_t datafile_encode_doc(const EncodeCtx *c, const TokFile *t, int64_t i, int feat, uint64_t *out)
{
    const uint64_t *h = t->hash + t->off[i];
    const int64_t nw = t->off[i + 1] - t->off[i];
    if (feat) return encoder_features(&c->e, h, nw, out);
    const size_t at = (size_t)threads_id() * (size_t)(t->max_words ? t->max_words : 1);
    int32_t *rows = c->rows + at;
    const int32_t unk = (int32_t)encoder_unk_row(&c->e);
    for (int64_t k = 0; k < nw; k++) {
        int32_t r = rowmap_get(&c->map, h[k]);
        rows[k] = r >= 0 ? r : unk;
    }
    const int chars = c->str && t->soff;
    if (chars) {
        const int64_t o = t->off[i];
        for (int64_t k = 0; k < nw; k++) {
            c->str[at + k] = t->str + t->soff[o + k];
            c->len[at + k] = (uint32_t)(t->soff[o + k + 1] - t->soff[o + k]);
        }
    }
    return encoder_emit(&c->e, rows, h, chars ? c->str + at : NULL, chars ? c->len + at : NULL, nw, (int32_t *)out,
                        NULL, NULL, NULL);
}

/* Streams the rows (feat 0) or features (feat 1) of t's selected documents,
 * in order, into the open section, a batch of documents at a time encoded on
 * the threads; they fill p->off (and p->max_len) or p->foff. */
static void datafile_pass(EncodeCtx *c, PartOut *p, const TokFile *t, const unsigned char *is_valid, int want,
                          int feat)
{
    const size_t es = feat ? sizeof(uint64_t) : sizeof(int32_t);
    int64_t i = 0, k = 0, batches = 0;
    while (i < t->n) {
        int64_t nd = 0, words = 0, room = 0;
        for (; i < t->n && (nd == 0 || words < DATAFILE_BATCH_WORDS); i++) {
            if (!datafile_selected(is_valid, want, i)) continue;
            if (nd == c->cap_docs) {
                c->cap_docs = c->cap_docs ? 2 * c->cap_docs : 4096;
                c->doc = xrealloc(c->doc, (size_t)c->cap_docs * sizeof *c->doc);
                c->pos = xrealloc(c->pos, (size_t)(c->cap_docs + 1) * sizeof *c->pos);
            }
            const int64_t nw = t->off[i + 1] - t->off[i];
            c->doc[nd] = i;
            c->pos[nd++] = room;
            room += feat ? nw * c->e.bayes_ngrams : datafile_room(c, t, i);
            words += nw;
        }
        if (nd == 0) break;
        /* Rows are 4 bytes, features 8: out holds room values of size es. */
        const int64_t need = (room * (int64_t)es + 7) / 8 + 1;
        if (need > c->cap_out) {
            c->cap_out = need * 2;
            free(c->out);
            c->out = xmalloc((size_t)c->cap_out * sizeof *c->out);
        }
        int64_t *got = xmalloc((size_t)nd * sizeof *got);
#pragma omp parallel for schedule(dynamic, 16) num_threads(c->threads)
        for (int64_t j = 0; j < nd; j++)
            got[j] = datafile_encode_doc(c, t, c->doc[j], feat, (uint64_t *)((char *)c->out + (size_t)c->pos[j] * es));
        /* Each document took at most its room: close the gaps, in order. */
        int64_t at = 0;
        int64_t *off = feat ? p->foff : p->off;
        for (int64_t j = 0; j < nd; j++, k++) {
            memmove((char *)c->out + (size_t)at * es, (char *)c->out + (size_t)c->pos[j] * es, (size_t)got[j] * es);
            at += got[j];
            off[k + 1] = off[k] + got[j];
            if (!feat && got[j] > p->max_len) p->max_len = got[j];
        }
        room = at;
        free(got);
        cfile_write(c->w, c->out, (size_t)room * es);
        if (++batches % DATAFILE_RELEASE_EVERY == 0) cfile_release(&t->f);
    }
    cfile_release(&t->f);
}

/* Writes part `P` (T or V) from t's selected documents (t NULL: none): rows,
 * features, offsets, labels. */
static void datafile_write_part(EncodeCtx *c, char P, PartOut *p, const TokFile *t, const unsigned char *is_valid,
                                int want, const int32_t *label_map)
{
    char tag[5] = {P, 'I', 'D', 'S', 0};
    datafile_part_labels(p, t, is_valid, want, label_map);
    cfile_begin(c->w, tag);
    if (t) datafile_pass(c, p, t, is_valid, want, 0);
    cfile_end(c->w);
    memcpy(tag + 1, "FEA", 3);
    cfile_begin(c->w, tag);
    if (t && c->e.bayes_ngrams > 0) datafile_pass(c, p, t, is_valid, want, 1);
    cfile_end(c->w);
    const size_t docs = (size_t)(p->n + 1) * sizeof(int64_t);
    memcpy(tag + 1, "OFF", 3);
    cfile_section(c->w, tag, p->off, docs);
    memcpy(tag + 1, "LOF", 3);
    cfile_section(c->w, tag, p->loff, docs);
    memcpy(tag + 1, "FOF", 3);
    cfile_section(c->w, tag, p->foff, docs);
    memcpy(tag + 1, "LAB", 3);
    cfile_section(c->w, tag, p->lab, (size_t)p->loff[p->n] * sizeof *p->lab);
    memcpy(tag + 1, "WGT", 3);
    cfile_section(c->w, tag, p->w, p->any_weight ? (size_t)p->n * sizeof *p->w : 0);
}

/* ---- building ---- */

static CFileState datafile_map(DataFile *d, const char *cache, const CkptBuf *key, uint64_t key_hash, int verify,
                               Status *st);

static void datafile_put_stats(CkptBuf *b, const ReaderStats *rs)
{
    ckpt_put_str(b, rs->first_skip, strlen(rs->first_skip));
}

static void datafile_write_meta(CFileWriter *w, const CkptBuf *key, const PartOut *tp, const PartOut *vp,
                                int64_t words_seen, const ReaderStats *trs, const ReaderStats *vrs)
{
    CkptBuf b = {0};
    ckpt_put(&b, key->p, key->n);
    uint64_t v[9] = {(uint64_t)tp->n, (uint64_t)vp->n, (uint64_t)tp->max_len, (uint64_t)vp->max_len,
                     (uint64_t)words_seen, (uint64_t)trs->rows, (uint64_t)trs->skipped, (uint64_t)vrs->rows,
                     (uint64_t)vrs->skipped};
    ckpt_put(&b, v, sizeof v);
    datafile_put_stats(&b, trs);
    datafile_put_stats(&b, vrs);
    cfile_section(w, "META", b.p, b.n);
    free(b.p);
}

static void datafile_write_vocab(CFileWriter *w, const char *tag, const Vocab *v)
{
    CkptBuf b = {0};
    vocab_put(v, &b);
    cfile_section(w, tag, b.p, b.n);
    free(b.p);
}

/* The vocabulary and labels of a fresh run (label_map: the training file's
 * label ids to their natural order). */
static int32_t *datafile_build_vocab(DataFile *d, const DataSpec *s, const unsigned char *is_valid, int threads)
{
    const TokFile *t = s->train;
    datafile_copy_vocab(&d->labels, &t->labels);
    int64_t *remap = xmalloc((size_t)(t->labels.n + t->words.n + 1) * sizeof *remap);
    vocab_sort_natural(&d->labels, remap);
    int32_t *label_map = xmalloc((size_t)(t->labels.n + 1) * sizeof *label_map);
    for (int64_t i = 0; i < t->labels.n; i++) label_map[i] = (int32_t)remap[i];
    int64_t *counts = datafile_train_counts(t, is_valid, threads);
    wordcount_vocab(&t->words, counts, s->vocab.min_count, s->vocab.max_vocab, &d->words, remap);
    free(counts);
    free(remap);
    return label_map;
}

int datafile_build(DataFile *d, const DataSpec *s, const Encoder *enc, const CkptBuf *key, uint64_t key_hash,
                   const char *cache, const char *tmp_dir, int threads, Status *st)
{
    memset(d, 0, sizeof *d);
    vocab_init(&d->unknown);
    const TokFile *t = s->train;
    unsigned char *is_valid = !s->valid && s->valid_fraction > 0 ? datafile_split(t->n, s->valid_fraction, s->seed)
                                                                  : NULL;
    int32_t *label_map;
    if (s->given_words) {
        datafile_copy_vocab(&d->words, s->given_words);
        datafile_copy_vocab(&d->labels, s->given_labels);
        label_map = datafile_label_names(t, &d->labels, &d->unknown);
    } else {
        label_map = datafile_build_vocab(d, s, is_valid, threads);
    }
    int32_t *valid_map = s->valid ? datafile_label_names(s->valid, &d->labels, &d->unknown) : NULL;
    EncodeCtx c = {.e = *enc, .threads = threads};
    c.e.vocab = d->words;
    int rc = 0;
    if (encoder_rows(&c.e) >= INT32_MAX)
        rc = status_error(st, "tokenizer.buckets: %lld rows in all exceed the limit of %d",
                          (long long)encoder_rows(&c.e), INT32_MAX - 1);
    char tmp[4200];
    if (!cache) snprintf(tmp, sizeof tmp, "%s/data-unkeyed-%ld.atc", tmp_dir, (long)getpid());
    const char *file = cache ? cache : tmp;
    CFileWriter w;
    if (rc == 0) rc = cfile_create(&w, file, "DATA", key_hash, st);
    if (rc == 0) {
        rowmap_init(&c.map, &d->words);
        c.w = &w;
        int64_t mw = t->max_words > (s->valid ? s->valid->max_words : 0) ? t->max_words : s->valid->max_words;
        c.rows = xmalloc((size_t)threads * (size_t)(mw ? mw : 1) * sizeof *c.rows);
        c.room_len = xmalloc((size_t)(mw ? mw : 1) * sizeof *c.room_len);
        if (encoder_has_chars(&c.e)) {
            c.str = xmalloc((size_t)threads * (size_t)(mw ? mw : 1) * sizeof *c.str);
            c.len = xmalloc((size_t)threads * (size_t)(mw ? mw : 1) * sizeof *c.len);
        }
        PartOut tp = {0}, vp = {0};
        datafile_write_part(&c, 'T', &tp, t, is_valid, 0, label_map);
        if (s->valid) datafile_write_part(&c, 'V', &vp, s->valid, NULL, 0, valid_map);
        else datafile_write_part(&c, 'V', &vp, is_valid ? t : NULL, is_valid, 1, label_map);
        datafile_write_vocab(&w, "VOCB", &d->words);
        datafile_write_vocab(&w, "LABL", &d->labels);
        datafile_write_vocab(&w, "UNKV", &d->unknown);
        ReaderStats none = {0};
        datafile_write_meta(&w, key, &tp, &vp, t->words.seen, &t->stats, s->valid ? &s->valid->stats : &none);
        datafile_part_free(&tp);
        datafile_part_free(&vp);
        rowmap_free(&c.map);
        free(c.rows);
        free(c.room_len);
        free(c.str);
        free(c.len);
        free(c.out);
        free(c.doc);
        free(c.pos);
        rc = cfile_commit(&w, st);
    }
    free(is_valid);
    free(label_map);
    free(valid_map);
    datafile_free(d);
    if (rc) return -1;
    CFileState fs = datafile_map(d, file, key, key_hash, 0, st);
    if (!cache) unlink(tmp);
    return fs == CFILE_OK ? 0 : -1;
}

/* ---- documents as words ---- */

/* The documents of t that are in part ds (is_valid[i] == want), as words: each
 * word's row in ids and its hash in feat, with ds's labels and weights. */
static void datafile_words_part(const RowMap *map, const TokFile *t, const unsigned char *is_valid, int want,
                                int32_t unk, const Dataset *ds, Dataset *out)
{
    int32_t *rows = xmalloc((size_t)(t->max_words + 1) * sizeof *rows);
    int64_t k = 0;
    for (int64_t i = 0; i < t->n; i++) {
        if (!datafile_selected(is_valid, want, i)) continue;
        const uint64_t *h = t->hash + t->off[i];
        const int64_t nw = t->off[i + 1] - t->off[i];
        for (int64_t j = 0; j < nw; j++) {
            int32_t r = rowmap_get(map, h[j]);
            rows[j] = r >= 0 ? r : unk;
        }
        dataset_append(out, rows, nw, h, nw, ds->lab + ds->loff[k], ds->loff[k + 1] - ds->loff[k]);
        dataset_set_weight(out, dataset_weight(ds, k));
        k++;
    }
    free(rows);
}

void datafile_words(const DataFile *d, const DataSpec *s, Dataset *train, Dataset *valid)
{
    RowMap map;
    rowmap_init(&map, &d->words);
    const int32_t unk = (int32_t)d->words.n;
    const TokFile *t = s->train;
    unsigned char *is_valid = !s->valid && s->valid_fraction > 0 ? datafile_split(t->n, s->valid_fraction, s->seed)
                                                                  : NULL;
    datafile_words_part(&map, t, is_valid, 0, unk, &d->train, train);
    if (s->valid) datafile_words_part(&map, s->valid, NULL, 0, unk, &d->valid, valid);
    else if (is_valid) datafile_words_part(&map, t, is_valid, 1, unk, &d->valid, valid);
    free(is_valid);
    rowmap_free(&map);
}

/* ---- opening ---- */

static const char *datafile_take_skip(CkptCursor *c, ReaderStats *rs)
{
    uint32_t n = ckpt_u32(c);
    const unsigned char *s = ckpt_take(c, n);
    if (!s || n >= sizeof rs->first_skip) return NULL;
    memcpy(rs->first_skip, s, n);
    rs->first_skip[n] = '\0';
    return (const char *)s;
}

/* off [n+1] from 0, never going down, ending at `end`. */
static int datafile_offsets(const int64_t *off, int64_t n, uint64_t end)
{
    if (off[0] != 0 || (uint64_t)off[n] != end) return 0;
    for (int64_t i = 0; i < n; i++)
        if (off[i + 1] < off[i]) return 0;
    return 1;
}

/* Part P's view, n documents, longest max_len; 0 when the sections do not fit. */
static int datafile_part_view(DataFile *d, char P, int64_t n, int64_t max_len, Dataset *ds)
{
    char tag[5] = {P, 'O', 'F', 'F', 0};
    uint64_t len[7];
    static const char *const names[7] = {"OFF", "LOF", "FOF", "IDS", "LAB", "FEA", "WGT"};
    const void *p[7];
    for (int i = 0; i < 7; i++) {
        memcpy(tag + 1, names[i], 3);
        p[i] = cfile_find(&d->f, tag, &len[i]);
        if (!p[i]) return 0;
    }
    const uint64_t docs = ((uint64_t)n + 1) * 8;
    if (len[0] != docs || len[1] != docs || len[2] != docs || len[3] % 4 || len[4] % 4 || len[5] % 8 ||
        (len[6] != 0 && len[6] != (uint64_t)n * 4))
        return 0;
    const int64_t *off = p[0], *loff = p[1], *foff = p[2];
    if (!datafile_offsets(off, n, len[3] / 4) || !datafile_offsets(loff, n, len[4] / 4) ||
        !datafile_offsets(foff, n, len[5] / 8))
        return 0;
    const int32_t *lab = p[4];
    const int64_t labels = d->labels.n + d->unknown.n;
    for (uint64_t i = 0; i < len[4] / 4; i++)
        if (lab[i] < 0 || lab[i] >= labels) return 0;
    dataset_view(ds, n, off, p[3], loff, lab, foff, p[5], len[6] ? p[6] : NULL, max_len);
    return 1;
}

static int datafile_vocab(DataFile *d, const char *tag, Vocab *v)
{
    uint64_t len;
    const void *p = cfile_find(&d->f, tag, &len);
    if (!p) return 0;
    CkptSection sec = {p, len, 1};
    CkptCursor c = ckpt_cursor(&sec);
    return !vocab_get(v, &c) && ckpt_done(&c);
}

static int datafile_parse(DataFile *d, const CkptBuf *key)
{
    uint64_t len;
    const unsigned char *meta = cfile_find(&d->f, "META", &len);
    if (!meta || len < key->n + 72 || (key->n && memcmp(meta, key->p, key->n) != 0)) return 0;
    CkptSection sec = {meta + key->n, len - key->n, 1};
    CkptCursor c = ckpt_cursor(&sec);
    uint64_t v[9];
    ckpt_copy(&c, v, sizeof v);
    if (!datafile_take_skip(&c, &d->train_stats) || !datafile_take_skip(&c, &d->valid_stats) || !ckpt_done(&c) ||
        v[0] >= (uint64_t)1 << 56 || v[1] >= (uint64_t)1 << 56)
        return 0;
    d->words_seen = (int64_t)v[4];
    d->train_stats.rows = (int64_t)v[5];
    d->train_stats.skipped = (int64_t)v[6];
    d->valid_stats.rows = (int64_t)v[7];
    d->valid_stats.skipped = (int64_t)v[8];
    return datafile_vocab(d, "VOCB", &d->words) && datafile_vocab(d, "LABL", &d->labels) &&
           datafile_vocab(d, "UNKV", &d->unknown) &&
           datafile_part_view(d, 'T', (int64_t)v[0], (int64_t)v[2], &d->train) &&
           datafile_part_view(d, 'V', (int64_t)v[1], (int64_t)v[3], &d->valid);
}

static CFileState datafile_map(DataFile *d, const char *cache, const CkptBuf *key, uint64_t key_hash, int verify,
                               Status *st)
{
    memset(d, 0, sizeof *d);
    vocab_init(&d->words);
    vocab_init(&d->labels);
    vocab_init(&d->unknown);
    CFileState s = cfile_open(&d->f, cache, "DATA", key_hash, verify, st);
    if (s == CFILE_OK && !datafile_parse(d, key)) {
        status_error(st, "%s: damaged cache file: its sections do not fit together", cache);
        s = CFILE_DAMAGED;
    }
    if (s != CFILE_OK) datafile_free(d);
    return s;
}

CFileState datafile_open(DataFile *d, const char *cache, const CkptBuf *key, uint64_t key_hash, Status *st)
{
    return datafile_map(d, cache, key, key_hash, 1, st);
}

void datafile_free(DataFile *d)
{
    dataset_free(&d->train);
    dataset_free(&d->valid);
    vocab_free(&d->words);
    vocab_free(&d->labels);
    vocab_free(&d->unknown);
    cfile_close(&d->f);
    memset(d, 0, sizeof *d);
}
