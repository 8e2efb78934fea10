/* classifier.c - see classifier.h. */
#include "classifier.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "threads.h"

void classifier_free(Classifier *c)
{
    encoder_free(&c->enc);
    vocab_free(&c->labels);
    model_free(&c->net);
    if (bayes_present(&c->bayes)) bayes_free(&c->bayes);
    calibration_free(&c->cal);
    if (c->mapped) {
        ckpt_close(c->mapped);
        free(c->mapped);
    }
    memset(c, 0, sizeof *c);
}

const Bayes *classifier_bayes(const Classifier *c)
{
    return bayes_present(&c->bayes) ? &c->bayes : NULL;
}

void classifier_attach_bayes(Classifier *c)
{
    c->enc.bayes_ngrams = bayes_present(&c->bayes) ? c->bayes.o.ngrams : 0;
}

void classifier_scratch_init(ClassifierScratch *s, const Classifier *c)
{
    encodebuf_init(&s->enc);
    docscratch_init(&s->doc, &c->net.dims, 64);
    s->member = xcalloc((size_t)c->net.dims.classes, sizeof *s->member);
    s->y = xcalloc((size_t)c->net.dims.classes, sizeof *s->y);
    s->raw = 0;
}

void classifier_scratch_free(ClassifierScratch *s)
{
    encodebuf_free(&s->enc);
    docscratch_free(&s->doc);
    free(s->member);
    free(s->y);
    memset(s, 0, sizeof *s);
}

float classifier_score(const Classifier *c, const int32_t *ids, int T, const uint64_t *feat, int64_t nf,
                       const int32_t *y, int ny, ClassifierScratch *s)
{
    docscratch_reserve(&s->doc, &c->net.dims, T);
    const Bayes *nb = classifier_bayes(c);
    if (nb) bayes_logits(nb, feat, nf, s->member);
    const int C = c->net.dims.classes;
    int known = 0;
    for (int k = 0; k < ny && known < C; k++)
        if (y[k] >= 0 && y[k] < C) s->y[known++] = y[k];
    float loss = model_forward(&c->net, ids, T, nb ? s->member : NULL, s->y, known, 0.0f, 0, &s->doc);
    if (!s->raw) calibration_apply(&c->cal, s->doc.probs, s->doc.logits, nb ? s->member : NULL);
    return loss;
}

float classifier_threshold(const Classifier *c, int label, int per_label)
{
    return per_label ? c->cal.thr[label] : c->cal.threshold;
}

void classifier_score_text(const Classifier *c, const char *text, size_t len, ClassifierScratch *s)
{
    encoder_encode(&c->enc, text, len, &s->enc);
    classifier_score(c, s->enc.ids, (int)s->enc.n, s->enc.feat, s->enc.n_feat, NULL, 0, s);
}

static void classifier_pool_init(void *item, const void *arg)
{
    classifier_scratch_init(item, arg);
}

static void classifier_pool_free(void *item)
{
    classifier_scratch_free(item);
}

void classifier_score_losses(const Classifier *c, const Dataset *ds, int threads, int raw, int32_t *pred,
                             float *logits, float *probs, float *loss)
{
    const int C = c->net.dims.classes;
    ThreadsPool pool;
    threads_pool_init(&pool, threads, sizeof(ClassifierScratch), classifier_pool_init, c, classifier_pool_free);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (int64_t i = 0; i < ds->n; i++) {
        ClassifierScratch *s = threads_pool_mine(&pool);
        const int64_t f0 = ds->foff[i], l0 = ds->loff[i];
        s->raw = raw;
        loss[i] = classifier_score(c, ds->ids + ds->off[i], (int)(ds->off[i + 1] - ds->off[i]), ds->feat + f0,
                                   ds->foff[i + 1] - f0, ds->lab + l0, (int)(ds->loff[i + 1] - l0), s);
        if (pred) pred[i] = model_argmax(s->doc.probs, C);
        if (logits) memcpy(logits + (size_t)i * C, s->doc.logits, (size_t)C * sizeof *logits);
        if (probs) memcpy(probs + (size_t)i * C, s->doc.probs, (size_t)C * sizeof *probs);
    }
    threads_pool_free(&pool);
}

double classifier_score_dataset(const Classifier *c, const Dataset *ds, int threads, int32_t *pred)
{
    return classifier_score_matrix(c, ds, threads, 0, pred, NULL, NULL);
}

double classifier_score_matrix(const Classifier *c, const Dataset *ds, int threads, int raw, int32_t *pred,
                               float *logits, float *probs)
{
    float *loss = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *loss);
    classifier_score_losses(c, ds, threads, raw, pred, logits, probs, loss);
    double sum = 0.0;
    for (int64_t i = 0; i < ds->n; i++) sum += loss[i];
    free(loss);
    return sum;
}

