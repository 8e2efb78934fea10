/* pipeline_ship.c - see pipeline.h: `attnclf quantize`, a small model put
 * together from a trained one. The steps, on a Ship that holds what they share:
 * the rows training touched; their scores (from the training data when the score
 * needs them); the cutoff; the kept rows quantized; a compact network whose rows
 * are the kept rows (decoded), which documents reach through remapped ids with
 * the other tokens left out, so validation and retraining see exactly what the
 * shipped model will; retraining; the vocabulary cut to the kept words; the file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "pipeline.h"
#include "threads.h"

QuantizeOptions pipeline_quantize_defaults(void)
{
    QuantizeOptions o = {.cutoff = 0, .score = QUANTIZE_MASS, .codec = EMBED_PQ, .pq = quant_pq_defaults(),
                         .epochs = 1, .bayes_cutoff = -1};
    o.pq.qnorm = 1;
    return o;
}

typedef struct Ship {
    const QuantizeOptions *o;
    QuantizeReport *rep;
    Classifier c;        /* the input, weights mapped */
    Config cfg;          /* its config, with o's data overrides */
    int threads;
    int64_t R;           /* c's embedding rows */
    int64_t dense_rows;  /* the first of them words and UNK (ModelDims.dense_rows) */
    int d;
    uint8_t *touched;    /* [R] rows training changed from their initial values */
    int have_data;
    TrainData data;      /* the run's training and validation parts, encoded by c's encoder */
    RowMap keep;         /* the rows kept, over c's rows */
    float *rows;         /* [kept,d] their values in the input model */
    Embed q;             /* the kept rows, quantized (EMBED_MISSING_SKIP over keep) */
    Classifier small;    /* c's encoder, labels and member (borrowed) with a compact network of the kept rows */
    TrainData sdata;     /* data's documents as the compact network's rows, other tokens left out */
} Ship;

static void ship_free(Ship *s)
{
    free(s->touched);
    if (s->have_data) corpus_free(&s->data);
    corpus_free(&s->sdata);
    rowmap_free(&s->keep);
    free(s->rows);
    embed_free(&s->q);
    model_free(&s->small.net);
    classifier_free(&s->c);
    config_free(&s->cfg);
}

/* Marks the rows whose values are not their initial ones (model_export's test);
 * an exported model's stored rows are those. Returns how many. */
static int64_t ship_touched(Ship *s)
{
    const Embed *e = &s->c.net.emb;
    int64_t n = 0;
    s->touched = xcalloc((size_t)s->R, 1);
    for (int64_t r = 0; r < s->R; r++) {
        if (e->mapped) s->touched[r] = (uint8_t)rowmap_has(&e->map, r);
        else
            s->touched[r] = !embed_row_is_initial(s->c.net.p.emb + r * s->d, r, s->d, s->cfg.train.fit.seed,
                                                  s->dense_rows - 1);
        n += s->touched[r];
    }
    return n;
}

/* key = path given on the command line as opt. */
static int ship_override(Config *cfg, const char *key, const char *path, const char *opt, Status *st)
{
    if (!path) return 0;
    char origin[4200];
    snprintf(origin, sizeof origin, "%s %s", opt, path);
    cJSON *v = cJSON_CreateString(path);
    char *quoted = cJSON_PrintUnformatted(v);
    int rc = config_assign(cfg, key, quoted, origin, st);
    free(quoted);
    cJSON_Delete(v);
    return rc;
}

/* The run's training and validation parts, as its config names them. */
static int ship_load_data(Ship *s, Status *st)
{
    if (ship_override(&s->cfg, "data.train", s->o->data, "--data", st) ||
        ship_override(&s->cfg, "data.valid", s->o->valid, "--valid", st) || config_check_inputs(&s->cfg, st)) {
        char msg[sizeof st->msg];
        snprintf(msg, sizeof msg, "%s", st->msg);
        return status_error(st, "%s (the training data named in the model's config; give --data FILE)", msg);
    }
    CorpusFan fan;
    CorpusOptions co = pipeline_corpus(&s->cfg, NULL, 0, &fan);
    if (corpus_reload(&co, &s->c.enc, &s->c.labels, &s->data, st)) return -1;
    s->have_data = 1;
    return 0;
}

