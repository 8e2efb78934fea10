/* optim.h - Adam (Kingma & Ba 2015) with bias correction and optional decoupled
 * weight decay (AdamW, Loshchilov & Hutter 2019), the learning-rate schedule and
 * global-norm clipping. Moments use the model's block layout. The embedding's
 * rows are updated lazily: only rows a batch touched take a step (their moments
 * are not decayed on steps that skip them), which keeps a step's cost
 * proportional to the batch, not to millions of hashed rows. */
#ifndef ATTNCLF_OPTIM_H
#define ATTNCLF_OPTIM_H

#include <math.h>
#include <stdint.h>

#include "ckpt.h"
#include "model.h"
#include "status.h"

typedef enum { LR_CONSTANT = 0, LR_LINEAR } LrSchedule;

/* The optimiser's settings (train.lr, lr_schedule, warmup, weight_decay). */
typedef struct AdamOptions {
    double lr;
    LrSchedule lr_schedule;
    double warmup;        /* fraction of all steps spent warming up linearly, [0, 1) */
    double weight_decay;  /* decoupled (AdamW) */
} AdamOptions;

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

typedef struct Adam {
    float *m, *v;  /* [n] first and second moments, zero-initialised */
    int64_t n;
    int64_t step;  /* steps taken so far (t in the bias correction) */
} Adam;

void adam_init(Adam *a, int64_t n);
void adam_free(Adam *a);
/* Sections ADMM and ADMV: the moments of m's parameters, stored like its
 * weights (blockio.h). The step count is the training state's (fit.h), which
 * the learning-rate schedule shares. */
void adam_save(const Adam *a, const Model *m, CkptWriter *w);
/* Reads the moments of m's parameters into a (adam_init'ed here); step is left 0. */
int adam_load(Adam *a, const CkptReader *r, const Model *m, Status *st);

/* What one step's updates share; the bias corrections are computed once per
 * step, not once per embedding row. */
typedef struct AdamStep {
    float gscale, lr, wd;
    float inv_c1;       /* 1 / (1 - b1^t) */
    float inv_sqrt_c2;  /* 1 / sqrt(1 - b2^t) */
} AdamStep;

/* Step t >= 1 (1-based, after incrementing) with gradient scale gscale. */
AdamStep adam_step_params(float gscale, float lr, float wd, int64_t t);

/* One AdamW update of n contiguous parameters with gradient gscale * g:
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   p -= lr * ( (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + wd * p )
 * Inline: the trainer calls it once per embedding row of a few floats, where
 * a call costs as much as the update (README "Benchmarks"). */
static inline void adam_update(float *p /* [n] */, float *m /* [n] */, float *v /* [n] */, const float *g /* [n] */,
                 int64_t n, const AdamStep *s)
{
    const float b1 = ADAM_BETA1, b2 = ADAM_BETA2;
    const float gscale = s->gscale, lr = s->lr, wd = s->wd, inv_c1 = s->inv_c1, inv_sqrt_c2 = s->inv_sqrt_c2;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        float mhat = m[i] * inv_c1;
        float vhat_sqrt = sqrtf(v[i]) * inv_sqrt_c2;
        p[i] -= lr * (mhat / (vhat_sqrt + ADAM_EPS) + wd * p[i]);
    }
}

/* adam_update over a long block (the dense parameters, once a step), in an
 * AVX2 clone beside the SSE2 build: elementwise, so every lane computes what
 * the SSE code does and the bits do not depend on the processor. */
void adam_update_block(float *p /* [n] */, float *m /* [n] */, float *v /* [n] */, const float *g /* [n] */,
                       int64_t n, const AdamStep *s);

/* The steps a run plans, and where an extended run's schedule starts again. */
typedef struct LrPlan {
    int64_t total;      /* steps of the whole run */
    int64_t from_step;  /* 0; or, once a run is extended past its planned end, the step it was extended at */
    double from_lr;     /* the rate of the last step before from_step */
} LrPlan;

/* Learning rate for 0-based step: linear warmup over the first warmup*total
 * steps, then constant or linear decay to 0 at the end. An extended run
 * (from_step > 0) keeps the rate it had reached and, for the linear schedule,
 * decays it to 0 over the steps that remain: from_lr * (total - step) /
 * (total - from_step). */
float optim_lr(const AdamOptions *o, const LrPlan *p, int64_t step);

/* Multiplier that brings a gradient of norm sqrt(sumsq) down to `clip`
 * (1 when clip is 0 or the norm is already within it). */
float optim_clip_scale(double sumsq, double clip);

#endif
