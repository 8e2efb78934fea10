/* model.c - see model.h. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "mem.h"
#include "rng.h"

static const char *const model_tensor_names[N_TENSORS] = {
    "query", "att_w", "att_b", "att_v", "ctx_q", "gate_w", "gate_b", "out_w", "out_b", "emb",
};

void model_init(Model *m, const ModelDims *dims)
{
    memset(m, 0, sizeof *m);
    m->dims = *dims;
    int64_t d = dims->dim, H = dims->heads, C = dims->classes;
    int dot = dims->attention == ATTN_DOT;
    int64_t numel[N_TENSORS] = {
        [TENSOR_QUERY] = dot ? H * d : 0,
        [TENSOR_ATT_W] = dot ? 0 : d * d,
        [TENSOR_ATT_B] = dot ? 0 : d,
        [TENSOR_ATT_V] = dot ? 0 : H * d,
        [TENSOR_CTX_Q] = dims->context ? 2 * H * d : 0,
        [TENSOR_GATE_W] = dims->gate ? d * d : 0,
        [TENSOR_GATE_B] = dims->gate ? d : 0,
        [TENSOR_OUT_W] = C * H * d,
        [TENSOR_OUT_B] = C,
        [TENSOR_EMB] = dims->rows * d,
    };
    int64_t off = 0;
    for (int i = 0; i < N_TENSORS; i++) {
        m->tensors[i].name = model_tensor_names[i];
        m->tensors[i].numel = numel[i];
        m->tensors[i].offset = off;
        if (i == TENSOR_EMB) m->n_dense = off;
        off += numel[i];
    }
    m->n_params = off;
    m->params = xaligned_calloc((size_t)m->n_params * sizeof(float));
    model_views(m, m->params, &m->p);
}

void model_free(Model *m)
{
    free(m->params);
    memset(m, 0, sizeof *m);
}

void model_views(const Model *m, float *block, ParamTensors *out)
{
    float **views[N_TENSORS] = {&out->query, &out->att_w, &out->att_b, &out->att_v, &out->ctx_q,
                                &out->gate_w, &out->gate_b, &out->out_w, &out->out_b, &out->emb};
    for (int i = 0; i < N_TENSORS; i++)
        *views[i] = m->tensors[i].numel ? block + m->tensors[i].offset : NULL;
}

static void model_fill_uniform(float *w, int64_t n, float a, Rng *r)
{
    for (int64_t i = 0; i < n; i++) w[i] = (2.0f * rng_uniform(r) - 1.0f) * a;
}

void model_randomize(Model *m, int64_t unk_row, uint64_t seed)
{
    const ModelDims *D = &m->dims;
    Rng r;
    rng_seed(&r, seed);
    memset(m->params, 0, (size_t)m->n_params * sizeof(float));
    model_fill_uniform(m->p.emb, D->rows * D->dim, 1.0f / sqrtf((float)D->dim), &r);
    if (unk_row >= 0 && unk_row < D->rows) memset(m->p.emb + unk_row * D->dim, 0, (size_t)D->dim * sizeof(float));
    int64_t K = (int64_t)D->heads * D->dim;
    model_fill_uniform(m->p.out_w, D->classes * K, sqrtf(6.0f / (float)(K + D->classes)), &r);
    if (D->attention == ATTN_ADDITIVE)
        model_fill_uniform(m->p.att_w, (int64_t)D->dim * D->dim, sqrtf(3.0f / (float)D->dim), &r);
}

void docscratch_init(DocScratch *s, const ModelDims *dims, int cap_t)
{
    memset(s, 0, sizeof *s);
    size_t K = (size_t)dims->heads * dims->dim, C = (size_t)dims->classes;
    s->z = xaligned_calloc(K * sizeof(float));
    s->zd = xaligned_calloc(K * sizeof(float));
    s->dz = xaligned_calloc(K * sizeof(float));
    s->mask = xcalloc(K, 1);
    s->logits = xaligned_calloc(C * sizeof(float));
    s->probs = xaligned_calloc(C * sizeof(float));
    s->dlogits = xaligned_calloc(C * sizeof(float));
    docscratch_reserve(s, dims, cap_t);
}

void docscratch_free(DocScratch *s)
{
    float *bufs[] = {s->x, s->xs, s->dx, s->u, s->da, s->pe, s->v, s->g, s->dv, s->L, s->R, s->dL, s->dR,
                     s->alpha, s->z, s->zd, s->dz, s->logits, s->probs, s->dlogits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) free(bufs[i]);
    free(s->mask);
    memset(s, 0, sizeof *s);
}

void docscratch_reserve(DocScratch *s, const ModelDims *dims, int T)
{
    if (T <= s->cap_t && s->x) return;
    int cap = s->cap_t > 16 ? s->cap_t : 16;
    while (cap < T) cap *= 2;
    size_t td = (size_t)cap * dims->dim * sizeof(float);
    float **bufs[] = {&s->x, &s->xs, &s->dx, &s->u, &s->da};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
        free(*bufs[i]);
        *bufs[i] = xaligned_calloc(td);
    }
    free(s->alpha);
    s->alpha = xaligned_calloc((size_t)cap * dims->heads * sizeof(float));
    float **ctx[] = {&s->v, &s->g, &s->dv, &s->L, &s->R, &s->dL, &s->dR};
    for (size_t i = 0; i < sizeof ctx / sizeof *ctx; i++) {
        free(*ctx[i]);
        *ctx[i] = (i < 3 ? dims->gate : dims->context) ? xaligned_calloc(td) : NULL;
    }
    free(s->pe);
    s->pe = NULL;
    if (dims->positional) {
        s->pe = xaligned_calloc(td);
        kernel_posenc(s->pe, cap, dims->dim);
    }
    s->cap_t = cap;
}

float model_forward(const Model *m, const int32_t *ids, int T, const float *offset, int y, float dropout,
                    uint64_t mask_seed, DocScratch *s)
{
    const ModelDims *D = &m->dims;
    int d = D->dim, H = D->heads, K = H * d;
    kernel_gather(s->x, m->p.emb, ids, T, d);
    const float *xs = s->x;
    if (D->positional) {
        for (size_t i = 0; i < (size_t)T * d; i++) s->xs[i] = s->x[i] + s->pe[i];
        xs = s->xs;
    }
    if (D->context || D->gate) {
        const float *v = s->x;
        if (D->gate) {
            kernel_gate_forward(s->v, s->g, s->x, m->p.gate_w, m->p.gate_b, T, d);
            v = s->v;
        }
        if (D->context) kernel_context_sums(s->L, s->R, s->x, T, d);
        kernel_ctx_attn_forward(s->alpha, s->z, v, xs, D->context ? s->L : NULL, D->context ? s->R : NULL,
                                m->p.query, m->p.ctx_q, T, d, H);
    } else if (D->attention == ATTN_DOT)
        kernel_dot_attn_forward(s->alpha, s->z, s->x, xs, m->p.query, T, d, H);
    else
        kernel_add_attn_forward(s->alpha, s->z, s->u, s->x, xs, m->p.att_w, m->p.att_b, m->p.att_v, T, d, H);
    const float *zin = s->z;
    if (dropout > 0.0f) {
        /* Inverted dropout: kept units are scaled by 1/(1-p) so inference needs no change. */
        Rng r;
        rng_seed(&r, mask_seed);
        float keep = 1.0f / (1.0f - dropout);
        for (int i = 0; i < K; i++) {
            s->mask[i] = rng_uniform(&r) >= dropout;
            s->zd[i] = s->mask[i] ? s->z[i] * keep : 0.0f;
        }
        zin = s->zd;
    }
    kernel_linear_forward(s->logits, zin, m->p.out_w, m->p.out_b, D->classes, K);
    if (offset)
        for (int c = 0; c < D->classes; c++) s->logits[c] += offset[c];
    return kernel_softmax_xent_forward(s->probs, s->logits, D->classes, y);
}