/* score [R] by o->score; rows training never touched get NaN (ranked last). */
static void ship_scores(Ship *s, float *score)
{
    float *x = xmalloc((size_t)s->d * sizeof *x);
    double *use = NULL;
    if (s->o->score != QUANTIZE_NORM) {
        use = xcalloc((size_t)s->R, sizeof *use);
        const Dataset *ds = &s->data.train;
        if (s->o->score == QUANTIZE_FREQ)
            for (int64_t k = 0; k < ds->off[ds->n]; k++) use[ds->ids[k] < 0 ? ~ds->ids[k] : ds->ids[k]] += 1.0;
        else
            classifier_row_mass(&s->c, ds, s->threads, use);
    }
    for (int64_t r = 0; r < s->R; r++) {
        embed_row(&s->c.net.emb, r, x);
        const double nrm = quant_row_norm(x, s->d);
        double v = nrm;
        if (s->o->score == QUANTIZE_FREQ) v = nrm * log1p(use[r]);
        if (s->o->score == QUANTIZE_MASS) v = nrm * use[r];
        score[r] = s->touched[r] ? (float)v : NAN;
    }
    free(use);
    free(x);
}

/* The cutoff: keep and rows. */
static void ship_select(Ship *s, const float *score, int64_t touched)
{
    const int64_t n = s->o->cutoff > 0 && s->o->cutoff < touched ? s->o->cutoff : touched;
    int64_t *list = xmalloc((size_t)(s->R ? s->R : 1) * sizeof *list);
    int64_t k = quant_select(list, score, NULL, s->R, n);
    rowmap_init(&s->keep, s->R);
    for (int64_t i = 0; i < k; i++) rowmap_set(&s->keep, list[i]);
    rowmap_finish(&s->keep);
    s->rows = xmalloc((size_t)(k ? k : 1) * (size_t)s->d * sizeof *s->rows);
    for (int64_t i = 0; i < k; i++) embed_row(&s->c.net.emb, list[i], s->rows + i * s->d);
    free(list);
}

/* s->q = rows [n,d] in o's codec (the map and rows come later). */
static int ship_encode(Ship *s, const float *rows, int64_t n, Status *st)
{
    embed_free(&s->q);
    embed_init_plain(&s->q, NULL, s->R, s->d);
    s->q.missing = EMBED_MISSING_SKIP;
    int rc = 0;
    if (s->o->codec == EMBED_PQ) {
        QuantPQOpts po = s->o->pq;
        if (po.dsub > s->d) po.dsub = s->d;
        rc = quant_pq_build(&s->q.pq, rows, n, s->d, &po, st);
    } else if (s->o->codec == EMBED_I8) {
        rc = quant_i8_build(&s->q.i8, rows, n, s->d, st);
    }
    if (rc == 0) s->q.codec = s->o->codec;
    return rc;
}

/* The compact network's rows: the quantized ones, decoded. */
static void ship_decode_into(Ship *s)
{
    Model *m = &s->small.net;
    for (int64_t k = 0; k < s->keep.stored; k++) {
        if (s->q.codec == EMBED_F32) memcpy(m->p.emb + k * s->d, s->rows + k * s->d, (size_t)s->d * sizeof(float));
        else embed_stored_row(&s->q, k, m->p.emb + k * s->d);
    }
}

/* A network of c's dense weights with one row per kept row. */
static void ship_compact(Ship *s)
{
    const Model *src = &s->c.net;
    ModelDims D = src->dims;
    D.rows = s->keep.stored > 0 ? s->keep.stored : 1;
    /* The kept words and UNK come first, as in c: the encoder tells n-gram rows by it. */
    D.dense_rows = 0;
    for (int64_t r = 0; r < s->dense_rows; r++) D.dense_rows += rowmap_has(&s->keep, r);
    Classifier *sm = &s->small;
    *sm = s->c; /* encoder, labels and member borrowed */
    sm->mapped = NULL;
    model_init(&sm->net, &D);
    memcpy(sm->net.params, src->params, (size_t)src->n_dense * sizeof(float));
    ship_decode_into(s);
}

/* dst = src with every row as its compact row and rows not kept left out of
 * their bags, a bag of none left out (as embed_gather leaves them out). */
static void ship_remap(Dataset *dst, const Dataset *src, const RowMap *keep)
{
    dataset_init(dst);
    int32_t *ids = xmalloc((size_t)(src->max_len > 0 ? src->max_len : 1) * sizeof *ids);
    for (int64_t i = 0; i < src->n; i++) {
        int64_t n = 0;
        int open = 0;
        for (int64_t k = src->off[i]; k < src->off[i + 1]; k++) {
            const int32_t id = src->ids[k];
            if (id >= 0) open = 0;
            int64_t j = rowmap_index(keep, id < 0 ? ~id : id);
            if (j < 0) continue;
            ids[n++] = open ? ~(int32_t)j : (int32_t)j;
            open = 1;
        }
        dataset_append(dst, ids, n, src->feat + src->foff[i], src->foff[i + 1] - src->foff[i], src->lab + src->loff[i],
                       src->loff[i + 1] - src->loff[i]);
        if (src->w) dataset_set_weight(dst, src->w[i]);
    }
    free(ids);
}

