/* test_corpus.c - the token cache gives the documents, vocabulary and labels of
 * the in-memory corpus it replaced, for any thread count: the reference below
 * is that code (tokenize every row, count raw words over the training part,
 * vocab_prune, encode each file with the vocabulary's string lookup). Cache
 * files are reused when the inputs and settings are the same, built again when
 * the input changes (stale) or a file is damaged, and never trusted over their
 * checksums; a resumed run's reload gives the same data. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "datafile.h"
#include "fixture.h"
#include "hash.h"
#include "rng.h"
#include "wordcount.h"

static char dir[64];

/* A CSV corpus: Zipf-like words from a few hundred (so min_count and
 * max_vocab bite), class words, HTML, capitals, quoted newlines. */
static void write_corpus(const char *path, int n, int classes, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    Rng r;
    rng_seed(&r, seed);
    fprintf(f, "label,text\n");
    for (int i = 0; i < n; i++) {
        int c = (int)rng_below(&r, (uint64_t)classes), len = 5 + (int)rng_below(&r, 60);
        fprintf(f, "c%d,\"", c);
        for (int k = 0; k < len; k++) {
            uint64_t u = rng_below(&r, 1000);
            int w = (int)(u * u / 2500); /* skewed towards small numbers */
            if (rng_below(&r, 4) == 0) fprintf(f, "cls%dw%d ", c, (int)rng_below(&r, 8));
            else if (w % 17 == 3) fprintf(f, "<b>W%d</b>, ", w);
            else if (w % 23 == 5) fprintf(f, "\"\"w%d\"\"\n", w);
            else fprintf(f, "w%d ", w);
        }
        fprintf(f, "\"\n");
    }
    fclose(f);
}

/* A multi-label CSV corpus: label sets ("c1|c3"), a weight column (some
 * weights 1, some not) and empty texts, which are documents too. */
static void write_corpus_multi(const char *path, int n, int classes, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    Rng r;
    rng_seed(&r, seed);
    fprintf(f, "label,weight,text\n");
    for (int i = 0; i < n; i++) {
        int c = (int)rng_below(&r, (uint64_t)classes), c2 = (int)rng_below(&r, (uint64_t)classes);
        static const char *const weights[] = {"1", "0.5", "2", "1", "0.25"};
        fprintf(f, "c%d", c);
        if (c2 != c) fprintf(f, "|c%d", c2);
        fprintf(f, ",%s,\"", weights[rng_below(&r, 5)]);
        int len = rng_below(&r, 6) == 0 ? 0 : 1 + (int)rng_below(&r, 30);
        for (int k = 0; k < len; k++) {
            uint64_t u = rng_below(&r, 300);
            if (rng_below(&r, 4) == 0) fprintf(f, "cls%dw%d ", c, (int)rng_below(&r, 8));
            else fprintf(f, "w%d%s ", (int)(u * u / 900), u % 11 == 0 ? "caf\xc3\xa9" : "");
        }
        fprintf(f, "\"\n");
    }
    fclose(f);
}

static ReaderOptions read_opts_for(int multi)
{
    ReaderOptions o;
    memset(&o, 0, sizeof o);
    o.format = FORMAT_CSV;
    o.header = 1;
    o.label_column.name = "label";
    o.text_columns[0].name = "text";
    o.n_text_columns = 1;
    if (multi) {
        o.label_separator = "|";
        o.weight_column.set = 1;
        o.weight_column.col.name = "weight";
    }
    return o;
}

static ReaderOptions read_opts(void)
{
    return read_opts_for(0);
}

/* ---- the reference: corpus.c as it was before the cache ---- */

typedef struct Ref {
    Vocab words, labels;
    Dataset train, valid;
    Vocab unknown;
} Ref;

typedef struct RawRows {
    const Tokenizer *tk;
    Vocab words, labels;
    Dataset raw;
    TokenList tl;
} RawRows;