/* Backward of context attention into demb [T,d]: through the pooling and scores,
 * then the gate (v -> x) and the context sums (L, R -> x). */
static void model_ctx_backward(const Model *m, int T, DocScratch *s, const ParamTensors *g, float *demb)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads;
    const size_t td = (size_t)T * d * sizeof(float);
    const float *xs = D->positional ? s->xs : s->x, *v = D->gate ? s->v : s->x;
    /* Without the gate v = x, so dL/dv is dL/dx. */
    float *dv = D->gate ? s->dv : demb;
    if (D->gate) memset(s->dv, 0, td);
    if (D->context) {
        memset(s->dL, 0, td);
        memset(s->dR, 0, td);
    }
    kernel_ctx_attn_backward(dv, demb, D->context ? s->dL : NULL, D->context ? s->dR : NULL, g->query, g->ctx_q,
                             s->dz, s->z, s->alpha, v, xs, D->context ? s->L : NULL, D->context ? s->R : NULL,
                             m->p.query, m->p.ctx_q, T, d, H);
    if (D->gate) kernel_gate_backward(demb, g->gate_w, g->gate_b, s->dv, s->g, s->x, m->p.gate_w, T, d);
    if (D->context) kernel_context_sums_backward(demb, s->dL, s->dR, T, d);
}

void model_backward(const Model *m, int T, int y, float dropout,
                    float scale, DocScratch *s, float *dense_grad, float *demb)
{
    const ModelDims *D = &m->dims;
    int d = D->dim, H = D->heads, K = H * d;
    ParamTensors g;
    /* dense_grad holds only the dense prefix, whose offsets match the block's. */
    model_views(m, dense_grad, &g);
    kernel_softmax_xent_backward(s->dlogits, s->probs, D->classes, y, scale);
    memset(s->dz, 0, (size_t)K * sizeof(float));
    const float *zin = dropout > 0.0f ? s->zd : s->z;
    kernel_linear_backward(s->dz, g.out_w, g.out_b, s->dlogits, zin, m->p.out_w, D->classes, K);
    if (dropout > 0.0f) {
        float keep = 1.0f / (1.0f - dropout);
        for (int i = 0; i < K; i++) s->dz[i] = s->mask[i] ? s->dz[i] * keep : 0.0f;
    }
    memset(demb, 0, (size_t)T * d * sizeof(float));
    const float *xs = D->positional ? s->xs : s->x;
    if (D->context || D->gate)
        model_ctx_backward(m, T, s, &g, demb);
    else if (D->attention == ATTN_DOT)
        kernel_dot_attn_backward(demb, demb, g.query, s->dz, s->z, s->alpha, s->x, xs, m->p.query, T, d, H);
    else
        kernel_add_attn_backward(demb, demb, g.att_w, g.att_b, g.att_v, s->da, s->dz, s->z, s->alpha,
                                 s->u, s->x, xs, m->p.att_w, m->p.att_v, T, d, H);
}

int model_argmax(const float *probs, int C)
{
    int best = 0;
    for (int c = 1; c < C; c++)
        if (probs[c] > probs[best]) best = c;
    return best;
}