static double ship_accuracy(const Classifier *c, const Dataset *ds, int threads)
{
    if (ds->n == 0) return -1.0;
    int32_t *pred = xmalloc((size_t)ds->n * sizeof *pred);
    classifier_score_dataset(c, ds, threads, pred);
    int64_t ok = 0;
    /* A hit when the top class is one of the document's labels (P@1 for label sets). */
    for (int64_t i = 0; i < ds->n; i++)
        for (int64_t k = ds->loff[i]; k < ds->loff[i + 1]; k++)
            if (pred[i] == ds->lab[k]) {
                ok++;
                break;
            }
    free(pred);
    return (double)ok / (double)ds->n;
}

/* o->epochs of training of the compact network on the training part; with
 * retrain 2 the rows learn too and are quantized again afterwards. */
static int ship_retrain(Ship *s, const FitObserver *obs, int n_obs, Status *st)
{
    const int rows_too = s->o->retrain == 2;
    if (rows_too) /* from the unquantized rows */
        memcpy(s->small.net.p.emb, s->rows, (size_t)(s->keep.stored * s->d) * sizeof(float));
    FitOptions fo = s->cfg.train.fit;
    fo.epochs = s->o->epochs;
    fo.patience = 0;
    StepOptions so = s->cfg.train.step;
    so.threads = s->threads;
    so.freeze_rows = !rows_too;
    AdamOptions ao = s->cfg.train.adam;
    if (s->o->lr > 0) ao.lr = s->o->lr;
    Fit f;
    fit_init(&f, &s->small, &s->sdata, &fo, &ao, &so);
    for (int i = 0; i < n_obs; i++) fit_observe(&f, &obs[i]);
    FitSummary sum;
    int rc = fit_run(&f, &sum, st);
    fit_free(&f);
    /* Validation refitted the calibration in the arrays both share; its scalars too. */
    s->c.cal = s->small.cal;
    if (rc || !rows_too) return rc;
    memcpy(s->rows, s->small.net.p.emb, (size_t)(s->keep.stored * s->d) * sizeof(float));
    if (ship_encode(s, s->rows, s->keep.stored, st)) return -1;
    ship_decode_into(s);
    return 0;
}

/* Words whose rows were not kept leave the vocabulary (they become UNK, which
 * is skipped as their rows would be), so the rows are renumbered; q's map is
 * rebuilt over the new rows. When UNK itself is kept, a dropped word cannot
 * become UNK: the vocabulary stays whole and its rows are skipped through the map. */
static void ship_prune_vocab(Ship *s)
{
    Vocab *v = &s->c.enc.vocab;
    const int64_t V = v->n, unk = encoder_unk_row(&s->c.enc);
    int64_t *remap = xmalloc((size_t)(V ? V : 1) * sizeof *remap), V2 = V;
    if (!rowmap_has(&s->keep, unk)) {
        uint8_t *kw = xmalloc((size_t)(V ? V : 1));
        for (int64_t w = 0; w < V; w++) kw[w] = (uint8_t)rowmap_has(&s->keep, w);
        vocab_filter(v, kw, remap);
        free(kw);
        V2 = v->n;
    } else {
        for (int64_t w = 0; w < V; w++) remap[w] = w;
    }
    const int64_t R2 = s->R - (V - V2);
    RowMap m;
    rowmap_init(&m, R2);
    for (int64_t r = 0; r < s->R; r++)
        if (rowmap_has(&s->keep, r)) rowmap_set(&m, r < V ? remap[r] : r - (V - V2));
    rowmap_finish(&m);
    free(remap);
    s->q.rows = R2;
    s->q.map = m;
    s->q.mapped = 1;
    s->q.missing = EMBED_MISSING_SKIP;
}

static int ship_write(Ship *s, const char *out, Status *st)
{
    Classifier ship = s->c; /* the pruned encoder, labels and member, borrowed */
    model_ship(&ship.net, &s->small.net, &s->q, s->q.codec == EMBED_F32 ? s->small.net.p.emb : NULL,
               s->dense_rows - (s->R - s->q.rows));
    CkptWriter w;
    ckpt_writer_init(&w);
    CkptSection conf;
    char *json = ckpt_find(s->c.mapped, "CONF", &conf) ? xstrndup((const char *)conf.p, (size_t)conf.n)
                                                       : config_to_json(&s->cfg);
    ckpt_put(ckpt_section(&w, "CONF", 1), json, strlen(json));
    free(json);
    classifier_save(&ship, &w);
    int rc = ckpt_write(&w, out, st);
    ckpt_writer_free(&w);
    model_free(&ship.net);
    struct stat sb;
    if (rc == 0 && stat(out, &sb) == 0) s->rep->bytes = (int64_t)sb.st_size;
    return rc;
}

