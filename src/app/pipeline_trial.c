/* pipeline_trial.c - tune's trials (pipeline.h): the corpus read and tokenized
 * once, its folds, and a trial's classifier trained on them without files. */
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "bayes_lr.h"
#include "classweight.h"
#include "corpus.h"
#include "folds.h"
#include "pipeline.h"
#include "pipeline_impl.h"
#include "pretrained.h"

int pipeline_shared_init(PipelineShared *sh, const Config *cfg, Status *st)
{
    memset(sh, 0, sizeof *sh);
    sh->encoded_bayes = -1;
    encoder_init(&sh->proto.enc, &cfg->tokenizer.tok, &cfg->tokenizer.enc);
    CorpusFan fan;
    CorpusOptions co = pipeline_corpus(cfg, NULL, 0, &fan);
    co.keep_words = 1;
    if (cfg->tokenizer.stopwords && tokenizer_load_stopwords(&sh->proto.enc.tk, cfg->tokenizer.stopwords, st)) return -1;
    if (corpus_build(&co, &sh->proto.enc, &sh->proto.labels, &sh->words, st)) return -1;
    if (sh->words.train.n == 0)
        return status_error(st, "%s: no training documents left after the validation split", cfg->data.train);
    return 0;
}

void pipeline_shared_free(PipelineShared *sh)
{
    classifier_free(&sh->proto);
    corpus_free(&sh->words);
    if (sh->encoded_bayes >= 0) corpus_free(&sh->encoded);
    if (sh->fold) folds_free(&sh->fold_words);
    memset(sh, 0, sizeof *sh);
}

FitMetric pipeline_shared_metric(const PipelineShared *sh, const Config *cfg, FitMetric asked)
{
    if (asked != FIT_METRIC_AUTO) return asked;
    return fit_metric_resolve(cfg->train.fit.metric, pipeline_loss(cfg, &sh->words));
}

int pipeline_shared_fold(PipelineShared *sh, const Config *cfg, int fold)
{
    if (fold == sh->fold) return 0;
    TrainData next;
    if (fold && folds_make(&sh->words, sh->proto.labels.n, fold, cfg->train.fit.seed,
                           encoder_has_chars(&sh->proto.enc), &next))
        return -1;
    if (sh->fold) folds_free(&sh->fold_words);
    if (fold) sh->fold_words = next;
    sh->fold = fold;
    return 0;
}

/* The trial's encoder: the shared tokenizer and vocabulary (borrowed: the
 * trial's classifier must not free them) with the trial's n-gram settings. */
static void pipeline_trial_encoder(const Config *cfg, const PipelineShared *sh, Encoder *enc)
{
    *enc = sh->proto.enc;
    enc->o = cfg->tokenizer.enc;
    if (enc->o.ngrams <= 1) enc->o.buckets = 0;
    enc->bayes_ngrams = cfg->bayes.weight > 0 ? cfg->bayes.ngrams : 0;
}

int pipeline_trial(const Config *cfg, PipelineShared *sh, const FitObserver *obs, int n_obs, FitSummary *out,
                   Status *st)
{
    memset(out, 0, sizeof *out);
    Classifier c = {0};
    pipeline_trial_encoder(cfg, sh, &c.enc);
    c.labels = sh->proto.labels;
    const EncoderOptions *base = &sh->proto.enc.o;
    if (encoder_has_chars(&c.enc) && (c.enc.o.ngrams != base->ngrams || c.enc.o.buckets != base->buckets ||
                                      c.enc.o.char_min != base->char_min || c.enc.o.char_max != base->char_max))
        return status_error(st, "tune: a trial with tokenizer.char_ngrams cannot change the n-gram settings");
    if (sh->encoded_bayes != c.enc.bayes_ngrams || sh->encoded_as.ngrams != c.enc.o.ngrams ||
        sh->encoded_as.buckets != c.enc.o.buckets || sh->encoded_fold != sh->fold) {
        if (sh->encoded_bayes >= 0) corpus_free(&sh->encoded);
        corpus_reencode(sh->fold ? &sh->fold_words : &sh->words, &c.enc, &sh->encoded);
        sh->encoded_as = c.enc.o;
        sh->encoded_bayes = c.enc.bayes_ngrams;
        sh->encoded_fold = sh->fold;
    }
    pipeline_network(cfg, &sh->encoded, &c);
    PretrainedStats ps;
    int rc = cfg->model.pretrained ? pretrained_load(&c.net, &c.enc, cfg->model.pretrained, &ps, st) : 0;
    if (rc == 0 && cfg->bayes.weight > 0) {
        float *w;
        rc = classweight_resolve(&w, &cfg->train.class_weight, &c.labels, &sh->encoded.train, st);
        if (rc == 0) rc = bayes_fit(&c.bayes, &sh->encoded.train, (int)c.labels.n, &cfg->bayes, w, st);
        if (rc == 0 && cfg->bayes.fit == BAYES_FIT_LOGISTIC)
            rc = bayes_lr_fit(&c.bayes, &sh->encoded.train, cfg->train.fit.seed, w, st);
        free(w);
    }
    classifier_attach_bayes(&c);
    if (rc == 0) {
        Fit f;
        rc = pipeline_fit_init(&f, cfg, &c, &sh->encoded, st);
        for (int i = 0; i < n_obs; i++) fit_observe(&f, &obs[i]);
        if (rc == 0) rc = fit_run(&f, out, st);
        fit_free(&f);
    }
    model_free(&c.net);
    calibration_free(&c.cal);
    if (bayes_present(&c.bayes)) bayes_free(&c.bayes);
    return rc;
}
