/* infer.c - see infer.h. */
#include "infer.h"

#include <stdlib.h>

#include "mem.h"

#ifdef _OPENMP
#include <omp.h>
#endif

double infer_dataset(const Model *m, const Dataset *ds, int threads, int32_t *pred)
{
    const int C = m->dims.classes;
    float *loss = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *loss);
    DocScratch *sc = xcalloc((size_t)threads, sizeof *sc);
    for (int i = 0; i < threads; i++) docscratch_init(&sc[i], &m->dims, (int)(ds->max_len ? ds->max_len : 1));
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (int64_t i = 0; i < ds->n; i++) {
#ifdef _OPENMP
        DocScratch *s = &sc[omp_get_thread_num()];
#else
        DocScratch *s = &sc[0];
#endif
        int T = (int)(ds->off[i + 1] - ds->off[i]);
        int y = ds->labels[i] < C ? ds->labels[i] : -1;
        loss[i] = model_forward(m, ds->ids + ds->off[i], T, y, 0.0f, 0, s);
        pred[i] = model_argmax(s->probs, C);
    }
    double sum = 0.0;
    for (int64_t i = 0; i < ds->n; i++) sum += loss[i];
    for (int i = 0; i < threads; i++) docscratch_free(&sc[i]);
    free(sc);
    free(loss);
    return sum;
}
