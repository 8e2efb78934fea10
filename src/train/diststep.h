/* diststep.h - one optimisation step's gradients combined across the processes
 * of a run (dist.h), for step.c. Each process has run the forward and backward
 * passes of its share of the batch and summed, per embedding row, the
 * gradients of its tokens; here every process gathers every process's rows
 * (an allgather of row ids and gradients) and dense gradients, loss and
 * counts, and sums each row's and each dense value's contributions in rank
 * order. Every process then holds the same union of rows with the same sums,
 * and takes the same lazy Adam step, so the replicas never drift apart.
 *
 * A row's place in the union is fixed by rank, then by its first token in the
 * sender's documents (in batch order), which does not depend on any process's
 * thread count; so neither do the clipping norm or the update. */
#ifndef ATTNCLF_DISTSTEP_H
#define ATTNCLF_DISTSTEP_H

#include <stddef.h>
#include <stdint.h>

/* What each process sends besides its rows. */
typedef struct DistHead {
    double loss;       /* summed over its documents */
    int64_t correct;
    int64_t rows;      /* rows it sends */
    int32_t stop;      /* a stop it was asked for (a signal number), 0 if none */
    int32_t pad;
} DistHead;

typedef struct DistStep {
    int size;           /* processes */
    int d;              /* embedding width */
    int64_t n_dense;
    int64_t cap;        /* rows a step can hold: the tokens of the largest batch */
    unsigned char *send, *recv;  /* [cap * (4 + 4d)] packed rows: ids, then gradients */
    unsigned char *head;         /* [size, head bytes] DistHead + dense gradients, gathered */
    size_t head_bytes;
    size_t *counts;     /* [size] bytes of rows each process sent */
    int32_t *row;       /* [cap] the union's rows */
    float *grad;        /* [cap, d] their summed gradients */
    double *sq;         /* [cap] their squared norms */
    int64_t n;          /* rows in the union */
    int32_t *table;     /* [table_cap] union position of a row, -1 empty */
    int64_t table_cap;
} DistStep;

void diststep_init(DistStep *x, int size, int d, int64_t n_dense, int64_t cap);
void diststep_free(DistStep *x);

/* What one process contributes: its documents' kept tokens tok_row [.., kept
 * in doc_kept [n_docs], the document's tokens starting at tok_off], the row
 * gradient at each row's first token (tok_first) in tok_grad [.., d], and its
 * dense gradients, loss and counts. */
typedef struct DistLocal {
    const int32_t *tok_row;
    const uint8_t *tok_first;
    const float *tok_grad;
    const int64_t *tok_off;
    const int32_t *doc_kept;
    int n_docs;
    float *dense;       /* [n_dense] in: this process's sum; out: everyone's */
    double loss;        /* out: everyone's */
    int64_t correct;
    int stop;           /* in: this process's request; out: the largest */
} DistLocal;

/* The exchange (every process calls it, on one thread): fills x's union and
 * replaces the local sums in l with everyone's. */
void diststep_exchange(DistStep *x, DistLocal *l);
/* Squared norm of the union's row gradients, summed in union order. */
double diststep_sq(const DistStep *x);

#endif
