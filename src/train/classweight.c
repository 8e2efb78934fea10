/* classweight.c - see classweight.h. */
#include "classweight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "suggest.h"

static int classweight_unknown(const ClassWeightOptions *o, int i, const Vocab *labels, Status *st)
{
    const int64_t C = labels->n;
    const char **cands = xmalloc((size_t)(C > 0 ? C : 1) * sizeof *cands);
    for (int64_t c = 0; c < C; c++) cands[c] = labels->words[c];
    int near = suggest_nearest(o->names[i], cands, (int)C);
    char hint[600] = "";
    if (near >= 0) snprintf(hint, sizeof hint, " (did you mean \"%.500s\"?)", cands[near]);
    free(cands);
    return status_error(st, "train.class_weight: no label \"%s\" in the training data%s", o->names[i], hint);
}

int classweight_resolve(float **out, const ClassWeightOptions *o, const Vocab *labels, const Dataset *train,
                        Status *st)
{
    *out = NULL;
    if (o->mode == CLASS_WEIGHT_NONE) return 0;
    const int C = (int)labels->n;
    float *w = xmalloc((size_t)C * sizeof *w);
    for (int c = 0; c < C; c++) w[c] = 1.0f;
    if (o->mode == CLASS_WEIGHT_BALANCED) {
        int64_t *count = xcalloc((size_t)C, sizeof *count);
        for (int64_t j = 0; j < train->loff[train->n]; j++)
            if (train->lab[j] >= 0 && train->lab[j] < C) count[train->lab[j]]++;
        for (int c = 0; c < C; c++)
            if (count[c]) w[c] = (float)((double)train->n / ((double)C * (double)count[c]));
        free(count);
    } else {
        for (int i = 0; i < o->n; i++) {
            int64_t c = vocab_find(labels, o->names[i], strlen(o->names[i]));
            if (c < 0) {
                free(w);
                return classweight_unknown(o, i, labels, st);
            }
            w[c] = (float)o->weights[i];
        }
    }
    *out = w;
    return 0;
}
