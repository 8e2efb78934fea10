/* optim.c - see optim.h. */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blockio.h"
#include "mem.h"

void adam_init(Adam *a, int64_t n)
{
    a->n = n;
    a->step = 0;
    a->m = xaligned_calloc((size_t)n * sizeof(float));
    a->v = xaligned_calloc((size_t)n * sizeof(float));
}

void adam_free(Adam *a)
{
    free(a->m);
    free(a->v);
    memset(a, 0, sizeof *a);
}

void adam_save(const Adam *a, const Model *m, CkptWriter *w)
{
    blockio_save(m, a->m, w, "ADMM");
    blockio_save(m, a->v, w, "ADMV");
}

int adam_load(Adam *a, const CkptReader *r, const Model *m, Status *st)
{
    CkptSection s;
    if (!ckpt_find(r, "ADMM", &s) || !ckpt_find(r, "ADMV", &s))
        return status_error(st, "%s: has no optimiser state to resume from", r->path);
    adam_init(a, m->n_params);
    return blockio_load(m, a->m, r, "ADMM", st) || blockio_load(m, a->v, r, "ADMV", st) ? -1 : 0;
}

AdamStep adam_step_params(float gscale, float lr, float wd, int64_t t)
{
    /* Computed in double: 1 - b2^t loses precision in float for small t. */
    double c1 = 1.0 - pow(ADAM_BETA1, (double)t), c2 = 1.0 - pow(ADAM_BETA2, (double)t);
    return (AdamStep){.gscale = gscale, .lr = lr, .wd = wd, .inv_c1 = (float)(1.0 / c1),
                      .inv_sqrt_c2 = (float)(1.0 / sqrt(c2))};
}

/* The clones are of a file-local function: an exported one would need the
 * attribute on its declaration for clang and must not have it for GCC. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target_clones("avx2", "default")))
#endif
static void optim_adam_block(float *p, float *m, float *v, const float *g, int64_t n, const AdamStep *s)
{
    adam_update(p, m, v, g, n, s);
}

void adam_update_block(float *p, float *m, float *v, const float *g, int64_t n, const AdamStep *s)
{
    optim_adam_block(p, m, v, g, n, s);
}

float optim_lr(const AdamOptions *tc, const LrPlan *p, int64_t step)
{
    const int64_t total = p->total;
    double lr = tc->lr;
    if (p->from_step > 0) {
        if (tc->lr_schedule != LR_LINEAR) return (float)lr;
        double frac = p->from_step < total ? ((double)total - (double)step) / ((double)total - (double)p->from_step) : 0.0;
        return (float)(p->from_lr * (frac > 0.0 ? frac : 0.0));
    }
    double warm = floor(tc->warmup * (double)total);
    if (warm >= 1.0 && (double)step < warm) return (float)(lr * ((double)step + 1.0) / warm);
    if (tc->lr_schedule == LR_LINEAR && total > warm) {
        double frac = ((double)total - (double)step) / ((double)total - warm);
        return (float)(lr * (frac > 0.0 ? frac : 0.0));
    }
    return (float)lr;
}

float optim_clip_scale(double sumsq, double clip)
{
    if (clip <= 0.0) return 1.0f;
    double norm = sqrt(sumsq);
    return norm > clip ? (float)(clip / norm) : 1.0f;
}
