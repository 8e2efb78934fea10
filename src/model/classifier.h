/* classifier.h - a trained classifier: the encoder (tokenizer, vocabulary,
 * n-grams), the label set, the network, an optional naive Bayes member and the
 * calibration of its probabilities, and the one way to score a document with them. Validation, eval, predict and the
 * explanations all score through classifier_score, so they cannot disagree.
 * Saving writes each part's own sections; a checkpoint of a training run adds
 * the training state and the Adam moments beside them (fit.h). */
#ifndef ATTNCLF_CLASSIFIER_H
#define ATTNCLF_CLASSIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "bayes.h"
#include "calibration.h"
#include "ckpt.h"
#include "dataset.h"
#include "encoder.h"
#include "model.h"
#include "status.h"
#include "vocab.h"

typedef struct Classifier {
    Encoder enc;         /* text -> embedding rows (and naive Bayes features) */
    Vocab labels;        /* class names in id order */
    Model net;
    Bayes bayes;         /* bayes.logp == NULL: no member */
    Calibration cal;     /* probabilities and thresholds fitted on the validation split (cal.fitted) */
    CkptReader *mapped;  /* the checkpoint net's weights are mapped from (owned), or NULL */
} Classifier;

void classifier_free(Classifier *c);
/* The member, or NULL without one. */
const Bayes *classifier_bayes(const Classifier *c);
/* Makes the encoder emit the member's features (after bayes_fit or load). */
void classifier_attach_bayes(Classifier *c);

/* What one thread needs to score documents. */
typedef struct ClassifierScratch {
    EncodeBuf enc;    /* the last text scored, tokenized and encoded */
    DocScratch doc;   /* attention weights, logits, probs of the last document */
    float *member;    /* [C] what the naive Bayes member added to each logit */
    int32_t *y;       /* [C] the targets the network knows */
    int raw;          /* 1: the network's probabilities, without c->cal */
} ClassifierScratch;

void classifier_scratch_init(ClassifierScratch *s, const Classifier *c);
void classifier_scratch_free(ClassifierScratch *s);

/* Scores one encoded document: the network's logits plus the member's, then
 * probabilities (calibrated by c->cal unless s->raw), into s->doc (and
 * s->member). Returns the network's loss of the targets y [ny] (labels >= C,
 * never seen in training, are not targets). */
float classifier_score(const Classifier *c, const int32_t *ids, int T, const uint64_t *feat, int64_t nf,
                       const int32_t *y, int ny, ClassifierScratch *s);
/* Tokenizes and encodes text into s->enc, then scores it. */
void classifier_score_text(const Classifier *c, const char *text, size_t len, ClassifierScratch *s);
/* Scores every document of ds on `threads` threads: pred [ds->n] gets the
 * arg-max class; returns the summed loss, in document order (so the result does
 * not depend on threads). */
double classifier_score_dataset(const Classifier *c, const Dataset *ds, int threads, int32_t *pred);
/* The same with every document's logits [n,C] and probabilities [n,C]
 * (calibrated unless raw); pred, logits and probs may each be NULL. */
double classifier_score_matrix(const Classifier *c, const Dataset *ds, int threads, int raw, int32_t *pred,
                               float *logits, float *probs);
/* Label c is predicted for probs [C] when probs[c] >= its threshold: the
 * calibration's per-label thresholds (per_label) or its global one. */
float classifier_threshold(const Classifier *c, int label, int per_label);
/* The same for a caller that sums a dataset piece by piece: each document's
 * loss in loss [ds->n] (and as asked its prediction, logits and probabilities). */
void classifier_score_losses(const Classifier *c, const Dataset *ds, int threads, int raw, int32_t *pred,
                             float *logits, float *probs, float *loss);

/* mass [rows] += each row's attention weight (the mean over heads of its
 * position's, shared equally among the rows of the position's bag) summed over
 * ds's documents, as classifier_score gives it; the sums run in document order, so
 * the result does not depend on threads. */
void classifier_row_mass(const Classifier *c, const Dataset *ds, int threads, double *mass);

/* The encoder's, labels' (LABL), network's, member's and calibration's sections. */
void classifier_save(const Classifier *c, CkptWriter *w);
/* Reads them from r. With map, the network's weights stay in r's mapping and c
 * takes ownership of r (closing it in classifier_free); otherwise r stays the
 * caller's. legacy_bayes: the member's options for format 1-3 files, NULL when
 * their stored config has none. */
int classifier_load(Classifier *c, CkptReader *r, int map, const BayesOptions *legacy_bayes, Status *st);

#endif
