/* corpus.c - see corpus.h. */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "datafile.h"
#include "mem.h"
#include "threads.h"
#include "tokfile.h"
#include "wordcount.h"

/* A data file larger than this has its resident pages let go now and then
 * (corpus_release); a smaller one stays mapped, so epochs after the first
 * touch no page twice. */
#define CORPUS_RESIDENT_MAX ((uint64_t)256 << 20)

typedef struct Ctx {
    const CorpusOptions *o;
    int threads;
    int strings;      /* the token files keep the words' bytes (character n-grams) */
    char path[4200];  /* the cache file at hand */
} Ctx;

static void corpus_tell(const Ctx *c, const CorpusEvent *e)
{
    if (c->o->watch && c->o->watch->fn) c->o->watch->fn(c->o->watch->ctx, e);
}

static void corpus_progress(void *ctx, const char *path, int64_t done, int64_t total, double seconds)
{
    CorpusEvent e = {.kind = CORPUS_READING, .path = path, .done = done, .total = total, .seconds = seconds};
    corpus_tell(ctx, &e);
}

static void corpus_cached(const Ctx *c, const CFile *f, int built, int kept, double seconds, const char *why)
{
    CorpusEvent e = {.kind = CORPUS_CACHE, .path = f->path, .done = (int64_t)f->size, .seconds = seconds,
                     .built = built, .kept = kept, .why = why};
    corpus_tell(c, &e);
}

static int corpus_mkdirs(const char *dir, Status *st)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1;; s++) {
        char ch = *s;
        if (ch != '/' && ch != '\0') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            status_error(st, "data.cache: %s: cannot create directory: %s", p, strerror(e));
            free(p);
            return -1;
        }
        *s = ch;
        if (ch == '\0') break;
    }
    free(p);
    return 0;
}

/* The cache file of kind ("tokens", "data") for key hash h; NULL for no key or
 * a transient cache.
 * Its name starts with `group`: a token file's source (the input's path), a
 * data file's training token file, so that files made stale by a changed input
 * can be found and removed. */
static const char *corpus_file(Ctx *c, const char *kind, uint64_t group, uint64_t h)
{
    if (!h || c->o->transient) return NULL;
    snprintf(c->path, sizeof c->path, "%s/%s-%016llx-%016llx.atc", c->o->cache, kind, (unsigned long long)group,
             (unsigned long long)h);
    return c->path;
}

/* Removes the cache files of kind and group whose key is not `keep`; their
 * keys go into gone [at most cap] (the data files of a token file removed go too). */
static int corpus_remove_stale(const char *dir, const char *kind, uint64_t group, uint64_t keep, uint64_t *gone,
                               int cap)
{
    char prefix[64];
    int n = 0;
    snprintf(prefix, sizeof prefix, "%s-%016llx-", kind, (unsigned long long)group);
    DIR *dp = opendir(dir);
    struct dirent *e;
    while (dp && (e = readdir(dp)) != NULL) {
        unsigned long long key;
        size_t len = strlen(prefix);
        if (strncmp(e->d_name, prefix, len) != 0 || sscanf(e->d_name + len, "%16llx.atc", &key) != 1 || key == keep)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0 && n < cap) gone[n++] = key;
    }
    if (dp) closedir(dp);
    return n;
}

/* The key of path's token file. */
static uint64_t corpus_tokens_key(Ctx *c, const char *path, const Tokenizer *tk, CkptBuf *key, uint64_t *source,
                                  Status *st)
{
    status_clear(st);
    return tokfile_key(path, c->o->read, tk, wordcount_bound_for(c->o->vocab.max_vocab), c->strings, key, source,
                       st);
}

/* The token file of path: the cached one, or built now (and then the source's
 * stale token files go, with the data files made from them). */