static int ref_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    RawRows *c = ctx;
    tokenizer_run(c->tk, row->text, row->text_len, &c->tl);
    int32_t *ids = malloc((c->tl.n + 1) * sizeof *ids);
    for (size_t i = 0; i < c->tl.n; i++) ids[i] = (int32_t)vocab_add(&c->words, c->tl.buf + c->tl.start[i], c->tl.len[i]);
    int32_t lab[16];
    ck_assert_int_le(row->n_labels, 16);
    for (int k = 0; k < row->n_labels; k++)
        lab[k] = (int32_t)vocab_add(&c->labels, row->labels[k], row->label_lens[k]);
    dataset_append(&c->raw, ids, (int64_t)c->tl.n, NULL, 0, lab, row->n_labels);
    free(ids);
    return 0;
}

static void reference(const char *train, const char *valid, double fraction, uint64_t seed, VocabOptions vo,
                      int multi, Encoder *enc, Ref *ref)
{
    ReaderOptions ro = read_opts_for(multi);
    RawRows c = {.tk = &enc->tk};
    vocab_init(&c.words);
    vocab_init(&c.labels);
    dataset_init(&c.raw);
    tokenlist_init(&c.tl);
    Status st;
    ck_assert_int_eq(reader_read(train, &ro, ref_row, &c, NULL, &st), 0);
    int64_t *lremap = malloc((size_t)c.labels.n * sizeof *lremap);
    vocab_sort_natural(&c.labels, lremap);
    unsigned char *is_valid = !valid && fraction > 0 ? datafile_split(c.raw.n, fraction, seed) : NULL;
    if (is_valid) {
        memset(c.words.counts, 0, (size_t)c.words.n * sizeof *c.words.counts);
        for (int64_t d = 0; d < c.raw.n; d++)
            if (!is_valid[d])
                for (int64_t i = c.raw.off[d]; i < c.raw.off[d + 1]; i++) c.words.counts[c.raw.ids[i]]++;
    }
    vocab_prune(&c.words, vo.min_count, vo.max_vocab, NULL);
    vocab_free(&enc->vocab);
    enc->vocab = c.words;
    ref->words = c.words;
    ref->labels = c.labels;
    vocab_init(&ref->unknown);
    /* Every document encoded by the vocabulary's string lookup, then split. */
    Dataset all;
    ck_assert_int_eq(dataset_load(train, &ro, enc, &ref->labels, &ref->unknown, &all, NULL, NULL, &st), 0);
    dataset_init(&ref->train);
    dataset_init(&ref->valid);
    for (int64_t d = 0; d < all.n; d++) {
        Dataset *dst = is_valid && is_valid[d] ? &ref->valid : &ref->train;
        dataset_append(dst, all.ids + all.off[d], all.off[d + 1] - all.off[d], all.feat + all.foff[d],
                       all.foff[d + 1] - all.foff[d], all.lab + all.loff[d], all.loff[d + 1] - all.loff[d]);
        dataset_set_weight(dst, dataset_weight(&all, d));
    }
    dataset_free(&all);
    if (valid) {
        dataset_free(&ref->valid);
        ck_assert_int_eq(dataset_load(valid, &ro, enc, &ref->labels, &ref->unknown, &ref->valid, NULL, NULL, &st), 0);
    }
    enc->vocab = (Vocab){0};
    vocab_init(&enc->vocab);
    free(is_valid);
    free(lremap);
    dataset_free(&c.raw);
    tokenlist_free(&c.tl);
}

static void ref_free(Ref *r)
{
    vocab_free(&r->words);
    vocab_free(&r->labels);
    vocab_free(&r->unknown);
    dataset_free(&r->train);
    dataset_free(&r->valid);
}