/* Documents scored at once by classifier_row_mass: their weights wait in a
 * buffer until they are added in order. */
#define CLASSIFIER_MASS_CHUNK 1024

void classifier_row_mass(const Classifier *c, const Dataset *ds, int threads, double *mass)
{
    const int H = c->net.dims.heads;
    ThreadsPool pool;
    threads_pool_init(&pool, threads, sizeof(ClassifierScratch), classifier_pool_init, c, classifier_pool_free);
    float *w = NULL;
    int64_t cap = 0;
    for (int64_t i0 = 0; i0 < ds->n; i0 += CLASSIFIER_MASS_CHUNK) {
        const int64_t i1 = i0 + CLASSIFIER_MASS_CHUNK < ds->n ? i0 + CLASSIFIER_MASS_CHUNK : ds->n;
        const int64_t base = ds->off[i0], ntok = ds->off[i1] - base;
        if (ntok > cap) {
            cap = 2 * ntok;
            w = xrealloc(w, (size_t)cap * sizeof *w);
        }
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
        for (int64_t i = i0; i < i1; i++) {
            ClassifierScratch *s = threads_pool_mine(&pool);
            const int32_t *ids = ds->ids + ds->off[i];
            const int n = (int)(ds->off[i + 1] - ds->off[i]);
            classifier_score(c, ids, n, ds->feat + ds->foff[i], ds->foff[i + 1] - ds->foff[i], NULL, 0, s);
            /* Position t's weight, shared among the rows of its bag as the mean shares it. */
            const int T = s->doc.T;
            for (int j = 0, t = 0; j < n; t++) {
                int k = j + 1;
                while (k < n && ids[k] < 0) k++;
                float a = 0.0f;
                for (int h = 0; h < H; h++) a += s->doc.alpha[(size_t)h * T + t];
                for (int q = j; q < k; q++) w[ds->off[i] - base + q] = a / (float)H / (float)(k - j);
                j = k;
            }
        }
        for (int64_t k = 0; k < ntok; k++) {
            const int32_t id = ds->ids[base + k];
            mass[id < 0 ? ~id : id] += w[k];
        }
    }
    free(w);
    threads_pool_free(&pool);
}

void classifier_save(const Classifier *c, CkptWriter *w)
{
    /* A shipped model (embed.h) never builds a vocabulary: no counts. */
    const int shipped = !embed_is_plain(&c->net.emb);
    encoder_save(&c->enc, w, shipped);
    vocab_save(&c->labels, w, "LABL", shipped);
    model_save(&c->net, w);
    if (classifier_bayes(c)) bayes_save(&c->bayes, w);
    calibration_save(&c->cal, w);
}

int classifier_load(Classifier *c, CkptReader *r, int map, const BayesOptions *legacy_bayes, Status *st)
{
    memset(c, 0, sizeof *c);
    vocab_init(&c->labels);
    int rc = encoder_load(&c->enc, r, st);
    if (rc == 0) rc = vocab_load(&c->labels, r, "LABL", st);
    if (rc == 0 && c->labels.n < 2) rc = ckpt_damaged(r, st, "fewer than two labels");
    if (rc == 0) rc = model_load(&c->net, r, map, st);
    /* The parts must fit together: the network has a row per encoder row and an
     * output per label. */
    if (rc == 0 && (c->net.dims.rows != encoder_rows(&c->enc) || c->net.dims.classes != c->labels.n))
        rc = ckpt_damaged(r, st, "the network's %lld rows and %d classes do not fit the vocabulary and labels",
                          (long long)c->net.dims.rows, c->net.dims.classes);
    /* Format 1-3 files hold a BAYS section exactly when their config asks for a member. */
    CkptSection sec;
    int has_bayes = r->version >= 4 ? ckpt_find(r, "BAYS", &sec) : legacy_bayes != NULL;
    if (rc == 0 && r->version < 4 && !legacy_bayes && ckpt_find(r, "BAYS", &sec))
        rc = ckpt_damaged(r, st, "a BAYS section its config does not ask for");
    if (rc == 0 && has_bayes)
        rc = bayes_load(&c->bayes, r, (int)c->labels.n, legacy_bayes, st);
    if (rc == 0) {
        calibration_init(&c->cal, (int)c->labels.n);
        rc = calibration_load(&c->cal, r, (int)c->labels.n, st);
    }
    classifier_attach_bayes(c);
    if (rc == 0 && map) c->mapped = r;
    if (rc) {
        if (map) c->mapped = NULL;
        classifier_free(c);
    }
    return rc;
}
