/* step.h - optimisation steps over batches, parallel over documents with
 * OpenMP and, in a run over several processes (dist.h), over processes: each
 * takes a share of every batch (the same batches as one process would take)
 * and their gradients are combined by diststep.h before the same update on
 * every process. Everything is allocated by step_init; the step itself
 * never allocates.
 *
 * Reproducibility: each document's gradients go to its own slot (dense grads)
 * or its own token rows (embedding grads) and are then summed in document and
 * token order, and the gradient norm in token order (the dense part in fixed
 * chunks, stepsum.h), so results are bit-identical for any thread count. With
 * the self-attention encoder, short documents train in packs (model_pack_step):
 * a pack's encoder gradients go to its first document's slot, and which
 * documents share a pack depends only on the batch. */
#ifndef ATTNCLF_STEP_H
#define ATTNCLF_STEP_H

#include <signal.h>
#include <stdint.h>

#include "cfile.h"
#include "dataset.h"
#include "diststep.h"
#include "model.h"
#include "optim.h"
#include "threads.h"

typedef struct StepOptions {
    int batch_size;
    double length_weight;  /* a document's share of the batch loss ~ tokens^length_weight; 0 = equal shares */
    double clip;           /* global-norm clip, 0 = off */
    int threads;           /* 0 = all cores */
    double dropout;        /* on the pooled vector, in [0, 1) */
    double token_dropout;  /* fraction of a document's tokens hidden per step, [0, 1) */
    double encoder_dropout; /* residual dropout inside the self-attention encoder, [0, 1) */
    int freeze_rows;       /* 1: the embedding rows stay as they are (retraining a quantized model's
                              dense layers); not a config key */
} StepOptions;

/* An embedding row used in a step, and its first token there. */
typedef struct StepSlot {
    int32_t row;    /* -1: empty */
    int32_t first;
} StepSlot;

typedef struct Stepper {
    Model *model;
    StepOptions o;
    float dropout;
    float token_dropout;
    Adam adam;          /* moments in the model's layout */
    int threads;        /* o.threads resolved */
    int batch_cap;
    int64_t tok_cap;    /* most tokens a batch can hold */
    ThreadsPool scratch;  /* [threads] DocScratch */
    float *doc_grad;    /* [batch_cap, n_dense] per-document dense gradients */
    float *dense_grad;  /* [n_dense] their sum */
    float *tok_grad;    /* [tok_cap, d] dL/demb per token position; after the row
                           sums, a row's first token holds the row's gradient */
    int64_t *tok_off;   /* [batch_cap+1] */
    int32_t *tok_row;   /* [tok_cap] embedding row of each token the step kept */
    int32_t *doc_kept;  /* [batch_cap] tokens kept of each document (token dropout) */
    float *doc_loss;    /* [batch_cap] */
    int32_t *doc_pred;  /* [batch_cap] */
    StepSlot *table; /* [threads, table_cap] each thread's rows of this step */
    int64_t table_cap;  /* a power of two >= 2 * tok_cap */
    double *tok_sq;     /* [tok_cap] squared norm of the row gradient at a row's first token, else 0 */
    int32_t *own;       /* [threads, tok_cap] first tokens of the rows each thread owns */
    int *doc_order;     /* [batch_cap] batch documents, longest first */
    int pack_max;       /* model_pack_max: the most ids of a pack of several documents, 0: no packs */
    int *pack_off;      /* [batch_cap+1] where each pack starts in doc_order */
    int *pack_len;      /* [batch_cap] each pack's ids */
    int *pack_order;    /* [batch_cap] the packs, most ids first */
    uint8_t *doc_enc;   /* [batch_cap] 1: the document's slot holds encoder gradients (0: packed behind another) */
    int64_t enc_off;    /* where the encoder's tensors start in the dense block (n_dense without one) */
    double *dense_part; /* [chunks] squared norm of each chunk of the dense gradient */
    float *doc_scale;   /* [batch_cap] each document's weight in the batch loss (they sum to 1) */
    int32_t *tok_pos;   /* [tok_cap] each document's kept token positions, grouped by owning thread */
    uint16_t *tok_owner; /* [tok_cap] owning thread of each kept token's row */
    int64_t *part;      /* [batch_cap, threads+1] where each owner's group starts in tok_pos */
    int64_t *owner_cnt; /* [threads, threads+1] counting-sort scratch */
    float *class_w;     /* [C] per-class loss weights, NULL: none */
    uint8_t *tok_first; /* [tok_cap] 1 at each row's first token of the step */
    /* A run over several processes (dist.h): each takes a share of every batch. */
    DistStep *dist;     /* NULL: one process */
    int64_t *share_doc; /* [2, batch_cap] this process's documents of a step (two steps in flight) */
    int *share_idx;     /* [2, batch_cap] their places in the batch */
    int64_t *share_len; /* [batch_cap + size] scratch: lengths, then each process's tokens */
    const volatile sig_atomic_t *stop_request; /* a stop this process was asked for (dist), or NULL */
    const CFile *src;   /* the mapped file the documents' ids are read from (step_read_from), or NULL */
} Stepper;

/* max_len: the longest training document; tok_cap: step_token_bound(). */
void step_init(Stepper *t, Model *m, const StepOptions *o, int64_t max_len, int64_t tok_cap);
void step_free(Stepper *t);
/* Per-class weights of the loss (loss.h), [C] copied into t; NULL: none. */
void step_set_class_weights(Stepper *t, const float *w);
/* Reads each document's ids from f (the file the dataset's ids are mapped
 * from) with cfile_read, not through the mapping, so that training leaves no
 * page of them resident; NULL reads the mapping. The same bytes either way. */
void step_read_from(Stepper *t, const CFile *f);
/* Most tokens any batch of `batch` documents of ds can hold (the sum of the
 * batch longest documents). */
int64_t step_token_bound(const Dataset *ds, int batch);

typedef struct StepResult {
    double loss_sum;   /* summed over the batch's documents */
    int64_t correct;
    int64_t tokens;    /* in the batch's documents, before token dropout */
    int finite;        /* 0 if the loss or the gradient is NaN/inf (no update was made) */
    int stop;          /* over several processes: the largest stop_request of any of them, else 0 */
} StepResult;

/* Called on one thread after each step with the batch index, its size, its
 * result and learning rate; a non-zero return stops step_run after it. Must
 * not touch the model: other threads may still be updating it. */
typedef int (*StepAfterFn)(void *ctx, int64_t batch, int n, const StepResult *r, float lr);

/* AdamW steps on batches b0, b0+1, ... < nb of perm (batch b is documents
 * perm[b*batch_size ...], the last one possibly short), with optim_lr's rate
 * for each step of `plan` and a seed drawn from `seed` and the step.
 * Stops after a step that is not finite (no update is made) or when `after`
 * asks. Returns the batch after the last one run. */
int64_t step_run(Stepper *t, const Dataset *ds, const int64_t *perm, int64_t b0, int64_t nb, const AdamOptions *ao,
                 uint64_t seed, const LrPlan *plan, StepAfterFn after, void *ctx);

#endif
