/* selfattn.c - see selfattn.h. */
#include "selfattn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "mem.h"
#include "rng.h"
#include "rollout.h"

static const char *const selfattn_names[SELFATTN_N_TENSORS] = {
    "enc_pos", "enc_ln1_g", "enc_ln1_b", "enc_wq", "enc_bq", "enc_wk", "enc_wv", "enc_bv",
    "enc_wo",  "enc_bo",    "enc_ln2_g", "enc_ln2_b", "enc_w1", "enc_b1", "enc_w2", "enc_b2",
};

SelfAttnDims selfattn_dims(const SelfAttnOptions *o, int positional)
{
    if (o->kind != SELFATTN_ON) return (SelfAttnDims){0};
    return (SelfAttnDims){.layers = o->layers, .ffn = o->ffn_dim, .window = o->window, .positional = positional,
                          .ngrams = o->ngrams,
                          .positions = positional == POSITIONAL_LEARNED ? SELFATTN_POSITIONS : 0};
}

const char *selfattn_tensor_name(int k)
{
    return selfattn_names[k];
}

/* Floats of tensor k in one layer (the position table is not per layer). */
static int64_t selfattn_layer_numel(const SelfAttnDims *E, int64_t d, int k)
{
    const int64_t F = E->ffn;
    switch (k) {
    case SA_WQ: case SA_WK: case SA_WV: case SA_WO: return d * d;
    case SA_LN1_G: case SA_LN1_B: case SA_BQ: case SA_BV: case SA_BO: return d;
    case SA_LN2_G: case SA_LN2_B: case SA_B2: return F ? d : 0;
    case SA_W1: case SA_W2: return F * d;
    case SA_B1: return F;
    }
    return 0;
}

int64_t selfattn_tensor_numel(const SelfAttnDims *E, int d, int k)
{
    if (E->layers == 0) return 0;
    if (k == SA_POS) return (int64_t)E->positions * d;
    return E->layers * selfattn_layer_numel(E, d, k);
}

/* Layer l's views of the stacked tensors t (parameters or gradients), each at l
 * times its per-layer size (selfattn_layer_numel's, spelled out: this runs three
 * times a document). */
static SakLayer selfattn_layer(float *const *t, const SelfAttnDims *E, int d, int l)
{
    const size_t L = (size_t)l, n = (size_t)d, nn = n * n, F = (size_t)E->ffn, f = F ? n : 0, fn = F * n;
#define SELFATTN_VIEW(k, size) ((size) && t[k] ? t[k] + L * (size) : NULL)
    return (SakLayer){.ln1_g = SELFATTN_VIEW(SA_LN1_G, n), .ln1_b = SELFATTN_VIEW(SA_LN1_B, n),
                      .wq = SELFATTN_VIEW(SA_WQ, nn), .bq = SELFATTN_VIEW(SA_BQ, n),
                      .wk = SELFATTN_VIEW(SA_WK, nn), .wv = SELFATTN_VIEW(SA_WV, nn),
                      .bv = SELFATTN_VIEW(SA_BV, n), .wo = SELFATTN_VIEW(SA_WO, nn),
                      .bo = SELFATTN_VIEW(SA_BO, n), .ln2_g = SELFATTN_VIEW(SA_LN2_G, f),
                      .ln2_b = SELFATTN_VIEW(SA_LN2_B, f), .w1 = SELFATTN_VIEW(SA_W1, fn),
                      .b1 = SELFATTN_VIEW(SA_B1, F), .w2 = SELFATTN_VIEW(SA_W2, fn),
                      .b2 = SELFATTN_VIEW(SA_B2, f)};
#undef SELFATTN_VIEW
}

static SakDims selfattn_sak(const SelfAttnDims *E, int d, int heads)
{
    return (SakDims){.d = d, .heads = heads, .ffn = E->ffn, .window = E->window};
}

static void selfattn_fill(float *w, int64_t n, float a, Rng *r)
{
    for (int64_t i = 0; i < n; i++) w[i] = (2.0f * rng_uniform(r) - 1.0f) * a;
}

