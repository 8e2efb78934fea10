/* fuzz_ckpt.c - loading a checkpoint over arbitrary file contents, as eval and
 * predict do (pipeline_load: the stored config and the classifier, its weights
 * mapped) and as resume does (the classifier copied, the training state and the
 * Adam moments). The XXH64 checksum at the end rejects almost every mutation
 * before the sections are parsed, so each input is loaded twice: as it is, then
 * with the size field (offset 16) and the checksum patched to match, which takes
 * the mutated body to the parsers. A checkpoint that loads must be usable: its
 * network is sized for its encoder and labels, and encoding and classifying a
 * document (what predict does) stays in bounds. Exported and quantized models
 * (their EMBD, RMAP and QEMB sections, the compact vocabulary and naive Bayes
 * member) load through the same path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "classifier.h"
#include "fit.h"
#include "fuzz_common.h"
#include "hash.h"
#include "pipeline.h"

#define FUZZ_CKPT_SIZE_AT 16
#define FUZZ_CKPT_HEADER 32 /* magic, version, flags or byte order, size, and the checksum */

static const char fuzz_ckpt_doc[] =
    "The <b>quick</b> brown fox &amp; the lazy dog don't jump: 3.5 U.S. 北京 ok!";

/* A shipped model's embedding (embed.h): its map covers the rows, and every row
 * decodes (stored, rebuilt from the seed, or skipped). */
static void fuzz_ckpt_rows(const Model *m)
{
    const Embed *e = &m->emb;
    if (e->rows != m->dims.rows || e->dim != m->dims.dim || embed_stored(e) > e->rows) abort();
    if (e->mapped && e->map.rows != e->rows) abort();
    if (e->codec == EMBED_F32 && m->emb_rows != embed_stored(e)) abort();
    if (embed_is_plain(e)) return;
    float *x = malloc((size_t)e->dim * sizeof *x);
    if (!x) abort();
    for (int64_t r = 0; r < e->rows; r++) {
        int rc = embed_row(e, r, x);
        if (rc != 0 && (rc != -1 || embed_index(e, r) >= 0 || e->missing != EMBED_MISSING_SKIP)) abort();
    }
    free(x);
}

static void fuzz_ckpt_use(const Classifier *c)
{
    const Model *m = &c->net;
    if (m->dims.rows != encoder_rows(&c->enc) || m->dims.classes != c->labels.n || c->labels.n < 2) abort();
    fuzz_ckpt_rows(m);
    const Bayes *nb = classifier_bayes(c);
    if (nb && (nb->classes != c->labels.n || c->enc.bayes_ngrams != nb->o.ngrams)) abort();
    ClassifierScratch s;
    classifier_scratch_init(&s, c);
    classifier_score_text(c, fuzz_ckpt_doc, sizeof fuzz_ckpt_doc - 1, &s);
    /* Bags (encoder.h): ~row adds a row to the position before, so the first id starts one. */
    for (int64_t i = 0; i < s.enc.n; i++) {
        const int32_t id = s.enc.ids[i], row = id < 0 ? ~id : id;
        if ((i == 0 && id < 0) || row >= m->dims.rows) abort();
    }
    int best = model_argmax(s.doc.probs, m->dims.classes);
    if (best < 0 || best >= m->dims.classes) abort();
    classifier_scratch_free(&s);
}

static void fuzz_ckpt_load(const char *path)
{
    Classifier c;
    Config cfg;
    Status st;
    int rc = pipeline_load(path, &c, &cfg, &st);
    config_free(&cfg);
    if (rc != 0) {
        fuzz_check_failed_status(rc, st.code, st.msg);
        return;
    }
    fuzz_ckpt_use(&c);
    classifier_free(&c);
}

static void fuzz_ckpt_resume(const char *path)
{
    CkptReader r;
    Status st;
    if (ckpt_open(&r, path, &st)) {
        fuzz_check_failed_status(-1, st.code, st.msg);
        return;
    }
    Classifier c;
    TrainState ts;
    Adam adam = {0};
    int rc = classifier_load(&c, &r, 0, NULL, &st), loaded = rc == 0;
    if (rc == 0) rc = fit_load_state(&ts, &r, &st);
    if (rc == 0) rc = adam_load(&adam, &r, &c.net, &st);
    fuzz_check_failed_status(rc, st.code, st.msg);
    if (rc == 0 && (ts.epoch < 0 || ts.batch < 0 || ts.step < 0 || adam.n != c.net.n_params)) abort();
    if (loaded) classifier_free(&c);
    adam_free(&adam);
    ckpt_close(&r);
}

static FuzzTmp fuzz_ckpt_tmp;

int fuzz_ckpt_one(const uint8_t *data, size_t size)
{
    fuzz_ckpt_load(fuzz_tmp_write(&fuzz_ckpt_tmp, "ckpt", data, size));
    if (size < FUZZ_CKPT_HEADER) return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed) abort();
    memcpy(fixed, data, size);
    uint64_t n = size;
    memcpy(fixed + FUZZ_CKPT_SIZE_AT, &n, 8);
    uint64_t sum = hash_bytes(fixed, size - 8);
    memcpy(fixed + size - 8, &sum, 8);
    const char *path = fuzz_tmp_write(&fuzz_ckpt_tmp, "ckpt", fixed, size);
    fuzz_ckpt_load(path);
    fuzz_ckpt_resume(path);
    free(fixed);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
static void fuzz_ckpt_cleanup(void)
{
    fuzz_tmp_remove(&fuzz_ckpt_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_ckpt_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ckpt_one(data, size);
}
#endif