static void same_dataset(const Dataset *a, const Dataset *b)
{
    ck_assert_int_eq(a->n, b->n);
    ck_assert_int_eq(a->max_len, b->max_len);
    ck_assert(memcmp(a->off, b->off, (size_t)(a->n + 1) * sizeof *a->off) == 0);
    ck_assert(memcmp(a->loff, b->loff, (size_t)(a->n + 1) * sizeof *a->loff) == 0);
    ck_assert(memcmp(a->foff, b->foff, (size_t)(a->n + 1) * sizeof *a->foff) == 0);
    ck_assert(memcmp(a->ids, b->ids, (size_t)a->off[a->n] * sizeof *a->ids) == 0);
    ck_assert(memcmp(a->lab, b->lab, (size_t)a->loff[a->n] * sizeof *a->lab) == 0);
    ck_assert(memcmp(a->feat, b->feat, (size_t)a->foff[a->n] * sizeof *a->feat) == 0);
    ck_assert_int_eq(a->w == NULL, b->w == NULL);
    for (int64_t i = 0; i < a->n; i++) ck_assert(dataset_weight(a, i) == dataset_weight(b, i));
}

/* ---- the cache ---- */

typedef struct Events {
    int built, used, damaged, reading, kept;
} Events;

static void on_event(void *ctx, const CorpusEvent *e)
{
    Events *ev = ctx;
    if (e->kind == CORPUS_READING) {
        ck_assert_int_le(e->done, e->total);
        ev->reading++;
        return;
    }
    if (e->built) ev->built++;
    else ev->used++;
    ev->kept += e->kept;
    if (e->why) {
        ck_assert_ptr_nonnull(strstr(e->why, "damaged cache file"));
        ev->damaged++;
    }
}

typedef struct Setup {
    const char *train, *valid;
    double fraction;
    VocabOptions vocab;
    int ngrams, bayes_ngrams, threads;
    char cache[128];
    int multi;  /* read_opts_for(1)'s label sets and weights */
    int chars;  /* character n-grams 2..4 */
    int transient;
} Setup;

static void make_encoder(const Setup *s, Encoder *enc)
{
    TokenizerOptions to;
    tokenizer_options_default(&to);
    to.lowercase = 1;
    to.clean_html = 1;
    EncoderOptions eo = {.ngrams = s->ngrams, .buckets = 997, .char_min = s->chars ? 2 : 0,
                         .char_max = s->chars ? 4 : 0};
    encoder_init(enc, &to, &eo);
    enc->bayes_ngrams = s->bayes_ngrams;
}

/* Builds through the cache and checks the result against the reference. */
static void build_and_check(const Setup *s, Events *ev)
{
    ReaderOptions ro = read_opts_for(s->multi);
    CorpusWatch w = {ev, on_event};
    CorpusOptions co = {.train = s->train, .valid = s->valid, .valid_fraction = s->fraction, .seed = 5,
                        .read = &ro, .vocab = s->vocab, .cache = s->cache, .transient = s->transient,
                        .threads = s->threads, .watch = &w};
    Encoder enc, renc;
    make_encoder(s, &enc);
    make_encoder(s, &renc);
    Vocab labels;
    TrainData td;
    Status st;
    ck_assert_msg(corpus_build(&co, &enc, &labels, &td, &st) == 0, "%s", st.msg);
    Ref ref;
    reference(s->train, s->valid, s->fraction, 5, s->vocab, s->multi, &renc, &ref);
    ck_assert(vocab_equal(&enc.vocab, &ref.words));
    ck_assert(vocab_equal(&labels, &ref.labels));
    ck_assert(vocab_equal(&td.unknown_valid, &ref.unknown));
    same_dataset(&td.train, &ref.train);
    same_dataset(&td.valid, &ref.valid);
    /* A resumed run's reload: the same data from the same cache file. */
    TrainData again;
    ck_assert_msg(corpus_reload(&co, &enc, &labels, &again, &st) == 0, "%s", st.msg);
    same_dataset(&again.train, &td.train);
    same_dataset(&again.valid, &td.valid);
    corpus_free(&again);
    corpus_free(&td);
    ref_free(&ref);
    vocab_free(&labels);
    encoder_free(&enc);
    encoder_free(&renc);
}

