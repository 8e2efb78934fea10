/* test_kernels.c - finite-difference gradient checks of model_forward/backward
 * on every parameter tensor, for both attention kinds, positional encoding on
 * and off, context sums and the gate, several heads, dropout, a one-token
 * document, repeated token ids, an empty document and a logit offset; plus the
 * pieces' own identities. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "model.h"
#include "rng.h"

typedef struct Case {
    AttentionKind attention;
    int positional, context, gate, heads, dim, T;
    float dropout;
    const int32_t *ids;
    const float *offset; /* [3] logit offset (another member's scores), or NULL */
} Case;

static const int32_t label_one[1] = {1};
#define LABEL_ONE label_one

static void test_fill(float *w, int64_t n, Rng *r)
{
    for (int64_t i = 0; i < n; i++) w[i] = 2.0f * rng_uniform(r) - 1.0f;
}

/* Analytic gradient of every parameter, with embedding rows summed over tokens. */
static void analytic(const Model *m, const Case *c, int y, DocScratch *s, float *grad /* [n_params] */)
{
    memset(grad, 0, (size_t)m->n_params * sizeof(float));
    float *demb = calloc((size_t)(c->T ? c->T : 1) * c->dim, sizeof(float));
    model_forward(m, c->ids, c->T, c->offset, &y, 1, c->dropout, 42, s);
    model_backward(m, c->ids, c->T, &y, 1, c->dropout, 1.0f, s, grad, demb);
    float *gemb = grad + m->tensors[TENSOR_EMB].offset;
    for (int t = 0; t < c->T; t++) {
        const int32_t row = c->ids[t] < 0 ? ~c->ids[t] : c->ids[t];
        for (int e = 0; e < c->dim; e++) gemb[(size_t)row * c->dim + e] += demb[(size_t)t * c->dim + e];
    }
    free(demb);
}

static void gradcheck(const Case *c)
{
    ModelDims D = {.rows = 7, .dim = c->dim, .heads = c->heads, .classes = 3, .attention = c->attention,
                   .positional = c->positional, .context = c->context, .gate = c->gate};
    Model m;
    model_init(&m, &D);
    Rng r;
    rng_seed(&r, 7);
    test_fill(m.params, m.n_params, &r);
    DocScratch s;
    docscratch_init(&s, &D, c->T > 0 ? c->T : 1);
    float *grad = malloc((size_t)m.n_params * sizeof(float));
    const int y = 1;
    analytic(&m, c, y, &s, grad);
    for (int k = 0; k < N_TENSORS; k++) {
        const TensorInfo *ti = &m.tensors[k];
        for (int64_t i = 0; i < ti->numel; i++) {
            float *p = m.params + ti->offset + i, save = *p;
            const float h = 1e-2f;
            *p = save + h;
            double lp = model_forward(&m, c->ids, c->T, c->offset, &y, 1, c->dropout, 42, &s);
            *p = save - h;
            double lm = model_forward(&m, c->ids, c->T, c->offset, &y, 1, c->dropout, 42, &s);
            *p = save;
            double num = (lp - lm) / (2.0 * h), ana = grad[ti->offset + i];
            ck_assert_msg(fabs(num - ana) <= 5e-4 + 3e-3 * fabs(ana),
                          "tensor %s[%lld]: numeric %.6f vs analytic %.6f (attention %d, positional %d, context %d, "
                          "gate %d, H %d, T %d)",
                          ti->name, (long long)i, num, ana, c->attention, c->positional, c->context, c->gate, c->heads,
                          c->T);
        }
    }
    free(grad);
    docscratch_free(&s);
    model_free(&m);
}

static const int32_t ids_long[] = {0, 3, 3, 5, 1, 3, 6, 2};
static const int32_t ids_one[] = {4};
/* Bags (a word and its character n-grams): positions {0,3,5}, {1}, {3,3,6}, {2}, {4,~1}. */
static const int32_t ids_bags[] = {0, ~3, ~5, 1, 3, ~3, ~6, 2, 4, ~1};