void selfattn_randomize(float *const *t, const SelfAttnDims *E, int d, uint64_t seed)
{
    if (E->layers == 0) return;
    Rng r;
    rng_seed(&r, rng_mix(seed, 0x73656c66ull /* "self" */, 0));
    const int64_t dd = (int64_t)d * d, L = E->layers;
    for (int64_t i = 0; i < L * d; i++) t[SA_LN1_G][i] = 1.0f;
    if (E->ffn)
        for (int64_t i = 0; i < L * d; i++) t[SA_LN2_G][i] = 1.0f;
    const float a = sqrtf(3.0f / (float)d), a1 = sqrtf(6.0f / (float)(d + E->ffn));
    for (int64_t l = 0; l < L; l++) {
        selfattn_fill(t[SA_WQ] + l * dd, dd, a, &r);
        selfattn_fill(t[SA_WK] + l * dd, dd, a, &r);
        selfattn_fill(t[SA_WV] + l * dd, dd, a, &r);
        if (E->ffn) selfattn_fill(t[SA_W1] + l * E->ffn * d, (int64_t)E->ffn * d, a1, &r);
    }
}

void selfattn_put_dims(CkptBuf *b, const SelfAttnDims *E)
{
    const int32_t v[6] = {E->layers, E->ffn, E->window, E->positional, E->ngrams, E->positions};
    ckpt_put(b, v, sizeof v);
}

int selfattn_get_dims(CkptCursor *c, SelfAttnDims *E, int d, int heads)
{
    int32_t v[6] = {0};
    ckpt_copy(c, v, sizeof v);
    *E = (SelfAttnDims){.layers = v[0], .ffn = v[1], .window = v[2], .positional = v[3], .ngrams = v[4],
                        .positions = v[5]};
    if (c->bad || E->layers < 0 || E->layers > SELFATTN_MAX_LAYERS) return -1;
    if (E->layers == 0) return E->ffn || E->window || E->positional || E->ngrams || E->positions ? -1 : 0;
    const int learned = E->positional == POSITIONAL_LEARNED;
    if (E->ffn < 0 || E->ffn > 65536 || E->window < 0 || (unsigned)E->positional > POSITIONAL_LEARNED ||
        (unsigned)E->ngrams > 1 || (learned ? E->positions < 1 || E->positions > 65536 : E->positions != 0) ||
        d % heads != 0)
        return -1;
    return 0;
}

void selfattn_scratch_free(SelfAttnScratch *s)
{
    free(s->block);
    free(s->tok);
    free(s->doc_off);
    memset(s, 0, sizeof *s);
}

void selfattn_scratch_reserve(SelfAttnScratch *s, const SelfAttnDims *E, int d, int heads, int cap_t)
{
    if (E->layers == 0 || (cap_t <= s->cap_t && s->block)) return;
    const float dropout = s->dropout;
    selfattn_scratch_free(s);
    s->dropout = dropout;
    const SakDims SD = selfattn_sak(E, d, heads);
    const size_t td = ((size_t)cap_t * d + 15) & ~(size_t)15, nc = sak_cache_floats(&SD, cap_t);
    const size_t nk = (size_t)E->layers * 2 * td, nw = sak_work_floats(&SD, cap_t);
    const size_t npe = E->positional == POSITIONAL_SIN ? td : 0;
    float *b = s->block = xaligned_calloc((2 * td + npe + nk + E->layers * nc + nw) * sizeof(float));
    s->h[0] = b;
    s->h[1] = b + td;
    b += 2 * td;
    s->pe = npe ? b : NULL;
    if (npe) kernel_posenc(s->pe, cap_t, d);
    b += npe;
    s->keep = b;
    b += nk;
    for (int l = 0; l < E->layers; l++, b += nc) sak_cache_bind(&s->cache[l], b, &SD, cap_t);
    sak_work_bind(&s->work, b, &SD, cap_t);
    s->tok = xcalloc((size_t)cap_t, sizeof *s->tok);
    s->doc_off = xcalloc((size_t)cap_t + 1, sizeof *s->doc_off);
    s->cap_t = cap_t;
}

