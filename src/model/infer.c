/* infer.c - see infer.h. */
#include "infer.h"

#include <stdlib.h>

#include "mem.h"

#ifdef _OPENMP
#include <omp.h>
#endif

double infer_dataset(const Model *m, const Bayes *bayes, const Dataset *ds, int threads, int32_t *pred)
{
    const int C = m->dims.classes;
    float *loss = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *loss);
    DocScratch *sc = xcalloc((size_t)threads, sizeof *sc);
    float *offsets = xcalloc((size_t)threads * (size_t)C, sizeof *offsets); /* [threads,C] */
    for (int i = 0; i < threads; i++) docscratch_init(&sc[i], &m->dims, (int)(ds->max_len ? ds->max_len : 1));
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (int64_t i = 0; i < ds->n; i++) {
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        DocScratch *s = &sc[tid];
        float *off = NULL;
        if (bayes) {
            off = offsets + (size_t)tid * C;
            bayes_logits(bayes, ds->feat + ds->foff[i], ds->foff[i + 1] - ds->foff[i], off);
        }
        int T = (int)(ds->off[i + 1] - ds->off[i]);
        int y = ds->labels[i] < C ? ds->labels[i] : -1;
        loss[i] = model_forward(m, ds->ids + ds->off[i], T, off, y, 0.0f, 0, s);
        pred[i] = model_argmax(s->probs, C);
    }
    double sum = 0.0;
    for (int64_t i = 0; i < ds->n; i++) sum += loss[i];
    for (int i = 0; i < threads; i++) docscratch_free(&sc[i]);
    free(sc);
    free(offsets);
    free(loss);
    return sum;
}
