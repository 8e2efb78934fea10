/* corpus.c - see corpus.h. */
#include "corpus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void corpus_cached(const Ctx *c, const CFile *f, int built, double seconds, const char *why)
{
    CorpusEvent e = {.kind = CORPUS_CACHE, .path = f->path, .done = (int64_t)f->size, .seconds = seconds,
                     .built = built, .why = why};
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

/* The cache file of kind ("tokens", "data") for key hash h; NULL for no key. */
static const char *corpus_file(Ctx *c, const char *kind, uint64_t h)
{
    if (!h) return NULL;
    snprintf(c->path, sizeof c->path, "%s/%s-%016llx.atc", c->o->cache, kind, (unsigned long long)h);
    return c->path;
}

/* The token file of path: the cached one, or built now. */
static int corpus_tokens(Ctx *c, const char *path, const Tokenizer *tk, TokFile *t, CkptBuf *key, Status *st)
{
    const int64_t bound = wordcount_bound_for(c->o->vocab.max_vocab);
    status_clear(st);
    uint64_t h = tokfile_key(path, c->o->read, tk, bound, key, st);
    if (st->code != STATUS_OK) return -1;
    const char *file = corpus_file(c, "tokens", h);
    char why[sizeof st->msg] = "";
    if (file) {
        CFileState s = tokfile_open(t, file, key, h, st);
        if (s == CFILE_OK) {
            corpus_cached(c, &t->f, 0, 0, NULL);
            return 0;
        }
        if (s == CFILE_DAMAGED) snprintf(why, sizeof why, "%s", st->msg);
    }
    double t0 = clock_seconds();
    TokProgress prog = {(void *)c, corpus_progress};
    if (tokfile_build(t, path, c->o->read, tk, bound, c->o->vocab.min_count, key, h, file, c->o->cache, c->threads,
                      &prog, st))
        return -1;
    corpus_cached(c, &t->f, 1, clock_seconds() - t0, why[0] ? why : NULL);
    return 0;
}

/* The data file of spec s: the cached one (checked by `fits` when given), or
 * built now from the token files. */
static int corpus_data(Ctx *c, DataSpec *s, const Encoder *enc, const CkptBuf *train_key, const CkptBuf *valid_key,
                       DataFile *d, Status *st)
{
    CkptBuf key = {0};
    uint64_t h = datafile_key(s, train_key, valid_key, enc, &key);
    const char *file = corpus_file(c, "data", h);
    char why[sizeof st->msg] = "";
    int rc = -1;
    if (file) {
        CFileState fs = datafile_open(d, file, &key, h, st);
        if (fs == CFILE_OK) {
            corpus_cached(c, &d->f, 0, 0, NULL);
            rc = 0;
        } else if (fs == CFILE_DAMAGED) {
            snprintf(why, sizeof why, "%s", st->msg);
        }
    }
    if (rc) {
        double t0 = clock_seconds();
        rc = datafile_build(d, s, enc, &key, h, file, c->o->cache, c->threads, st);
        if (rc == 0) corpus_cached(c, &d->f, 1, clock_seconds() - t0, why[0] ? why : NULL);
    }
    free(key.p);
    return rc;
}

/* The token files of the training (and validation) file, then the data file;
 * given_* (a resumed run's vocabulary and labels) are tried as the plain
 * build first: when the data have not changed, that is the same file. */
static int corpus_make(const CorpusOptions *o, const Encoder *enc, const Vocab *given_words,
                       const Vocab *given_labels, DataFile *d, Status *st)
{
    Ctx c = {.o = o, .threads = threads_resolve(o->threads)};
    TokFile tt, vt;
    memset(&tt, 0, sizeof tt);
    memset(&vt, 0, sizeof vt);
    CkptBuf tkey = {0}, vkey = {0};
    int rc = corpus_mkdirs(o->cache, st);
    if (rc == 0) rc = corpus_tokens(&c, o->train, &enc->tk, &tt, &tkey, st);
    if (rc == 0 && o->valid) rc = corpus_tokens(&c, o->valid, &enc->tk, &vt, &vkey, st);
    if (rc == 0 && !given_words && tt.labels.n < 2)
        rc = status_error(st, "%s: only one label (\"%s\") in %lld rows: training needs at least two classes",
                          o->train, tt.labels.n ? tt.labels.words[0] : "", (long long)tt.stats.rows);
    DataSpec s = {.train = &tt, .valid = o->valid ? &vt : NULL, .valid_fraction = o->valid_fraction,
                  .seed = o->seed, .vocab = o->vocab};
    if (rc == 0) rc = corpus_data(&c, &s, enc, &tkey, &vkey, d, st);
    if (rc == 0 && given_words && !(vocab_equal(&d->words, given_words) && vocab_equal(&d->labels, given_labels))) {
        /* The files changed since the run began: encode them with its vocabulary. */
        datafile_free(d);
        s.given_words = given_words;
        s.given_labels = given_labels;
        rc = corpus_data(&c, &s, enc, &tkey, &vkey, d, st);
    }
    tokfile_free(&tt);
    tokfile_free(&vt);
    free(tkey.p);
    free(vkey.p);
    return rc;
}

/* Moves d's data into out. */
static void corpus_take(DataFile *d, TrainData *out)
{
    memset(out, 0, sizeof *out);
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
    vocab_init(&out->unknown_valid);
}

int corpus_build(const CorpusOptions *o, Encoder *enc, Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    vocab_init(labels);
    DataFile d;
    if (corpus_make(o, enc, NULL, NULL, &d, st)) return -1;
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
    if (corpus_make(o, enc, &enc->vocab, labels, &d, st)) return -1;
    corpus_take(&d, out);
    return 0;
}

void corpus_release(const TrainData *td)
{
    if (td->file.size > CORPUS_RESIDENT_MAX) cfile_release(&td->file);
}

void corpus_free(TrainData *td)
{
    dataset_free(&td->train);
    dataset_free(&td->valid);
    vocab_free(&td->unknown_valid);
    cfile_close(&td->file);
}