START_TEST(test_same_as_in_memory_corpus)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128], valid[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(valid, sizeof valid, "%s/valid.csv", dir);
    write_corpus(train, 400, 4, 1);
    write_corpus(valid, 80, 6, 2); /* classes c4, c5 never occur in training */
    const Setup cases[] = {
        {train, NULL, 0.1, {1, 0}, 2, 0, 1, "", 0, 0, 0},   {train, NULL, 0.1, {1, 0}, 2, 0, 3, "", 0, 0, 0},
        {train, NULL, 0.0, {2, 0}, 3, 2, 2, "", 0, 0, 0},   {train, NULL, 0.25, {3, 40}, 1, 3, 2, "", 0, 0, 0},
        {train, valid, 0.1, {1, 100}, 2, 1, 3, "", 0, 0, 0}, {train, NULL, 0.5, {1, 7}, 2, 0, 1, "", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Setup s = cases[i];
        snprintf(s.cache, sizeof s.cache, "%s/cache%zu", dir, i);
        Events ev = {0};
        build_and_check(&s, &ev);
        /* Token files for each input and one data file: built, then used by the reload. */
        ck_assert_int_eq(ev.built, (s.valid ? 3 : 2));
        ck_assert_int_eq(ev.used, 1);
        ck_assert_int_gt(ev.reading, 0);
    }
    fixture_rmtree(dir);
}
END_TEST

/* The same for label sets, per-document weights, empty texts and character
 * n-gram bags (with and without a validation file, on 1 and 3 threads). */
START_TEST(test_same_as_in_memory_multi_label)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128], valid[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(valid, sizeof valid, "%s/valid.csv", dir);
    write_corpus_multi(train, 300, 4, 11);
    write_corpus_multi(valid, 60, 5, 12);
    Setup cases[] = {
        {train, NULL, 0.2, {1, 0}, 2, 1, 1, "", 1, 0, 0}, {train, NULL, 0.2, {1, 0}, 2, 0, 3, "", 1, 1, 0},
        {train, valid, 0, {2, 50}, 3, 2, 2, "", 1, 1, 0}, {train, NULL, 0.1, {1, 0}, 1, 0, 2, "", 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Setup s = cases[i];
        if (!s.multi) {
            snprintf(train, sizeof train, "%s/plain.csv", dir);
            write_corpus(train, 200, 3, 13);
            s.train = train;
        }
        snprintf(s.cache, sizeof s.cache, "%s/cache%zu", dir, i);
        Events ev = {0};
        build_and_check(&s, &ev);
        ck_assert_int_eq(ev.built, (s.valid ? 3 : 2));
    }
    fixture_rmtree(dir);
}
END_TEST

/* A tuning run's documents as words (keep_words), encoded again with other
 * n-gram and naive Bayes settings, are what a build with those settings gives. */
START_TEST(test_reencode_words)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    write_corpus_multi(train, 250, 4, 21);
    ReaderOptions ro = read_opts_for(1);
    for (int cached = 0; cached < 2; cached++) {
        Setup s = {train, NULL, 0.2, {1, 0}, 2, 0, 2, "", 1, 0, 0};
        snprintf(s.cache, sizeof s.cache, "%s/cache-words", dir);
        CorpusOptions co = {.train = train, .valid_fraction = 0.2, .seed = 5, .read = &ro, .vocab = s.vocab,
                            .cache = s.cache, .threads = 2, .keep_words = 1};
        Encoder enc;
        make_encoder(&s, &enc);
        Vocab labels;
        TrainData words, again, direct;
        Status st;
        /* The second time the data file is cached: the words come from the token file. */
        ck_assert_msg(corpus_build(&co, &enc, &labels, &words, &st) == 0, "%s", st.msg);
        ck_assert_int_eq(words.words_train.n, words.train.n);
        ck_assert_int_eq(words.words_valid.n, words.valid.n);
        Setup s3 = s;
        s3.ngrams = 3;
        s3.bayes_ngrams = 2;
        snprintf(s3.cache, sizeof s3.cache, "%s/cache-direct", dir);
        Encoder e3, d3;
        make_encoder(&s3, &e3);
        make_encoder(&s3, &d3);
        vocab_free(&e3.vocab);
        e3.vocab = enc.vocab;
        corpus_reencode(&words, &e3, &again);
        e3.vocab = (Vocab){0};
        Vocab l3;
        CorpusOptions c3 = co;
        c3.cache = s3.cache;
        c3.keep_words = 0;
        ck_assert_msg(corpus_build(&c3, &d3, &l3, &direct, &st) == 0, "%s", st.msg);
        same_dataset(&again.train, &direct.train);
        same_dataset(&again.valid, &direct.valid);
        corpus_free(&words);
        corpus_free(&again);
        corpus_free(&direct);
        vocab_free(&labels);
        vocab_free(&l3);
        encoder_free(&enc);
        encoder_free(&e3);
        encoder_free(&d3);
    }
    fixture_rmtree(dir);
}
END_TEST

