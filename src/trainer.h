/* trainer.h - one optimisation step over a batch, and evaluation, parallel over
 * documents with OpenMP. Everything is allocated by trainer_init; the step itself
 * never allocates.
 *
 * Reproducibility: each document's gradients go to its own slot (dense grads)
 * or its own token rows (embedding grads) and are then summed in document and
 * token order, so results are bit-identical for any thread count. */
#ifndef ATTNCLF_TRAINER_H
#define ATTNCLF_TRAINER_H

#include <stdint.h>

#include "config.h"
#include "dataset.h"
#include "model.h"
#include "optim.h"

typedef struct Trainer {
    Model *model;
    float dropout;
    float token_dropout;
    Adam adam;          /* moments in the model's layout */
    int threads;
    int batch_cap;
    int64_t tok_cap;    /* most tokens a batch can hold */
    DocScratch *scratch;  /* [threads] */
    float *doc_grad;    /* [batch_cap, n_dense] per-document dense gradients */
    float *dense_grad;  /* [n_dense] their sum */
    float *tok_grad;    /* [tok_cap, d] dL/demb per token position */
    int64_t *tok_off;   /* [batch_cap+1] */
    int32_t *tok_row;   /* [tok_cap] embedding row of each token the step kept */
    int32_t *doc_kept;  /* [batch_cap] tokens kept of each document (token dropout) */
    float *doc_loss;    /* [batch_cap] */
    int32_t *doc_pred;  /* [batch_cap] */
    int32_t *slot_of_row; /* [rows] slot of an embedding row in this batch, -1 */
    int32_t *slot_row;  /* [tok_cap] row of each slot */
    int32_t *tok_slot;  /* [tok_cap] slot of each token */
    float *row_grad;    /* [tok_cap, d] summed gradient per slot */
    double *slot_sq;    /* [tok_cap] squared norm per slot */
} Trainer;

/* max_len: the longest training document; tok_cap: trainer_batch_token_bound();
 * threads >= 1. */
void trainer_init(Trainer *t, Model *m, float dropout, float token_dropout, int batch_size, int64_t max_len,
                  int64_t tok_cap, int threads);
void trainer_free(Trainer *t);
/* Most tokens any batch of `batch` documents of ds can hold (the sum of the
 * batch longest documents). */
int64_t trainer_batch_token_bound(const Dataset *ds, int batch);

typedef struct StepResult {
    double loss_sum;   /* summed over the batch's documents */
    int64_t correct;
    double grad_norm;  /* before clipping */
    int finite;        /* 0 if the loss or the gradient is NaN/inf (no update was made) */
} StepResult;

/* One AdamW step on documents doc[0..B) of ds with learning rate lr. The Adam step
 * counter is incremented first. */
StepResult trainer_step(Trainer *t, const Dataset *ds, const int64_t *doc, int B,
                        const TrainConfig *tc, float lr, uint64_t step_seed);

#endif