START_TEST(test_gradcheck_all_configurations)
{
    for (int att = 0; att < 2; att++)
        for (int pos = 0; pos < 2; pos++)
            for (int heads = 1; heads <= 3; heads += 2) {
                Case c = {.attention = (AttentionKind)att, .positional = pos, .heads = heads, .dim = 5,
                          .T = 8, .ids = ids_long};
                gradcheck(&c);
            }
}
END_TEST

START_TEST(test_gradcheck_context)
{
    /* Context sums alone, the gate alone, both; with and without positions. */
    for (int kind = 1; kind < 4; kind++)
        for (int pos = 0; pos < 2; pos++)
            for (int heads = 1; heads <= 3; heads += 2) {
                Case c = {.attention = ATTN_DOT, .positional = pos, .context = kind & 1, .gate = kind >> 1,
                          .heads = heads, .dim = 5, .T = 8, .ids = ids_long};
                gradcheck(&c);
            }
    const int32_t *docs[] = {ids_one, ids_one, ids_long};
    const int lens[] = {0, 1, 2};
    for (int i = 0; i < 3; i++) {
        Case c = {.attention = ATTN_DOT, .context = 1, .gate = 1, .heads = 2, .dim = 4, .T = lens[i], .ids = docs[i]};
        gradcheck(&c);
    }
    Case c = {.attention = ATTN_DOT, .context = 1, .gate = 1, .heads = 2, .dim = 6, .T = 8, .ids = ids_long,
              .dropout = 0.3f};
    gradcheck(&c);
}
END_TEST

/* kernels.c compiles its per-token kernels apart for d = 8 and 16 (loops unrolled). */
START_TEST(test_gradcheck_unrolled_dims)
{
    for (int dim = 8; dim <= 16; dim += 8) {
        /* Context sums alone, the gate alone, both (dot attention), and additive attention. */
        for (int kind = 0; kind < 4; kind++) {
            Case c = {.attention = ATTN_DOT, .context = kind & 1, .gate = kind >> 1, .heads = 2, .dim = dim,
                      .T = 10, .ids = ids_bags};
            gradcheck(&c);
        }
        Case c = {.attention = ATTN_ADDITIVE, .heads = 2, .dim = dim, .T = 10, .ids = ids_bags};
        gradcheck(&c);
    }
}
END_TEST

START_TEST(test_ctx_attn_without_context_is_dot_attn)
{
    /* With no context terms the context kernels must be the dot kernels, bit for bit. */
    enum { T = 6, d = 5, H = 3 };
    float x[T * d], xs[T * d], q[H * d], dz[H * d];
    float a1[H * T], z1[H * d], a2[H * T], z2[H * d];
    float dx1[T * d] = {0}, dxs1[T * d] = {0}, dq1[H * d] = {0}, dx2[T * d] = {0}, dxs2[T * d] = {0},
          dq2[H * d] = {0};
    Rng r;
    rng_seed(&r, 11);
    test_fill(x, T * d, &r);
    test_fill(xs, T * d, &r);
    test_fill(q, H * d, &r);
    test_fill(dz, H * d, &r);
    kernel_dot_attn_forward(a1, z1, x, xs, q, T, d, H);
    kernel_ctx_attn_forward(a2, z2, x, xs, NULL, NULL, q, NULL, T, d, H);
    ck_assert(memcmp(a1, a2, sizeof a1) == 0);
    ck_assert(memcmp(z1, z2, sizeof z1) == 0);
    kernel_dot_attn_backward(dx1, dxs1, dq1, dz, z1, a1, x, xs, q, T, d, H);
    kernel_ctx_attn_backward(dx2, dxs2, NULL, NULL, dq2, NULL, dz, z2, a2, x, xs, NULL, NULL, q, NULL, T, d, H);
    ck_assert(memcmp(dx1, dx2, sizeof dx1) == 0);
    ck_assert(memcmp(dxs1, dxs2, sizeof dxs1) == 0);
    ck_assert(memcmp(dq1, dq2, sizeof dq1) == 0);
}
END_TEST