/* The document positions of the encoder's tokens (selfattn.h); returns Te. */
static int selfattn_tokens(int32_t *tok, const int32_t *ids, int n, int T, int64_t dense_rows, int ngrams)
{
    if (ngrams) {
        for (int j = 0; j < T; j++) tok[j] = j;
        return T;
    }
    int Te = 0;
    for (int i = 0, p = 0; i < n; i++) {
        if (ids[i] < 0) continue;
        const int single = i + 1 == n || ids[i + 1] >= 0;
        if (!(single && ids[i] >= dense_rows)) tok[Te++] = p;
        p++;
    }
    return Te;
}

/* Dropout scales for every layer of one document of Te tokens in a pack of T:
 * 0, or 1/(1-p) for a kept unit, drawn from seed in the order of the document's
 * own feature-major layout ([n_masks,d,Te]), so that its masks depend neither on
 * the thread it runs on nor on the documents packed with it. */
static void selfattn_masks(float *keep, int n_masks, int d, int T, int o, int Te, float p, uint64_t seed)
{
    Rng r;
    rng_seed(&r, rng_mix(seed, 0x656e63ull /* "enc" */, 0));
    const float kept = 1.0f / (1.0f - p);
    for (int m = 0; m < n_masks; m++)
        for (int i = 0; i < d; i++) {
            float *row = keep + ((size_t)m * d + i) * T + o;
            for (int t = 0; t < Te; t++) row[t] = rng_uniform(&r) >= p ? kept : 0.0f;
        }
}

void selfattn_forward(float *x, SelfAttnScratch *s, const int32_t *ids, int n, int T, float *const *t,
                      const SelfAttnDims *E, int d, int heads, int64_t dense_rows, uint64_t seed)
{
    const SelfAttnDoc doc = {.x = x, .ids = ids, .n = n, .T = T, .seed = seed};
    selfattn_forward_pack(s, &doc, 1, t, E, d, heads, dense_rows);
}

void selfattn_forward_pack(SelfAttnScratch *s, const SelfAttnDoc *docs, int nd, float *const *t,
                           const SelfAttnDims *E, int d, int heads, int64_t dense_rows)
{
    int Te = 0;
    for (int b = 0; b < nd; b++) {
        s->doc_off[b] = Te;
        Te += selfattn_tokens(s->tok + Te, docs[b].ids, docs[b].n, docs[b].T, dense_rows, E->ngrams);
    }
    s->doc_off[nd] = s->T = Te;
    s->n_docs = nd;
    if (Te == 0) return;
    const SakDims SD = selfattn_sak(E, d, heads);
    const size_t td = (size_t)Te * d, row = (size_t)d * sizeof(float);
    const int per = E->ffn ? 2 : 1;
    float *h = s->h[0];
    for (int b = 0; b < nd; b++) {
        const int o = s->doc_off[b], n = s->doc_off[b + 1] - o;
        float *hb = h + (size_t)o * d;
        for (int j = 0; j < n; j++) memcpy(hb + (size_t)j * d, docs[b].x + (size_t)s->tok[o + j] * d, row);
        if (E->positional == POSITIONAL_SIN)
#pragma omp simd
            for (size_t i = 0; i < (size_t)n * d; i++) hb[i] += s->pe[i];
        else if (E->positional == POSITIONAL_LEARNED)
            sak_positions_forward(hb, hb, t[SA_POS], n, d, E->positions);
        if (s->dropout > 0.0f) selfattn_masks(s->keep, E->layers * per, d, Te, o, n, s->dropout, docs[b].seed);
    }
    const SakPack pack = {.n = nd, .off = s->doc_off};
    for (int l = 0; l < E->layers; l++) {
        const SakLayer p = selfattn_layer(t, E, d, l);
        const float *keep = s->dropout > 0.0f ? s->keep + (size_t)l * per * td : NULL;
        sak_layer_forward(s->h[(l + 1) & 1], &s->cache[l], &s->work, s->h[l & 1], keep, &p, &SD, Te, &pack);
    }
    const float *out = s->h[E->layers & 1];
    for (int b = 0; b < nd; b++)
        for (int j = s->doc_off[b]; j < s->doc_off[b + 1]; j++)
            memcpy(docs[b].x + (size_t)s->tok[j] * d, out + (size_t)j * d, row);
}

