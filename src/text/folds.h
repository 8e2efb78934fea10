/* folds.h - other training/validation splits of a tuning corpus, on which tune
 * (tune.h) runs its leading trials again before it chooses: the validation
 * split of one corpus is a few hundred documents, and the best of many trials
 * on it is mostly the luckiest there.
 *
 * Fold 0 is the corpus as read. Fold f >= 1 validates on the f-th block of the
 * training documents, taken in an order shuffled by the seed, each block as
 * many documents as the validation split has, and trains on the rest of them
 * and on the validation documents. The blocks of folds 1, 2, ... are disjoint
 * while the training documents last. A validation document with a label
 * training never saw stays in validation, where it counts as an error in
 * every fold alike. */
#ifndef ATTNCLF_FOLDS_H
#define ATTNCLF_FOLDS_H

#include <stdint.h>

#include "corpus.h"

/* Fold `fold` >= 1 of src (built with keep_words) into out, its documents as
 * words (words_train, words_valid) and, with `rows`, also as src's encoded rows
 * (train, valid: a corpus of character n-gram bags, whose letters the words do
 * not keep). `classes` is the number of training labels. Returns -1 (out
 * untouched) when src has no validation document with known labels or fewer
 * training documents than twice as many. */
int folds_make(const TrainData *src, int64_t classes, int fold, uint64_t seed, int rows, TrainData *out);
void folds_free(TrainData *fold);

#endif