START_TEST(test_context_model_starts_as_plain)
{
    /* Zero context queries and gate: the same draws and the same predictions as
     * the plain model, so turning the options on changes where training can go,
     * not where it starts. */
    ModelDims P = {.rows = 7, .dim = 5, .heads = 2, .classes = 3, .attention = ATTN_DOT};
    ModelDims X = P;
    X.context = X.gate = 1;
    Model mp, mx;
    model_init(&mp, &P);
    model_init(&mx, &X);
    model_randomize(&mp, 6, 3);
    model_randomize(&mx, 6, 3);
    ck_assert(memcmp(mp.p.emb, mx.p.emb, (size_t)7 * 5 * sizeof(float)) == 0);
    ck_assert(memcmp(mp.p.out_w, mx.p.out_w, (size_t)3 * 10 * sizeof(float)) == 0);
    for (int k = TENSOR_CTX_Q; k <= TENSOR_GATE_B; k++) {
        ck_assert_int_eq(mp.tensors[k].numel, 0);
        ck_assert_int_gt(mx.tensors[k].numel, 0);
        for (int64_t i = 0; i < mx.tensors[k].numel; i++) ck_assert_float_eq(mx.params[mx.tensors[k].offset + i], 0.0f);
    }
    /* The query is zero too at the start; give it values so attention is not uniform. */
    for (int i = 0; i < 10; i++) mp.p.query[i] = mx.p.query[i] = 0.1f * (float)(i - 4);
    DocScratch sp, sx;
    docscratch_init(&sp, &P, 8);
    docscratch_init(&sx, &X, 8);
    float lp = model_forward(&mp, ids_long, 8, NULL, LABEL_ONE, 1, 0.0f, 1, &sp), lx = model_forward(&mx, ids_long, 8, NULL, LABEL_ONE, 1, 0.0f, 1, &sx);
    ck_assert_float_eq(lp, lx);
    ck_assert(memcmp(sp.probs, sx.probs, 3 * sizeof(float)) == 0);
    docscratch_free(&sp);
    docscratch_free(&sx);
    model_free(&mp);
    model_free(&mx);
}
END_TEST

START_TEST(test_logit_offset)
{
    /* The offset is added to the logits as they are, and the gradients through a
     * forward with an offset (which changes the probabilities) still check out. */
    static const float offset[3] = {0.75f, -1.5f, 0.25f};
    ModelDims D = {.rows = 7, .dim = 5, .heads = 2, .classes = 3, .attention = ATTN_DOT};
    Model m;
    model_init(&m, &D);
    Rng r;
    rng_seed(&r, 11);
    test_fill(m.params, m.n_params, &r);
    DocScratch s;
    docscratch_init(&s, &D, 8);
    model_forward(&m, ids_long, 8, NULL, LABEL_ONE, 1, 0.0f, 0, &s);
    float plain[3];
    memcpy(plain, s.logits, sizeof plain);
    float loss = model_forward(&m, ids_long, 8, offset, LABEL_ONE, 1, 0.0f, 0, &s);
    double norm = 0.0;
    for (int c = 0; c < 3; c++) {
        ck_assert_float_eq(s.logits[c], plain[c] + offset[c]);
        norm += exp((double)s.logits[c]);
    }
    ck_assert_double_eq_tol(loss, log(norm) - s.logits[1], 1e-5);
    docscratch_free(&s);
    model_free(&m);
    Case c = {.attention = ATTN_DOT, .context = 1, .gate = 1, .heads = 2, .dim = 5, .T = 8, .ids = ids_long,
              .offset = offset};
    gradcheck(&c);
}
END_TEST

START_TEST(test_gradcheck_one_token)
{
    for (int att = 0; att < 2; att++) {
        Case c = {.attention = (AttentionKind)att, .heads = 2, .dim = 4, .T = 1, .ids = ids_one};
        gradcheck(&c);
    }
}
END_TEST