void selfattn_backward(float *dx, float *const *g, SelfAttnScratch *s, float *const *t, const SelfAttnDims *E,
                       int d, int heads)
{
    selfattn_backward_pack(&dx, g, s, t, E, d, heads);
}

void selfattn_backward_pack(float *const *dx, float *const *g, SelfAttnScratch *s, float *const *t,
                            const SelfAttnDims *E, int d, int heads)
{
    const int Te = s->T, nd = s->n_docs;
    if (Te == 0) return;
    const SakDims SD = selfattn_sak(E, d, heads);
    const SakPack pack = {.n = nd, .off = s->doc_off};
    const size_t td = (size_t)Te * d, row = (size_t)d * sizeof(float);
    const int per = E->ffn ? 2 : 1;
    for (int b = 0; b < nd; b++)
        for (int j = s->doc_off[b]; j < s->doc_off[b + 1]; j++)
            memcpy(s->h[0] + (size_t)j * d, dx[b] + (size_t)s->tok[j] * d, row);
    const float *a = s->h[0];
    int w = 1; /* the h buffer the next layer writes */
    for (int l = E->layers - 1; l >= 0; l--, w ^= 1) {
        const SakLayer p = selfattn_layer(t, E, d, l), gl = selfattn_layer(g, E, d, l);
        const float *keep = s->dropout > 0.0f ? s->keep + (size_t)l * per * td : NULL;
        float *b = s->h[w];
        memset(b, 0, td * sizeof *b);
        sak_layer_backward(b, &gl, &s->work, a, &s->cache[l], keep, &p, &SD, Te, &pack);
        a = b;
    }
    /* a = dL/de; e = x + P, so dL/dx is a at the tokens and P's gradient is a too. */
    for (int b = 0; b < nd; b++) {
        const int o = s->doc_off[b], n = s->doc_off[b + 1] - o;
        if (E->positional == POSITIONAL_LEARNED)
            sak_positions_backward(g[SA_POS], a + (size_t)o * d, n, d, E->positions);
        for (int j = o; j < o + n; j++) memcpy(dx[b] + (size_t)s->tok[j] * d, a + (size_t)j * d, row);
    }
}

size_t selfattn_explain_floats(const SelfAttnScratch *s, const SelfAttnDims *E)
{
    const size_t Te = (size_t)s->T;
    return (size_t)E->layers * Te * sakmha_span(s->T, E->window) + 4 * Te;
}

void selfattn_explain(float *w, float *work, const float *alpha, int H, int T, const SelfAttnScratch *s,
                      const SelfAttnDims *E)
{
    const int Te = s->T, span = sakmha_span(Te, E->window);
    memcpy(w, alpha, (size_t)H * T * sizeof *w);
    if (Te == 0) return;
    const float *A[SELFATTN_MAX_LAYERS];
    float *b = work;
    for (int l = 0; l < E->layers; l++, b += (size_t)span * Te) {
        rollout_head_mean(b, s->cache[l].p, Te, H, E->window);
        A[l] = b;
    }
    float *in = b, *out = in + Te, *rw = out + Te;
    for (int h = 0; h < H; h++) {
        const float *ah = alpha + (size_t)h * T;
        float *wh = w + (size_t)h * T;
        for (int j = 0; j < Te; j++) in[j] = ah[s->tok[j]];
        rollout_weights(out, rw, in, A, E->layers, Te, E->window);
        for (int j = 0; j < Te; j++) wh[s->tok[j]] = out[j];
    }
}