static int corpus_tokens(Ctx *c, const char *path, const Tokenizer *tk, TokFile *t, const CkptBuf *key,
                         uint64_t source, uint64_t h, Status *st)
{
    const char *file = corpus_file(c, "tokens", source, h);
    char why[sizeof st->msg] = "";
    if (file) {
        CFileState s = tokfile_open(t, file, key, h, st);
        if (s == CFILE_OK) {
            corpus_cached(c, &t->f, 0, 1, 0, NULL);
            return 0;
        }
        if (s == CFILE_DAMAGED) snprintf(why, sizeof why, "%s", st->msg);
    }
    double t0 = clock_seconds();
    TokProgress prog = {(void *)c, corpus_progress};
    if (tokfile_build(t, path, c->o->read, tk, wordcount_bound_for(c->o->vocab.max_vocab), c->o->vocab.min_count,
                      c->strings, key, h, file, c->o->cache, c->threads, &prog, st))
        return -1;
    corpus_cached(c, &t->f, 1, file != NULL, clock_seconds() - t0, why[0] ? why : NULL);
    if (file) {
        uint64_t gone[64];
        int n = corpus_remove_stale(c->o->cache, "tokens", source, h, gone, 64);
        for (int i = 0; i < n; i++) corpus_remove_stale(c->o->cache, "data", gone[i], 0, NULL, 0);
    }
    return 0;
}

/* What making a data file needs: the inputs' keys, and their token files once opened. */
typedef struct Inputs {
    CkptBuf tkey, vkey;
    uint64_t th, vh;          /* the keys' hashes */
    uint64_t tsource, vsource;
    TokFile tt, vt;
    int opened;
} Inputs;

/* The token files, cached or built now; the training file needs two labels. */
static int corpus_open_inputs(Ctx *c, const Encoder *enc, int check_labels, Inputs *in, Status *st)
{
    if (in->opened) return 0;
    in->opened = 1;
    const CorpusOptions *o = c->o;
    if (corpus_tokens(c, o->train, &enc->tk, &in->tt, &in->tkey, in->tsource, in->th, st)) return -1;
    if (o->valid && corpus_tokens(c, o->valid, &enc->tk, &in->vt, &in->vkey, in->vsource, in->vh, st)) return -1;
    if (check_labels && in->tt.labels.n < 2)
        return status_error(st, "%s: only one label (\"%s\") in %lld rows: training needs at least two classes",
                            o->train, in->tt.labels.n ? in->tt.labels.words[0] : "", (long long)in->tt.stats.rows);
    return 0;
}

/* The data file of spec s: the cached one, or built now from the token files
 * (opened only then). */
static int corpus_data(Ctx *c, DataSpec *s, const Encoder *enc, Inputs *in, DataFile *d, Status *st)
{
    CkptBuf key = {0};
    uint64_t h = datafile_key(s, &in->tkey, &in->vkey, enc, &key);
    char path[sizeof c->path];
    const char *file = corpus_file(c, "data", in->th, h);
    if (file) file = strcpy(path, file); /* the token files' names go through c->path too */
    char why[sizeof st->msg] = "";
    int rc = -1;
    if (file) {
        CFileState fs = datafile_open(d, file, &key, h, st);
        if (fs == CFILE_OK) {
            corpus_cached(c, &d->f, 0, 1, 0, NULL);
            rc = 0;
        } else if (fs == CFILE_DAMAGED) {
            snprintf(why, sizeof why, "%s", st->msg);
        }
    }
    if (rc && corpus_open_inputs(c, enc, !s->given_words, in, st) == 0) {
        s->train = &in->tt;
        s->valid = c->o->valid ? &in->vt : NULL;
        double t0 = clock_seconds();
        rc = datafile_build(d, s, enc, &key, h, file, c->o->cache, c->threads, st);
        if (rc == 0) corpus_cached(c, &d->f, 1, file != NULL, clock_seconds() - t0, why[0] ? why : NULL);
    }
    free(key.p);
    return rc;
}

/* The data file: keys first, token files only when it must be built; given_*
 * (a resumed run's vocabulary and labels) are tried as the plain build first:
 * when the data have not changed, that is the same file. */
