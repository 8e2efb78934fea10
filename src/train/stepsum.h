/* stepsum.h - the phases of a training step after the documents (step.h): the
 * gradients of every embedding row and of the dense block summed in a fixed
 * order, their squared norm, and the Adam updates. Internal to step.c. The sums
 * and updates run on thread tid of nth and write only its own share (rows,
 * chunks); the totals (stepsum_total, stepsum_sq) every thread computes alike.
 * Either way the results are the same bits for any thread count. */
#ifndef ATTNCLF_STEPSUM_H
#define ATTNCLF_STEPSUM_H

#include "step.h"

/* The embedding row of an id: a bag's later rows are stored as ~row (kernels.h). */
static inline int32_t stepsum_row(int32_t id)
{
    return id < 0 ? ~id : id;
}

/* Chunks of the dense gradient (t->dense_part has one partial norm each). */
int64_t stepsum_chunks(int64_t n_dense);
/* The rows thread tid owns, summed onto each row's first token; returns how
 * many (listed in own) and records their squared norms in t->tok_sq. */
int64_t stepsum_rows(Stepper *t, int B, int tid, int32_t *own);
/* Thread tid's chunks of the dense gradient over the B documents' slots, and
 * their partial norms. */
void stepsum_dense(Stepper *t, int B, int tid, int nth);
/* After every thread's stepsum_dense: the batch's loss and counts into r, and
 * the dense gradient's squared norm. */
double stepsum_total(Stepper *t, const Dataset *ds, const int64_t *doc, int B, StepResult *r);
/* Sum of n squared norms in token order, in eight fixed partial sums. */
double stepsum_sq(const double *sq /* [n] */, int64_t n);
/* The Adam updates: thread tid's chunks of the dense block, its own rows, or
 * over several processes its slice of the union's rows. */
void stepsum_update_dense(Stepper *t, int tid, int nth, const AdamStep *as);
void stepsum_update_rows(Stepper *t, const int32_t *own, int64_t n, const AdamStep *as);
void stepsum_update_union(Stepper *t, int tid, int nth, const AdamStep *as);

#endif