START_TEST(test_gradcheck_bags)
{
    /* Positions made of several rows (character n-grams), repeated rows inside a
     * bag, with every pooling and context variant. */
    for (int att = 0; att < 2; att++) {
        Case c = {.attention = (AttentionKind)att, .positional = 1, .heads = 2, .dim = 5, .T = 10, .ids = ids_bags};
        gradcheck(&c);
    }
    Case c = {.attention = ATTN_DOT, .context = 1, .gate = 1, .heads = 3, .dim = 6, .T = 10, .ids = ids_bags,
              .dropout = 0.3f};
    gradcheck(&c);
}
END_TEST

START_TEST(test_bags_match_naive)
{
    enum { ROWS = 7, d = 5, N = 10 };
    float table[ROWS * d], fast[N * d], dx[N * d], demb[N * d];
    Rng r;
    rng_seed(&r, 5);
    test_fill(table, ROWS * d, &r);
    test_fill(dx, N * d, &r);
    ck_assert_int_eq(kernel_bag_count(ids_bags, N), 5);
    ck_assert_int_eq(kernel_gather_bags(fast, table, ids_bags, N, d), 5);
    /* Naive: each position's rows summed in double, then divided. */
    const int start[6] = {0, 3, 4, 7, 8, 10};
    for (int p = 0; p < 5; p++)
        for (int e = 0; e < d; e++) {
            double sum = 0;
            for (int i = start[p]; i < start[p + 1]; i++) {
                int32_t row = ids_bags[i] < 0 ? ~ids_bags[i] : ids_bags[i];
                sum += table[row * d + e];
            }
            ck_assert_float_eq_tol(fast[p * d + e], (float)(sum / (start[p + 1] - start[p])), 1e-6f);
        }
    kernel_scatter_bags(demb, dx, ids_bags, N, d);
    for (int p = 0; p < 5; p++)
        for (int i = start[p]; i < start[p + 1]; i++)
            for (int e = 0; e < d; e++)
                ck_assert_float_eq_tol(demb[i * d + e], dx[p * d + e] / (float)(start[p + 1] - start[p]), 1e-7f);
    /* Without bags: the plain gather and a copy, bit for bit. */
    float plain[8 * d], bag[8 * d], back[8 * d];
    kernel_gather(plain, table, ids_long, 8, d);
    ck_assert_int_eq(kernel_gather_bags(bag, table, ids_long, 8, d), 8);
    ck_assert(memcmp(plain, bag, sizeof plain) == 0);
    kernel_scatter_bags(back, dx, ids_long, 8, d);
    ck_assert(memcmp(back, dx, sizeof back) == 0);
}
END_TEST

START_TEST(test_gradcheck_dropout)
{
    Case c = {.attention = ATTN_DOT, .positional = 1, .heads = 2, .dim = 6, .T = 8, .ids = ids_long, .dropout = 0.3f};
    gradcheck(&c);
}
END_TEST

START_TEST(test_gradcheck_empty_document)
{
    /* An empty document pools to z = 0: only the classifier bias gets gradient. */
    Case c = {.attention = ATTN_DOT, .heads = 2, .dim = 4, .T = 0, .ids = ids_one};
    gradcheck(&c);
}
END_TEST

START_TEST(test_attention_is_a_distribution)
{
    const int T = 5, d = 4, H = 2;
    float x[20], q[8], alpha[10], z[8];
    Rng r;
    rng_seed(&r, 3);
    test_fill(x, 20, &r);
    test_fill(q, 8, &r);
    kernel_dot_attn_forward(alpha, z, x, x, q, T, d, H);
    for (int h = 0; h < H; h++) {
        float sum = 0;
        for (int t = 0; t < T; t++) {
            ck_assert(alpha[h * T + t] > 0.0f);
            sum += alpha[h * T + t];
        }
        ck_assert_float_eq_tol(sum, 1.0f, 1e-6f);
    }
    /* Zero queries give uniform attention: mean pooling. */
    memset(q, 0, sizeof q);
    kernel_dot_attn_forward(alpha, z, x, x, q, T, d, H);
    for (int e = 0; e < d; e++) {
        float mean = 0;
        for (int t = 0; t < T; t++) mean += x[t * d + e] / T;
        ck_assert_float_eq_tol(z[e], mean, 1e-6f);
        ck_assert_float_eq_tol(z[d + e], mean, 1e-6f);
    }
}
END_TEST

