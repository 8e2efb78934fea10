/* bayes_lr.h - the naive Bayes member made discriminative (bayes.fit "logistic"):
 * the NBSVM of Wang & Manning, "Baselines and Bigrams" (ACL 2012), with a
 * logistic loss, as Mesnil et al. (ICLR 2015 workshop) ran it on IMDB. Counting
 * gives each feature f its log-probabilities logp[f,c] (bayes.h); here a scale
 * u_f per feature and a bias b_c per class are learned so that
 *   score_c(doc) = b_c + sum_{f in doc, f seen} u_f (logp[f,c] - mean_c' logp[f,c'])
 * minimises the softmax cross-entropy over the training documents plus
 * (l2 / 2) sum_f u_f^2 (per document on average). With u = 1 and b = the
 * priors the scores are naive Bayes's (the centring moves every class alike).
 * For two classes the term is u_f r_f / 2 with r the log-count ratio: NBSVM's
 * features r_f x_f with weights u_f. A feature whose counts say little (r near
 * 0) costs as much to use as any other, so the count table acts as the prior
 * the regulariser pulls against: features the counts find telling are cheap.
 *
 * The fit is AdaGrad over the documents in a seeded order, one thread, so the
 * same seed gives the same bits on any machine with the same libm. */
#ifndef ATTNCLF_BAYES_LR_H
#define ATTNCLF_BAYES_LR_H

#include <stdint.h>

#include "bayes.h"
#include "dataset.h"
#include "status.h"

/* Fits b->u and replaces b->prior with the learned biases, over ds's documents
 * whose first label is < b->classes (b counted over the same documents:
 * bayes_count_finish), for b->o.passes passes with b->o.l2. class_w [classes]
 * (NULL: all 1) weighs each document's cross-entropy by its class. */
int bayes_lr_fit(Bayes *b, const Dataset *ds, uint64_t seed, const float *class_w, Status *st);
/* The objective at b's weights (u = 1 without a fit) over ds's documents: the
 * mean cross-entropy (each document's weighed by class_w [C] of its class; NULL:
 * 1) plus (l2 / 2) sum_f u_f^2 over the features they hold,
 * with its gradient into du [b->n] and dbias [C] (each NULL for none). The fit's
 * steps use the same per-document terms; this is their gradient check's end,
 * and the fit reports it before and after (b->lr_loss). */
double bayes_lr_loss(const Bayes *b, const Dataset *ds, const float *class_w, double *du, double *dbias);

#endif