static int corpus_make(const CorpusOptions *o, const Encoder *enc, const Vocab *given_words,
                       const Vocab *given_labels, DataFile *d, TrainData *words, Status *st)
{
    Ctx c = {.o = o, .threads = threads_resolve(o->threads), .strings = encoder_has_chars(enc)};
    Inputs in;
    memset(&in, 0, sizeof in);
    int rc = corpus_mkdirs(o->cache, st);
    if (rc == 0) {
        in.th = corpus_tokens_key(&c, o->train, &enc->tk, &in.tkey, &in.tsource, st);
        if (st->code != STATUS_OK) rc = -1;
    }
    if (rc == 0 && o->valid) {
        in.vh = corpus_tokens_key(&c, o->valid, &enc->tk, &in.vkey, &in.vsource, st);
        if (st->code != STATUS_OK) rc = -1;
    }
    /* train and valid stand for the token files in the key; corpus_data sets them. */
    DataSpec s = {.valid = o->valid ? &in.vt : NULL, .valid_fraction = o->valid_fraction, .seed = o->seed,
                  .vocab = o->vocab};
    if (rc == 0) rc = corpus_data(&c, &s, enc, &in, d, st);
    if (rc == 0 && given_words && !(vocab_equal(&d->words, given_words) && vocab_equal(&d->labels, given_labels))) {
        /* The files changed since the run began: encode them with its vocabulary. */
        datafile_free(d);
        s.given_words = given_words;
        s.given_labels = given_labels;
        rc = corpus_data(&c, &s, enc, &in, d, st);
    }
    /* A tuning run's documents as words, from the token files (opened now if
     * the data file was cached). */
    if (rc == 0 && words && corpus_open_inputs(&c, enc, 0, &in, st) == 0) {
        s.train = &in.tt;
        s.valid = o->valid ? &in.vt : NULL;
        datafile_words(d, &s, &words->words_train, &words->words_valid);
    } else if (rc == 0 && words) {
        rc = -1;
    }
    tokfile_free(&in.tt);
    tokfile_free(&in.vt);
    free(in.tkey.p);
    free(in.vkey.p);
    return rc;
}

/* Moves d's data into out. */
static void corpus_take(DataFile *d, TrainData *out)
{
    out->train = d->train;
    out->valid = d->valid;
    out->train_stats = d->train_stats;
    out->valid_stats = d->valid_stats;
    out->unknown_valid = d->unknown;
    out->words_seen = d->words_seen;
    out->file = d->f;
    vocab_free(&d->words);
    vocab_free(&d->labels);
    memset(d, 0, sizeof *d);
}

static void corpus_data_init(TrainData *out)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->words_train);
    dataset_init(&out->words_valid);
    vocab_init(&out->unknown_valid);
}

int corpus_build(const CorpusOptions *o, Encoder *enc, Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    vocab_init(labels);
    DataFile d;
    if (corpus_make(o, enc, NULL, NULL, &d, o->keep_words ? out : NULL, st)) return -1;
    vocab_free(&enc->vocab);
    enc->vocab = d.words;
    *labels = d.labels;
    vocab_init(&d.words);
    vocab_init(&d.labels);
    corpus_take(&d, out);
    return 0;
}

int corpus_reload(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    DataFile d;
    if (corpus_make(o, enc, &enc->vocab, labels, &d, o->keep_words ? out : NULL, st)) return -1;
    corpus_take(&d, out);
    return 0;
}

uint64_t corpus_digest(const TrainData *td)
{
    /* META holds the key, which names the input's path and modification time. */
    return cfile_digest(&td->file, "META");
}

void corpus_release(const TrainData *td)
{
    if (td->file.size > CORPUS_RESIDENT_MAX) cfile_release(&td->file);
}

const CFile *corpus_stream(const TrainData *td)
{
    const unsigned char *ids = (const unsigned char *)td->train.ids, *map = td->file.map;
    const int inside = map && ids >= map && ids < map + td->file.size;
    return td->file.size > CORPUS_RESIDENT_MAX && inside ? &td->file : NULL;
}

/* ---- a tuning trial's data (corpus_reencode) ---- */

/* Buffers for encoding documents of up to max_len words. */
typedef struct EncodeScratch {
    int32_t *rows, *ids, *lab;
    uint64_t *hashes, *feat;
    const char **str;
    uint32_t *len;
    int64_t cap_ids;
} EncodeScratch;

