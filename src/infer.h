/* infer.h - predictions over a whole dataset, parallel over documents. */
#ifndef ATTNCLF_INFER_H
#define ATTNCLF_INFER_H

#include <stdint.h>

#include "dataset.h"
#include "model.h"

/* pred [ds->n] gets each document's arg-max class. Returns the summed loss over
 * documents whose label is a training class (< C); the others add nothing.
 * Sums are taken in document order, so the result does not depend on threads. */
double infer_dataset(const Model *m, const Dataset *ds, int threads, int32_t *pred);

#endif