START_TEST(test_softmax_is_stable)
{
    float s[3] = {1000.0f, 1000.0f, -1000.0f};
    kernel_softmax_rows(s, 1, 3);
    ck_assert_float_eq_tol(s[0], 0.5f, 1e-6f);
    ck_assert_float_eq_tol(s[2], 0.0f, 1e-6f);
    float logits[2] = {0.0f, 0.0f}, probs[2];
    ck_assert_float_eq_tol(kernel_softmax_xent_forward(probs, logits, 2, 1), logf(2.0f), 1e-6f);
}
END_TEST

START_TEST(test_posenc_values)
{
    float pe[3 * 4];
    kernel_posenc(pe, 3, 4);
    ck_assert_float_eq_tol(pe[0], 0.0f, 1e-7f);           /* sin(0) */
    ck_assert_float_eq_tol(pe[1], 1.0f, 1e-7f);           /* cos(0) */
    ck_assert_float_eq_tol(pe[4], sinf(1.0f), 1e-6f);     /* t=1, i=0 */
    ck_assert_float_eq_tol(pe[7], cosf(0.01f), 1e-6f);    /* t=1, i=2: 1/10000^(2/4) */
}
END_TEST

START_TEST(test_tensor_table)
{
    ModelDims D = {.rows = 10, .dim = 8, .heads = 2, .classes = 4, .attention = ATTN_DOT};
    Model m;
    model_init(&m, &D);
    ck_assert_int_eq(m.tensors[TENSOR_QUERY].numel, 16);
    ck_assert_int_eq(m.tensors[TENSOR_ATT_W].numel, 0);
    ck_assert_int_eq(m.tensors[TENSOR_OUT_W].numel, 4 * 16);
    ck_assert_int_eq(m.tensors[TENSOR_EMB].numel, 80);
    ck_assert_int_eq(m.n_dense, 16 + 64 + 4);
    ck_assert_int_eq(m.n_params, m.n_dense + 80);
    ck_assert_ptr_eq(m.p.emb, m.params + m.n_dense);
    ck_assert_str_eq(m.tensors[TENSOR_EMB].name, "emb");
    model_randomize(&m, 3, 1);
    for (int e = 0; e < 8; e++) ck_assert_float_eq(m.p.emb[3 * 8 + e], 0.0f); /* UNK row */
    for (int i = 0; i < 16; i++) ck_assert_float_eq(m.p.query[i], 0.0f);
    model_free(&m);
}
END_TEST

Suite *kernels_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("gradcheck");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_gradcheck_all_configurations);
    tcase_add_test(tc, test_gradcheck_context);
    tcase_add_test(tc, test_gradcheck_one_token);
    tcase_add_test(tc, test_logit_offset);
    tcase_add_test(tc, test_gradcheck_dropout);
    tcase_add_test(tc, test_gradcheck_empty_document);
    tcase_add_test(tc, test_gradcheck_bags);
    suite_add_tcase(s, tc);
    TCase *tk = tcase_create("kernels");
    tcase_add_test(tk, test_attention_is_a_distribution);
    tcase_add_test(tk, test_softmax_is_stable);
    tcase_add_test(tk, test_posenc_values);
    tcase_add_test(tk, test_tensor_table);
    tcase_add_test(tk, test_ctx_attn_without_context_is_dot_attn);
    tcase_add_test(tk, test_context_model_starts_as_plain);
    tcase_add_test(tk, test_bags_match_naive);
    tcase_add_test(tk, test_gradcheck_unrolled_dims);
    suite_add_tcase(s, tk);
    return s;
}