static void corpus_scratch_init(EncodeScratch *b, const Encoder *enc, int64_t max_len, int64_t max_labels)
{
    b->rows = xmalloc((size_t)(max_len + 1) * sizeof *b->rows);
    b->hashes = xmalloc((size_t)(max_len + 1) * sizeof *b->hashes);
    b->cap_ids = encoder_max_len(enc, max_len) + 1;
    b->ids = xmalloc((size_t)b->cap_ids * sizeof *b->ids);
    b->feat = xmalloc((size_t)(max_len * enc->bayes_ngrams + 1) * sizeof *b->feat);
    b->lab = xmalloc((size_t)(max_labels + 1) * sizeof *b->lab);
    b->str = xmalloc((size_t)(max_len + 1) * sizeof *b->str);
    b->len = xmalloc((size_t)(max_len + 1) * sizeof *b->len);
}

static void corpus_scratch_free(EncodeScratch *b)
{
    free(b->rows);
    free(b->hashes);
    free(b->ids);
    free(b->feat);
    free(b->lab);
    free(b->str);
    free(b->len);
}

/* Appends the document of words (rows, hashes [nw]; with character n-grams
 * b->str and b->len hold the words) to dst, encoded by enc. */
static void corpus_encode_doc(const Encoder *enc, EncodeScratch *b, const int32_t *rows, const uint64_t *hashes,
                              int64_t nw, const int32_t *lab, int64_t nl, Dataset *dst)
{
    const int chars = encoder_has_chars(enc);
    int64_t need = encoder_max_ids(enc, chars ? b->len : NULL, nw) + 1;
    if (need > b->cap_ids) {
        b->cap_ids = 2 * need;
        b->ids = xrealloc(b->ids, (size_t)b->cap_ids * sizeof *b->ids);
    }
    int64_t n = encoder_emit(enc, rows, hashes, chars ? b->str : NULL, chars ? b->len : NULL, nw, b->ids, NULL, NULL,
                             NULL);
    int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, hashes, nw, b->feat) : 0;
    dataset_append(dst, b->ids, n, b->feat, nf, lab, nl);
}

/* All of words (rows in ids, hashes in feat) encoded by enc into dst; with
 * rows (the encoded documents of character n-gram bags) only the features are
 * made, and the rows are copied. */
static void corpus_encode_words(const Encoder *enc, const Dataset *words, const Dataset *rows, Dataset *dst)
{
    EncodeScratch b;
    corpus_scratch_init(&b, enc, words->max_len, 0);
    for (int64_t d = 0; d < words->n; d++) {
        const int64_t o = words->off[d], lo = words->loff[d], nw = words->off[d + 1] - o;
        if (!rows) {
            corpus_encode_doc(enc, &b, words->ids + o, words->feat + o, nw, words->lab + lo, words->loff[d + 1] - lo,
                              dst);
        } else {
            int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, words->feat + o, nw, b.feat) : 0;
            dataset_append(dst, rows->ids + rows->off[d], rows->off[d + 1] - rows->off[d], b.feat, nf,
                           words->lab + lo, words->loff[d + 1] - lo);
        }
        dataset_set_weight(dst, dataset_weight(words, d));
    }
    corpus_scratch_free(&b);
}

void corpus_reencode(const TrainData *src, const Encoder *enc, TrainData *out)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    dataset_init(&out->words_train);
    dataset_init(&out->words_valid);
    const int chars = encoder_has_chars(enc);
    corpus_encode_words(enc, &src->words_train, chars ? &src->train : NULL, &out->train);
    corpus_encode_words(enc, &src->words_valid, chars ? &src->valid : NULL, &out->valid);
    corpus_inherit(out, src);
}

void corpus_inherit(TrainData *out, const TrainData *src)
{
    out->train_stats = src->train_stats;
    out->valid_stats = src->valid_stats;
    out->words_seen = src->words_seen;
    vocab_init(&out->unknown_valid);
    for (int64_t i = 0; i < src->unknown_valid.n; i++)
        vocab_add(&out->unknown_valid, src->unknown_valid.words[i], src->unknown_valid.lens[i]);
}

unsigned char *corpus_valid_mask(int64_t n, double fraction, uint64_t seed)
{
    return datafile_split(n, fraction, seed);
}

void corpus_free(TrainData *td)
{
    dataset_free(&td->train);
    dataset_free(&td->valid);
    dataset_free(&td->words_train);
    dataset_free(&td->words_valid);
    vocab_free(&td->unknown_valid);
    cfile_close(&td->file);
}