/* The cache file of `kind` in dir (the only one). */
static void cache_file(const char *cache, const char *kind, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/%s-*.atc", cache, kind);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(out, (int)cap, p));
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

static int count_files(const char *cache)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/*.atc 2>/dev/null | wc -l", cache);
    FILE *p = popen(cmd, "r");
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void flip_byte(const char *path, long at)
{
    long n;
    unsigned char *d = fixture_read(path, &n);
    ck_assert_ptr_nonnull(d);
    if (at < 0) at += n;
    d[at] ^= 0x40;
    fixture_write(path, d, n);
    free(d);
}

START_TEST(test_reused_damaged_and_stale)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128], data[256], tokens[256];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    write_corpus(train, 300, 3, 3);
    Setup s = {train, NULL, 0.1, {1, 0}, 2, 2, 2, "", 0, 0, 0};
    snprintf(s.cache, sizeof s.cache, "%s/cache", dir);
    Events ev = {0};
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 2);
    /* Again: the data file is used as it is, the token file not even opened. */
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 0);
    ck_assert_int_eq(ev.used, 2);
    ck_assert_int_eq(ev.reading, 0);
    /* A damaged data file (a byte of its rows, then its directory's checksum) is built again. */
    cache_file(s.cache, "data", data, sizeof data);
    for (int pass = 0; pass < 2; pass++) {
        flip_byte(data, pass == 0 ? 200 : -3);
        memset(&ev, 0, sizeof ev);
        build_and_check(&s, &ev);
        ck_assert_int_eq(ev.damaged, 1);
        ck_assert_int_eq(ev.built, 1);
    }
    /* A damaged token file is found when the data file has to be built. */
    cache_file(s.cache, "tokens", tokens, sizeof tokens);
    flip_byte(tokens, 100);
    unlink(data);
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.damaged, 1);
    ck_assert_int_eq(ev.built, 2);
    /* A token file with the data file gone is used to build it. */
    unlink(data);
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 1);
    ck_assert_int_eq(ev.used, 2);
    /* A cut-short file is damaged too. */
    ck_assert_int_eq(truncate(data, 1000), 0);
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.damaged, 1);
    /* Stale: the input changes (a new row) and gets a new token file and data file. */
    FILE *f = fopen(train, "a");
    fprintf(f, "c9,\"a new row\"\n");
    fclose(f);
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 2);
    ck_assert_int_eq(ev.damaged, 0);
    /* ... and the stale files, of the old input, are gone. */
    ck_assert_int_eq(count_files(s.cache), 2);
    /* So do other settings: min_count makes only a new data file, beside the other. */
    s.vocab.min_count = 2;
    memset(&ev, 0, sizeof ev);
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 1);
    ck_assert_int_eq(count_files(s.cache), 3);
    fixture_rmtree(dir);
}
END_TEST

/* A transient cache gives the same data (and the same again for a resumed run's
 * reload) and leaves no file behind; a kept one then starts from nothing. */
