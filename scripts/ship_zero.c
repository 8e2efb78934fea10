/* ship_zero.c - what a cutoff's dropped rows should become, measured on a run's
 * validation split: a zero row (the UNK row's value, as an unknown word gets; the
 * token still takes a share of each head's attention) against leaving the token
 * out (what `attnclf quantize` does, EMBED_MISSING_SKIP). Rows are ranked by
 * attention mass x norm on the training part, as quantize's default score does.
 * Build: see scripts/ship_zero.sh. Usage: ship_zero CKPT CUTOFF... */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

static double accuracy(const Classifier *c, const Dataset *ds)
{
    int32_t *pred = malloc((size_t)ds->n * sizeof *pred);
    classifier_score_dataset(c, ds, 2, pred);
    int64_t ok = 0;
    for (int64_t i = 0; i < ds->n; i++) ok += pred[i] == dataset_label(ds, i);
    free(pred);
    return (double)ok / (double)ds->n;
}

/* ds without the rows that are not kept: each leaves its bag (encoder.h), and a
 * bag of none leaves the document, as a quantized model leaves them out. */
static void drop_tokens(Dataset *out, const Dataset *ds, const uint8_t *keep)
{
    dataset_init(out);
    int32_t *ids = malloc((size_t)(ds->max_len + 1) * sizeof *ids);
    for (int64_t i = 0; i < ds->n; i++) {
        int64_t n = 0;
        int open = 0;
        for (int64_t k = ds->off[i]; k < ds->off[i + 1]; k++) {
            const int32_t id = ds->ids[k], row = id < 0 ? ~id : id;
            if (id >= 0) open = 0;
            if (!keep[row]) continue;
            ids[n++] = open ? ~row : row;
            open = 1;
        }
        dataset_append(out, ids, n, ds->feat + ds->foff[i], ds->foff[i + 1] - ds->foff[i], ds->lab + ds->loff[i],
                       ds->loff[i + 1] - ds->loff[i]);
    }
    free(ids);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ship_zero CKPT CUTOFF...\n");
        return 2;
    }
    Classifier c;
    Config cfg;
    Status st;
    TrainData data;
    if (pipeline_load(argv[1], &c, &cfg, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    CorpusOptions co = pipeline_corpus(&cfg);
    if (corpus_reload(&co, &c.enc, &c.labels, &data, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    const Model *m = &c.net;
    const int64_t R = m->dims.rows;
    const int d = m->dims.dim;
    double *mass = calloc((size_t)R, sizeof *mass);
    classifier_row_mass(&c, &data.train, 2, mass);
    float *score = malloc((size_t)R * sizeof *score);
    for (int64_t r = 0; r < R; r++) score[r] = (float)(quant_row_norm(m->p.emb + r * d, d) * mass[r]);
    printf("full model: validation accuracy %.4f (%lld documents)\n", accuracy(&c, &data.valid), (long long)data.valid.n);
    Classifier z = c; /* the copy's network gets its own parameters */
    model_init(&z.net, &m->dims);
    int64_t *keep = malloc((size_t)R * sizeof *keep);
    uint8_t *kept = malloc((size_t)R);
    for (int a = 2; a < argc; a++) {
        const int64_t n = atoll(argv[a]);
        int64_t k = quant_select(keep, score, NULL, R, n);
        memset(kept, 0, (size_t)R);
        for (int64_t i = 0; i < k; i++) kept[keep[i]] = 1;
        memcpy(z.net.params, m->params, (size_t)m->n_params * sizeof(float));
        for (int64_t r = 0; r < R; r++)
            if (!kept[r]) memset(z.net.p.emb + r * d, 0, (size_t)d * sizeof(float));
        Dataset skip;
        drop_tokens(&skip, &data.valid, kept);
        printf("cutoff %lld: dropped rows as zero rows %.4f, dropped tokens left out %.4f\n", (long long)n,
               accuracy(&z, &data.valid), accuracy(&c, &skip));
        dataset_free(&skip);
    }
    return 0;
}