static int ship_check(const QuantizeOptions *o, Status *st)
{
    if (o->codec == EMBED_PQ && ((o->pq.bits != 8 && o->pq.bits != 4) || o->pq.dsub < 1))
        return status_usage(st, "quantize: --bits is 8 or 4 and --dsub at least 1");
    if (o->retrain < 0 || o->retrain > 2 || o->epochs < 1 || !(o->lr >= 0) || !isfinite(o->lr))
        return status_usage(st, "quantize: bad retraining options");
    return 0;
}

/* Steps up to the quantized rows and the compact network. */
static int ship_build(Ship *s, Status *st)
{
    const QuantizeOptions *o = s->o;
    QuantizeReport *rep = s->rep;
    const int64_t touched = ship_touched(s);
    rep->rows = s->R;
    rep->touched = touched;
    rep->words = s->c.enc.vocab.n;
    const int needs_data = o->score != QUANTIZE_NORM || o->retrain || o->validate;
    if (needs_data && ship_load_data(s, st)) return -1;
    if (s->have_data) {
        rep->valid_n = s->data.valid.n;
        rep->valid_full = ship_accuracy(&s->c, &s->data.valid, s->threads);
    }
    /* The member ships compact (and cut); everything validated from here on sees it so. */
    if (classifier_bayes(&s->c)) {
        bayes_prune(&s->c.bayes, o->bayes_cutoff);
        bayes_compact(&s->c.bayes);
    }
    float *score = xmalloc((size_t)s->R * sizeof *score);
    ship_scores(s, score);
    ship_select(s, score, touched);
    free(score);
    rep->kept = s->keep.stored;
    if (s->keep.stored == 0) return status_error(st, "quantize: no embedding row was ever trained");
    if (ship_encode(s, s->rows, s->keep.stored, st)) return -1;
    ship_compact(s);
    if (s->have_data) {
        corpus_free(&s->sdata);
        memset(&s->sdata, 0, sizeof s->sdata);
        ship_remap(&s->sdata.train, &s->data.train, &s->keep);
        ship_remap(&s->sdata.valid, &s->data.valid, &s->keep);
        s->sdata.train_stats = s->data.train_stats;
        s->sdata.valid_stats = s->data.valid_stats;
        rep->valid_quant = ship_accuracy(&s->small, &s->sdata.valid, s->threads);
    }
    return 0;
}

int pipeline_quantize(const char *path, const char *out, const QuantizeOptions *o, const FitObserver *obs, int n_obs,
                      QuantizeReport *rep, Status *st)
{
    *rep = (QuantizeReport){.valid_full = -1.0, .valid_quant = -1.0, .valid_retrained = -1.0};
    if (ship_check(o, st)) return -1;
    Ship s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.rep = rep;
    if (pipeline_load(path, &s.c, &s.cfg, st)) {
        config_free(&s.cfg);
        return -1;
    }
    vocab_init(&s.sdata.unknown_valid);
    /* validated.ckpt holds the same config as the refitted files but not their weights. */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    rep->valid_refit = s.cfg.train.refit && !s.cfg.data.valid && !o->valid && strcmp(base, "validated.ckpt") != 0;
    s.R = s.c.net.dims.rows;
    s.dense_rows = s.c.net.dims.dense_rows;
    s.d = s.c.net.dims.dim;
    s.threads = threads_resolve(o->threads ? o->threads : s.cfg.train.step.threads);
    int rc = 0;
    /* An export's rows (floats or int8 moves, decoded at load) are quantized like a checkpoint's. */
    const EmbedCodec in = s.c.net.emb.codec;
    if ((in != EMBED_F32 && in != EMBED_I8D) || (s.c.net.emb.mapped && s.c.net.emb.missing != EMBED_MISSING_INIT))
        rc = status_error(st, "%s: is a quantized model already; quantize its checkpoint (best.ckpt) or model.bin",
                          path);
    if (rc == 0) rc = ship_build(&s, st);
    if (rc == 0 && o->retrain) {
        rc = ship_retrain(&s, obs, n_obs, st);
        if (rc == 0) rep->valid_retrained = ship_accuracy(&s.small, &s.sdata.valid, s.threads);
    }
    if (rc == 0) {
        ship_prune_vocab(&s);
        rep->words_kept = s.c.enc.vocab.n;
        rc = ship_write(&s, out, st);
    }
    ship_free(&s);
    return rc;
}