START_TEST(test_transient_leaves_nothing)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128], valid[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(valid, sizeof valid, "%s/valid.csv", dir);
    write_corpus(train, 300, 3, 3);
    write_corpus(valid, 60, 3, 4);
    Setup s = {train, valid, 0.1, {1, 0}, 2, 2, 2, "", 0, 0, 1};
    snprintf(s.cache, sizeof s.cache, "%s/cache", dir);
    for (int pass = 0; pass < 2; pass++) {
        Events ev = {0};
        build_and_check(&s, &ev);
        ck_assert_int_eq(ev.used, 0);
        ck_assert_int_eq(ev.kept, 0);
        ck_assert_int_eq(ev.built, 6); /* two token files and the data file, for the build and the reload */
        ck_assert_int_eq(count_files(s.cache), 0);
    }
    s.transient = 0;
    Events ev = {0};
    build_and_check(&s, &ev);
    ck_assert_int_eq(ev.built, 3);
    ck_assert_int_eq(ev.kept, ev.built + ev.used);
    ck_assert_int_eq(count_files(s.cache), 3);
    fixture_rmtree(dir);
}
END_TEST

/* A resumed run whose training file changed since it began: its data are
 * encoded with the checkpoint's vocabulary and labels, as before the cache. */
START_TEST(test_reload_changed_data)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    write_corpus(train, 200, 3, 4);
    Setup s = {train, NULL, 0.1, {1, 0}, 2, 0, 2, "", 0, 0, 0};
    snprintf(s.cache, sizeof s.cache, "%s/cache", dir);
    ReaderOptions ro = read_opts();
    CorpusOptions co = {.train = train, .valid_fraction = 0.1, .seed = 5, .read = &ro, .vocab = s.vocab,
                        .cache = s.cache, .threads = 2};
    Encoder enc;
    make_encoder(&s, &enc);
    Vocab labels;
    TrainData td;
    Status st;
    ck_assert_int_eq(corpus_build(&co, &enc, &labels, &td, &st), 0);
    corpus_free(&td);
    write_corpus(train, 210, 4, 9);
    ck_assert_msg(corpus_reload(&co, &enc, &labels, &td, &st) == 0, "%s", st.msg);
    /* The reference: the changed file encoded with the old vocabulary by string lookup. */
    Dataset all;
    Vocab unknown;
    vocab_init(&unknown);
    ck_assert_int_eq(dataset_load(train, &ro, &enc, &labels, &unknown, &all, NULL, NULL, &st), 0);
    ck_assert_int_eq(unknown.n, 1); /* c3 */
    ck_assert(vocab_equal(&td.unknown_valid, &unknown));
    ck_assert_int_eq(td.train.n + td.valid.n, all.n);
    unsigned char *is_valid = datafile_split(all.n, 0.1, 5);
    int64_t t = 0, v = 0;
    for (int64_t d = 0; d < all.n; d++) {
        const Dataset *p = is_valid[d] ? &td.valid : &td.train;
        int64_t j = is_valid[d] ? v++ : t++;
        ck_assert_int_eq(p->off[j + 1] - p->off[j], all.off[d + 1] - all.off[d]);
        ck_assert(memcmp(p->ids + p->off[j], all.ids + all.off[d], (size_t)(all.off[d + 1] - all.off[d]) * 4) == 0);
        ck_assert_int_eq(p->lab[p->loff[j]], all.lab[all.loff[d]]);
    }
    free(is_valid);
    dataset_free(&all);
    vocab_free(&unknown);
    corpus_free(&td);
    vocab_free(&labels);
    encoder_free(&enc);
    fixture_rmtree(dir);
}
END_TEST

/* ---- the bounded word table ---- */

