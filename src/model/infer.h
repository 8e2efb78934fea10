/* infer.h - predictions over a whole dataset, parallel over documents. */
#ifndef ATTNCLF_INFER_H
#define ATTNCLF_INFER_H

#include <stdint.h>

#include "bayes.h"
#include "dataset.h"
#include "model.h"

/* pred [ds->n] gets each document's arg-max class; bayes (NULL for none) adds its
 * member's scores from the documents' features. Returns the summed loss over
 * documents whose label is a training class (< C); the others add nothing.
 * Sums are taken in document order, so the result does not depend on threads. */
double infer_dataset(const Model *m, const Bayes *bayes, const Dataset *ds, int threads, int32_t *pred);

#endif
