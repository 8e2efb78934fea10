/* classweight.h - train.class_weight: per-class weights of the loss (loss.h),
 * none, "balanced" (n / (classes * count_c), as scikit-learn's, with count_c the
 * training documents carrying label c) or given by label name (the others 1).
 * For a one-vs-all network the weight goes on the label's positives. */
#ifndef ATTNCLF_CLASSWEIGHT_H
#define ATTNCLF_CLASSWEIGHT_H

#include "dataset.h"
#include "status.h"
#include "vocab.h"

typedef enum { CLASS_WEIGHT_NONE = 0, CLASS_WEIGHT_BALANCED, CLASS_WEIGHT_GIVEN } ClassWeightMode;

typedef struct ClassWeightOptions {
    ClassWeightMode mode;
    int n;            /* GIVEN: how many labels are named */
    char **names;     /* [n] owned by whoever owns the options */
    double *weights;  /* [n] each finite and >= 0 */
} ClassWeightOptions;

/* w [C] for the C = labels->n classes of train (labels < C). Returns 0 with
 * *out NULL for NONE; otherwise *out is a malloc'd [C] the caller frees. A
 * named label that is not one of labels is an error that suggests the nearest
 * one. A class without training documents gets weight 1 under BALANCED. */
int classweight_resolve(float **out, const ClassWeightOptions *o, const Vocab *labels, const Dataset *train,
                        Status *st);

#endif