START_TEST(test_wordcount_bound)
{
    WordCount w;
    wordcount_init(&w);
    char word[32];
    /* Frequent words w0..w9 (10 times each), then 1000 rare ones once each. */
    for (int rep = 0; rep < 10; rep++)
        for (int i = 0; i < 10; i++) {
            int n = snprintf(word, sizeof word, "w%d", i);
            wordcount_add(&w, word, (size_t)n, hash_word(word, (size_t)n), 1);
        }
    int dropped = 0;
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(word, sizeof word, "rare%d", i);
        wordcount_add(&w, word, (size_t)n, hash_word(word, (size_t)n), 1);
        dropped |= wordcount_bound(&w, 200, 1);
        ck_assert_int_le(w.n, 200);
    }
    ck_assert(dropped);
    ck_assert_int_eq(w.dropped_below, 2);
    ck_assert_int_eq(w.seen, 1010);
    /* The frequent words survive, in first-seen order, with their counts. */
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(w.count[i], 10);
        snprintf(word, sizeof word, "w%d", i);
        ck_assert_str_eq(wordcount_word(&w, i), word);
        ck_assert_int_eq(wordcount_find(&w, hash_word(word, strlen(word))), i);
    }
    /* Below 3/4 of the bound nothing is dropped. */
    WordCount u;
    wordcount_init(&u);
    wordcount_merge(&u, &w);
    ck_assert_int_eq(wordcount_bound(&u, 4 * u.n / 3 + 1, 1), 0);
    ck_assert_int_eq(u.n, w.n);
    /* The vocabulary from counts: vocab_prune's order and cuts. */
    Vocab v, ref;
    vocab_init(&ref);
    for (int64_t i = 0; i < u.n; i++) {
        int64_t id = vocab_add(&ref, wordcount_word(&u, i), u.len[i]);
        ref.counts[id] = u.count[i];
    }
    vocab_prune(&ref, 1, 5, NULL);
    int64_t *remap = malloc((size_t)u.n * sizeof *remap);
    wordcount_vocab(&u, u.count, 1, 5, &v, remap);
    ck_assert(vocab_equal(&v, &ref));
    vocab_free(&v);
    vocab_free(&ref);
    free(remap);
    wordcount_free(&w);
    wordcount_free(&u);
}
END_TEST

/* A corpus whose word table overflows its bound still builds (rare words are
 * dropped, with an exact recount of the training part for those kept). */
START_TEST(test_bounded_vocabulary)
{
    fixture_tmpdir(dir, sizeof dir);
    char train[128], cache[128];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    FILE *f = fopen(train, "w");
    fprintf(f, "label,text\n");
    /* 1M distinct words: more than 3/4 of the 1M-entry bound that max_vocab 1000 sets. */
    for (int i = 0; i < 10000; i++) {
        fprintf(f, "c%d,\"common%d", i % 2, i % 7);
        for (int k = 0; k < 100; k++) fprintf(f, " u%dx%d", i, k);
        fprintf(f, "\"\n");
    }
    fclose(f);
    ReaderOptions ro = read_opts();
    CorpusOptions co = {.train = train, .valid_fraction = 0.1, .seed = 5, .read = &ro, .vocab = {1, 1000},
                        .cache = cache, .threads = 2};
    Setup s;
    memset(&s, 0, sizeof s);
    s.ngrams = 1;
    Encoder enc;
    make_encoder(&s, &enc);
    Vocab labels;
    TrainData td;
    Status st;
    ck_assert_msg(corpus_build(&co, &enc, &labels, &td, &st) == 0, "%s", st.msg);
    /* The seven common words have exact training counts; the words seen once
     * were dropped (the table overflowed after the file's only window). */
    ck_assert_int_eq(enc.vocab.n, 7);
    int64_t total = 0;
    for (int i = 0; i < 7; i++) total += enc.vocab.counts[i];
    ck_assert_int_eq(total, td.train.n);
    for (int i = 0; i < 7; i++) ck_assert_int_gt(enc.vocab.counts[i], td.train.n / 8);
    corpus_free(&td);
    vocab_free(&labels);
    encoder_free(&enc);
    fixture_rmtree(dir);
}
END_TEST

Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_same_as_in_memory_corpus);
    tcase_add_test(tc, test_same_as_in_memory_multi_label);
    tcase_add_test(tc, test_reencode_words);
    tcase_add_test(tc, test_reused_damaged_and_stale);
    tcase_add_test(tc, test_transient_leaves_nothing);
    tcase_add_test(tc, test_reload_changed_data);
    tcase_add_test(tc, test_wordcount_bound);
    tcase_add_test(tc, test_bounded_vocabulary);
    suite_add_tcase(s, tc);
    return s;
}
