/* bayes.h - the naive Bayes member: binarized multinomial naive Bayes over word
 * n-grams (encoder.h's 64-bit feature hashes), fitted by one counting pass, whose
 * scaled log-probabilities are added to the network's logits. This is the
 * interpolation of Wang & Manning, "Baselines and Bigrams" (ACL 2012): n-gram
 * counts generalise where a short text gives attention little to work with.
 *
 * For class c, with n_c(f) the training documents of class c containing feature f,
 * T_c = sum_f n_c(f), V the features seen in training and N_c the documents of c:
 *   score_c(doc) = log((N_c + alpha) / (N + alpha C))
 *                + sum_{f in doc, f seen} log((n_c(f) + alpha) / (T_c + alpha V))
 * and the member adds weight * score_c to logit c. Features never seen in training
 * add nothing. Features are kept exactly (by 64-bit hash), not hashed into a few
 * buckets, which cost naive Bayes accuracy (README "Configuration", bayes). */
#ifndef ATTNCLF_BAYES_H
#define ATTNCLF_BAYES_H

#include <stdint.h>

#include "ckpt.h"
#include "dataset.h"
#include "status.h"

typedef struct BayesOptions {
    double weight;  /* >= 0; 0 = no member */
    int ngrams;     /* word 1..ngrams-grams */
    double alpha;   /* additive (Laplace) smoothing, > 0 */
    int min_count;  /* features in fewer training documents are left out (as unseen), >= 1 */
    int fit;        /* BAYES_FIT_*: the counts alone, or a logistic fit on top (bayes_lr.h) */
    double l2;      /* the logistic fit's penalty, >= 0 */
    int passes;     /* the logistic fit's passes over the training documents, >= 1 */
} BayesOptions;

enum { BAYES_FIT_COUNT = 0, BAYES_FIT_LOGISTIC = 1 };

typedef struct Bayes {
    BayesOptions o;
    int64_t n;       /* features seen in training */
    int classes;
    float weight;    /* o.weight, as the logits use it */
    uint64_t *keys;  /* [n] feature hashes, strictly ascending */
    float *prior;    /* [C] log((N_c + alpha) / (N + alpha C)), or a logistic fit's biases */
    float *logp;     /* [n,C] log-probability of each feature per class */
    int32_t *slot;   /* [mask+1] open-addressing index over keys: a key's position or -1 */
    uint64_t mask;
    /* A logistic fit's scale of each feature's log-probabilities, centred over
     * the classes (bayes_lr.h); NULL: the counts alone (all 1, uncentred). */
    float *u;        /* [n] */
    double lr_loss[2]; /* the logistic fit's objective before (u = 1) and after; not saved */
    /* A compact member (a quantized model's, bayes_compact) keeps, in place of
     * keys and logp, each feature's 32-bit fingerprint and its log-probabilities
     * relative to class 0 in int8 steps of `scale`. */
    int compact;
    uint32_t *fp;    /* [n] fingerprints, strictly ascending */
    int8_t *q;       /* [n,C-1] round((logp[f,c] - logp[f,0]) / scale), c = 1..C-1 */
    float scale;
    /* Saved as BAYS version 4 (bayes_pack.h): the same tables, exactly, in
     * about 7.5 bytes a feature; an exported model's member, and a training
     * run's (bayes_pack). pack [pack_n], when not NULL, holds the packed tables
     * as made once, which every save writes as they are. */
    int packed;
    unsigned char *pack;
    size_t pack_n;
} Bayes;

/* The largest table bayes_fit builds: features x classes floats (4 GiB). */
#define BAYES_MAX_CELLS ((int64_t)1 << 30)

/* Counts the features of ds's documents by their first label when it is
 * < classes. Fails when the table would exceed BAYES_MAX_CELLS. class_w
 * [classes] (train.class_weight resolved; NULL: all 1) weighs each class's
 * documents, in the prior and in the feature counts alike, as weighted samples
 * do in scikit-learn's MultinomialNB: with "balanced" on single-label data the
 * prior is uniform (the member counts a document by its first label only). */
int bayes_fit(Bayes *b, const Dataset *ds, int classes, const BayesOptions *o, const float *class_w, Status *st);
/* The same counts in pieces, added in document order (a mapped corpus lets go of
 * its pages between them): init, add each piece, finish into b, free. */
typedef struct BayesCount BayesCount;
BayesCount *bayes_count_init(int classes);
int bayes_count_add(BayesCount *k, const Dataset *ds, Status *st);
void bayes_count_finish(Bayes *b, const BayesCount *k, const BayesOptions *o, const float *class_w);
void bayes_count_free(BayesCount *k);
void bayes_free(Bayes *b);
/* The position of feature `key` among b's (not compact), or -1 when unseen. */
int64_t bayes_find(const Bayes *b, uint64_t key);
/* Section BAYS: f64 weight, u32 ngrams, f64 alpha, u64 n, then the feature
 * hashes [n] ascending, prior [C] and logp [n,C] (version 2), or with packed
 * (version 4) those tables as bayes_pack_put lays them out, or with u (version
 * 5, always packed) version 4's bytes then f32 u [n]. */
void bayes_save(const Bayes *b, CkptWriter *w);
/* Reads BAYS for `classes` labels. Format 1-3 files store only the tables; their
 * options come from the stored config (legacy, ignored for newer files). */
int bayes_load(Bayes *b, const CkptReader *r, int classes, const BayesOptions *legacy, Status *st);
/* logits [C] = weight * score(doc) for the document's nf distinct features
 * feat [nf] (overwritten); with u, score_c = prior_c + sum_f u_f (logp[f,c] -
 * mean over the classes of logp[f,.]). A compact member gives each feature's scores less
 * its class-0 score, which moves every logit of a document by the same amount
 * (softmax does not see it), within scale/2 per feature and class. */
void bayes_logits(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits);
/* Whether b is a member (fitted, loaded or compact). */
int bayes_present(const Bayes *b);
/* Makes b compact (in place), for a model to ship (u, if any, multiplied into
 * the relative log-probabilities): 32-bit fingerprints instead
 * of 64-bit hashes (of two features with one fingerprint the first stays; an
 * unseen feature finds a fingerprint with probability n / 2^32: IMDB's 4.7M
 * trigrams, 0.1%; SST-2's 0.2M, 0.005%) and int8 relative log-probabilities.
 * Saved as BAYS version 3: f64 weight, u32 ngrams, f64 alpha, u64 n, u32 low
 * bits l, u32 0, f32 scale, f32 prior [C], then the fingerprints Elias-Fano
 * coded (the high parts fp >> l in unary: bit (fp_i >> l) + i set of n + 2^(32-l)
 * bits, u64 words; the low l bits of each packed in u64 words), then q. */
void bayes_compact(Bayes *b);
/* Makes b save as BAYS version 4 and packs its tables now, once: a training run
 * writes one member into many checkpoints, and the packing is most of what
 * saving it costs. Nothing for a member that is absent or compact. */
void bayes_pack(Bayes *b);
/* Keeps the `keep` features (of a member not compact) that move the logits
 * most over the training documents: each feature's document count, read back
 * from its log-probabilities (n_c = alpha (exp(logp_c - min_f logp_c) - 1),
 * the least being a count of 0), times the spread of its log-probabilities
 * over the classes; ties to the lower hash. The others are dropped as unseen
 * (they add nothing); the kept ones keep their values, priors stay. A logistic
 * fit's |u_f| multiplies feature f's spread. */
void bayes_prune(Bayes *b, int64_t keep);

#endif
