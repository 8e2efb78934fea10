/* test_sakernels.c - the self-attention layer's kernels: central finite-difference
 * gradient checks of every tensor (input, learned positions, both LayerNorms, the
 * projections and their biases, the FFN) with and without the window, for 1 and 3
 * heads and T = 1, 2, 9; a check that the checker catches a wrong gradient; the
 * optimised attention and projections against their naive references (gemm_nn
 * and gemm_nn_set bit for bit against their summation order, in the SSE and
 * the AVX kernels; gemm_nt_shared against gemm_nt); the
 * window's mask; scratch bound for longer documents; rollout on a hand-computed
 * example and banded against full. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "rng.h"
#include "rollout.h"
#include "sakernels.h"

static void test_fill(float *w, size_t n, float a, Rng *r)
{
    for (size_t i = 0; i < n; i++) w[i] = a * (2.0f * rng_uniform(r) - 1.0f);
}

enum { MAX_TENSORS = 18 };

typedef struct Tensor {
    const char *name;
    size_t off, numel;
} Tensor;

/* One layer with its input x and learned positions pos [P,d], all in one block. */
typedef struct Net {
    SakDims D;
    int T, P;
    Tensor tensors[MAX_TENSORS];
    int n_tensors;
    size_t n;                   /* floats of the block */
    float *params, *grad;       /* [n] */
    SakLayer p, g;              /* views of params and grad */
    float *x, *pos, *gx, *gpos; /* [T,d], [P,d] views of params and grad */
    float *r;                   /* [T,d] loss weights: L = sum r * out */
    float *x0, *out, *dx0;      /* [T,d] x + positions, the layer's output, dL/dx0 */
    float *keep;                /* [2,d,T] dropout scales, or NULL */
    float *cache_block, *work_block;
    SakCache c;
    SakWork w;
} Net;

/* Lays out the tensors; with block, points the layer's (and x's, pos's) views into it. */
static size_t net_layout(Net *n, float *block, SakLayer *l, float **x, float **pos)
{
    const size_t d = (size_t)n->D.d, F = (size_t)n->D.ffn;
    struct {
        const char *name;
        size_t numel;
        float **view;
    } t[] = {
        {"x", n->T * d, x},           {"pos", n->P * d, pos},       {"ln1_g", d, &l->ln1_g}, {"ln1_b", d, &l->ln1_b},
        {"wq", d * d, &l->wq},        {"bq", d, &l->bq},            {"wk", d * d, &l->wk},   {"wv", d * d, &l->wv},
        {"bv", d, &l->bv},            {"wo", d * d, &l->wo},        {"bo", d, &l->bo},       {"w1", F * d, &l->w1},
        {"ln2_g", F ? d : 0, &l->ln2_g}, {"ln2_b", F ? d : 0, &l->ln2_b}, {"b1", F, &l->b1}, {"w2", d * F, &l->w2},
        {"b2", F ? d : 0, &l->b2},
    };
    size_t off = 0;
    n->n_tensors = 0;
    memset(l, 0, sizeof *l);
    *x = *pos = NULL;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (!t[i].numel) continue;
        n->tensors[n->n_tensors++] = (Tensor){t[i].name, off, t[i].numel};
        *t[i].view = block ? block + off : NULL;
        off += t[i].numel;
    }
    return off;
}

static void net_init(Net *n, int d, int H, int F, int W, int T, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    n->D = (SakDims){.d = d, .heads = H, .ffn = F, .window = W};
    n->T = T;
    n->P = 7; /* fewer rows than T = 9: the last row serves positions 6..8 */
    float *x, *pos;
    SakLayer dummy;
    n->n = net_layout(n, NULL, &dummy, &x, &pos);
    n->params = malloc(n->n * sizeof(float));
    n->grad = malloc(n->n * sizeof(float));
    net_layout(n, n->params, &n->p, &n->x, &n->pos);
    net_layout(n, n->grad, &n->g, &n->gx, &n->gpos);
    Rng r;
    rng_seed(&r, seed);
    test_fill(n->params, n->n, 1.0f, &r);
    size_t td = (size_t)(T ? T : 1) * d;
    n->r = malloc(td * sizeof(float));
    test_fill(n->r, (size_t)T * d, 1.0f, &r);
    n->x0 = malloc(td * sizeof(float));
    n->out = malloc(td * sizeof(float));
    n->dx0 = malloc(td * sizeof(float));
    n->cache_block = malloc(sak_cache_floats(&n->D, T) * sizeof(float));
    n->work_block = malloc(sak_work_floats(&n->D, T) * sizeof(float));
    sak_cache_bind(&n->c, n->cache_block, &n->D, T);
    sak_work_bind(&n->w, n->work_block, &n->D, T);
}

static void net_free(Net *n)
{
    float *bufs[] = {n->params, n->grad, n->r, n->x0, n->out, n->dx0, n->cache_block, n->work_block, n->keep};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) free(bufs[i]);
}

static double net_loss(Net *n)
{
    const int d = n->D.d;
    sak_positions_forward(n->x0, n->x, n->pos, n->T, d, n->P);
    sak_layer_forward(n->out, &n->c, &n->w, n->x0, n->keep, &n->p, &n->D, n->T, NULL);
    double L = 0.0;
    for (size_t i = 0; i < (size_t)n->T * d; i++) L += (double)n->r[i] * n->out[i];
    return L;
}

static void net_grad(Net *n)
{
    const size_t td = (size_t)n->T * n->D.d;
    memset(n->grad, 0, n->n * sizeof(float));
    memset(n->dx0, 0, td * sizeof(float));
    net_loss(n);
    sak_layer_backward(n->dx0, &n->g, &n->w, n->r, &n->c, n->keep, &n->p, &n->D, n->T, NULL);
    for (size_t i = 0; i < td; i++) n->gx[i] += n->dx0[i]; /* x0 = x + pos */
    sak_positions_backward(n->gpos, n->dx0, n->T, n->D.d, n->P);
}

/* Which FFN units are active: a central difference across ReLU's kink is no
 * derivative, so coordinates whose step flips one are skipped (and counted). */
static void net_relu_pattern(const Net *n, unsigned char *on)
{
    for (size_t i = 0; i < (size_t)n->T * n->D.ffn; i++) on[i] = n->c.f[i] > 0.0f;
}

/* Compares grad with central differences of every coordinate; returns the number
 * that disagree, asserting none do unless count_only. skipped_at [n] (or NULL) marks
 * the coordinates left out at a ReLU kink. */
static int net_gradcheck(Net *n, const float *grad, int count_only, unsigned char *skipped_at)
{
    const size_t tf = (size_t)n->T * n->D.ffn;
    unsigned char *base = malloc(tf + 1), *now = malloc(tf + 1);
    net_loss(n);
    net_relu_pattern(n, base);
    int bad = 0, checked = 0, skipped = 0;
    for (int k = 0; k < n->n_tensors; k++) {
        const Tensor *ti = &n->tensors[k];
        for (size_t i = 0; i < ti->numel; i++) {
            float *p = n->params + ti->off + i, save = *p;
            const float h = 1e-2f;
            int kink = 0;
            *p = save + h;
            double lp = net_loss(n);
            net_relu_pattern(n, now);
            kink |= memcmp(base, now, tf) != 0;
            *p = save - h;
            double lm = net_loss(n);
            net_relu_pattern(n, now);
            kink |= memcmp(base, now, tf) != 0;
            *p = save;
            if (skipped_at) skipped_at[ti->off + i] = (unsigned char)kink;
            if (kink) {
                skipped++;
                continue;
            }
            checked++;
            double num = (lp - lm) / (2.0 * h), ana = grad[ti->off + i];
            int ok = fabs(num - ana) <= 5e-4 + 3e-3 * fabs(ana);
            bad += !ok;
            if (!ok && !count_only)
                ck_abort_msg("tensor %s[%zu]: numeric %.6f vs analytic %.6f (d %d, H %d, F %d, W %d, T %d)", ti->name,
                             i, num, ana, n->D.d, n->D.heads, n->D.ffn, n->D.window, n->T);
        }
    }
    /* The kink guard must not hollow the check out. */
    ck_assert_msg(skipped * 10 <= checked, "%d of %d coordinates skipped at ReLU kinks", skipped, checked + skipped);
    free(base);
    free(now);
    return bad;
}

START_TEST(test_layer_gradcheck)
{
    static const int Ts[] = {1, 2, 9}, Ws[] = {0, 2, 4};
    uint64_t seed = 1;
    for (int hi = 0; hi < 2; hi++)
        for (int ti = 0; ti < 3; ti++)
            for (int wi = 0; wi < 3; wi++)
                for (int F = 0; F <= 5; F += 5) {
                    Net n;
                    net_init(&n, 6, hi ? 3 : 1, F, Ws[wi], Ts[ti], seed++);
                    net_grad(&n);
                    net_gradcheck(&n, n.grad, 0, NULL);
                    net_free(&n);
                }
}
END_TEST

/* Dropout masks: each scale 0 or 1/(1 - p), drawn from seed. */
static void net_dropout(Net *n, float p, uint64_t seed)
{
    const size_t m = 2 * (size_t)n->T * n->D.d;
    Rng r;
    rng_seed(&r, seed);
    n->keep = malloc((m ? m : 1) * sizeof(float));
    for (size_t i = 0; i < m; i++) n->keep[i] = rng_uniform(&r) >= p ? 1.0f / (1.0f - p) : 0.0f;
}

START_TEST(test_layer_gradcheck_dropout)
{
    /* Residual dropout on both sub-layers: the masks are constants of the loss. */
    static const int Ts[] = {1, 9}, Ws[] = {0, 2};
    uint64_t seed = 100;
    for (int hi = 0; hi < 2; hi++)
        for (int ti = 0; ti < 2; ti++)
            for (int wi = 0; wi < 2; wi++)
                for (int F = 0; F <= 5; F += 5) {
                    Net n;
                    net_init(&n, 6, hi ? 3 : 1, F, Ws[wi], Ts[ti], seed);
                    net_dropout(&n, 0.3f, seed++);
                    net_grad(&n);
                    net_gradcheck(&n, n.grad, 0, NULL);
                    net_free(&n);
                }
}
END_TEST

START_TEST(test_dropout_all_kept_is_no_dropout)
{
    /* Scales of 1 give the same bits as no mask. */
    Net a, b;
    net_init(&a, 6, 3, 5, 2, 9, 8);
    net_init(&b, 6, 3, 5, 2, 9, 8);
    net_dropout(&b, 0.0f, 1);
    net_grad(&a);
    net_grad(&b);
    ck_assert(memcmp(a.out, b.out, 9 * 6 * sizeof(float)) == 0);
    ck_assert(memcmp(a.grad, b.grad, a.n * sizeof(float)) == 0);
    net_free(&a);
    net_free(&b);
}
END_TEST

START_TEST(test_gradcheck_catches_a_wrong_gradient)
{
    /* An error of 1% + 0.01 in one checked coordinate of any tensor fails the check. */
    Net n;
    net_init(&n, 6, 3, 5, 2, 9, 99);
    net_grad(&n);
    unsigned char *skipped = malloc(n.n);
    ck_assert_int_eq(net_gradcheck(&n, n.grad, 1, skipped), 0);
    float *wrong = malloc(n.n * sizeof(float));
    for (int k = 0; k < n.n_tensors; k++) {
        memcpy(wrong, n.grad, n.n * sizeof(float));
        size_t i = n.tensors[k].off + n.tensors[k].numel / 2;
        while (skipped[i] && i + 1 < n.tensors[k].off + n.tensors[k].numel) i++;
        ck_assert(!skipped[i]);
        wrong[i] += 0.01f + 0.01f * fabsf(wrong[i]);
        ck_assert_msg(net_gradcheck(&n, wrong, 1, NULL) == 1, "a wrong %s gradient passed", n.tensors[k].name);
    }
    free(wrong);
    free(skipped);
    net_free(&n);
}
END_TEST

/* full[h,t,u] (the naive kernel's layout) from p in sakmha_span's layout;
 * every entry of p outside N(t) must be 0. */
static void test_band_to_full(float *full /* [H,T,T] */, const float *p, int H, int T, int W)
{
    const size_t blk = (size_t)sakmha_span(T, W) * T;
    float *seen = calloc(blk, sizeof(float));
    for (int h = 0; h < H; h++) {
        memcpy(seen, p + h * blk, blk * sizeof(float));
        for (int t = 0; t < T; t++)
            for (int u = 0; u < T; u++) {
                ptrdiff_t i = sakmha_index(t, u, T, W);
                full[((size_t)h * T + t) * T + u] = i < 0 ? 0.0f : seen[i];
                if (i >= 0) seen[i] = 0.0f;
            }
        for (size_t i = 0; i < blk; i++)
            if (seen[i] != 0.0f) ck_abort_msg("p[%zu] = %g outside every N(t) (T %d, W %d)", i, seen[i], T, W);
    }
    free(seen);
}

/* The inverse for one head: p in sakmha_span's layout from full [T,T]. */
static void test_full_to_band(float *p, const float *full /* [T,T] */, int T, int W)
{
    memset(p, 0, (size_t)sakmha_span(T, W) * T * sizeof(float));
    for (int t = 0; t < T; t++)
        for (int u = 0; u < T; u++) {
            ptrdiff_t i = sakmha_index(t, u, T, W);
            if (i >= 0) p[i] = full[t * T + u];
        }
}

/* |a - b| <= abs_tol + 1e-5 |b| elementwise; abs_tol grows with the terms summed.
 * Loops of checks abort only on failure: Check records every passing assertion
 * through a file, which made this suite take a minute. */
static void test_assert_close(const float *a, const float *b, size_t n, float abs_tol, const char *what, int x,
                              int y, int z)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(a[i] - b[i]) <= abs_tol + 1e-5f * fabsf(b[i])))
            ck_abort_msg("%s[%zu]: %.8g vs naive %.8g (%d, %d, %d)", what, i, a[i], b[i], x, y, z);
}

START_TEST(test_banded_matches_naive)
{
    /* 300 tokens: a band far narrower than the document. */
    static const int Ts[] = {1, 2, 3, 9, 17, 40, 300}, Ws[] = {0, 1, 2, 4, 8, 100};
    static const int dH[][2] = {{6, 1}, {6, 2}, {6, 3}, {8, 2}, {16, 2}, {12, 4}};
    Rng r;
    rng_seed(&r, 5);
    for (int ti = 0; ti < 7; ti++)
        for (int wi = 0; wi < 6; wi++)
            for (int k = 0; k < 6; k++) {
                const int T = Ts[ti], W = Ws[wi], d = dH[k][0], H = dH[k][1], span = sakmha_span(T, W);
                const size_t td = (size_t)T * d;
                float *buf = malloc((12 * td + 2 * (size_t)H * T * T + (size_t)H * T * span + T +
                                     sakmha_work_floats(T, d, W)) * sizeof(float));
                float *q = buf, *k_ = q + td, *v = k_ + td, *dout = v + td, *o1 = dout + td, *o2 = o1 + td;
                float *dq1 = o2 + td, *dk1 = dq1 + td, *dv1 = dk1 + td, *dq2 = dv1 + td, *dk2 = dq2 + td,
                      *dv2 = dk2 + td, *p1 = dv2 + td, *full = p1 + (size_t)H * T * span,
                      *p2 = full + (size_t)H * T * T, *nwork = p2 + (size_t)H * T * T, *work = nwork + T;
                test_fill(q, 4 * td, 1.5f, &r); /* q, k, v, dout */
                sakmha_forward(o1, p1, work, q, k_, v, T, d, H, W);
                sakmha_forward_naive(o2, p2, q, k_, v, T, d, H, W);
                test_band_to_full(full, p1, H, T, W);
                test_assert_close(full, p2, (size_t)H * T * T, 1e-6f, "p", T, W, H);
                test_assert_close(o1, o2, td, 1e-6f, "o", T, W, H);
                memset(dq1, 0, 6 * td * sizeof(float));
                sakmha_backward(dq1, dk1, dv1, work, dout, o1, p1, q, k_, v, T, d, H, W);
                sakmha_backward_naive(dq2, dk2, dv2, nwork, dout, p2, q, k_, v, T, d, H);
                test_assert_close(dq1, dq2, td, 1e-6f, "dq", T, W, H);
                test_assert_close(dk1, dk2, td, 1e-6f, "dk", T, W, H);
                test_assert_close(dv1, dv2, td, 1e-6f, "dv", T, W, H);
                free(buf);
            }
}
END_TEST

static void test_gemm_sizes(void)
{
    /* For test_gemm_matches_naive: a product's row computed alone has the same
     * bits as inside the whole product. */
    Rng r;
    rng_seed(&r, 31);
    static const int Ks[] = {1, 4, 7, 31, 32, 45};
    for (int M = 1; M <= 13; M += 3)
        for (int N = 1; N <= 24; N += N < 8 || N > 16 ? 2 : 1)
            for (int ki = 0; ki < 6; ki++) {
                const int K = Ks[ki];
                float *A = malloc((size_t)M * K * sizeof(float)), *B = malloc((size_t)K * N * sizeof(float));
                float *Bt = malloc((size_t)N * K * sizeof(float)), *C = malloc((size_t)M * N * sizeof(float));
                float *Ct = malloc((size_t)M * N * sizeof(float)), *Cn = malloc((size_t)M * N * sizeof(float));
                float *row = malloc((size_t)N * sizeof(float));
                test_fill(A, (size_t)M * K, 1.0f, &r);
                test_fill(B, (size_t)K * N, 1.0f, &r);
                test_fill(C, (size_t)M * N, 1.0f, &r);
                for (int k = 0; k < K; k++)
                    for (int n = 0; n < N; n++) Bt[n * K + k] = B[k * N + n];
                memcpy(Ct, C, (size_t)M * N * sizeof(float));
                for (int m = 0; m < M; m++)
                    for (int n = 0; n < N; n++) {
                        double sum = C[m * N + n];
                        for (int k = 0; k < K; k++) sum += (double)A[m * K + k] * B[k * N + n];
                        Cn[m * N + n] = (float)sum;
                    }
                /* gemm_nn's own order, in floats: each element sums its k from 0
                 * in order, then adds to C. Every kernel (SSE, or AVX where the
                 * processor has it) must give exactly these bits. */
                float *Cf = malloc((size_t)M * N * sizeof(float));
                for (int m = 0; m < M; m++)
                    for (int n = 0; n < N; n++) {
                        float acc = 0.0f;
                        for (int k = 0; k < K; k++) acc += A[m * K + k] * B[k * N + n];
                        Cf[m * N + n] = C[m * N + n] + acc;
                    }
                memcpy(row, C + (M - 1) * N, (size_t)N * sizeof(float));
                gemm_nn(C, N, A, K, 1, B, N, M, N, K);
                ck_assert_msg(memcmp(C, Cf, (size_t)M * N * sizeof(float)) == 0, "gemm_nn bits M %d N %d K %d", M, N,
                              K);
                free(Cf);
                gemm_nt(Ct, N, A, K, Bt, K, M, N, K);
                for (int i = 0; i < M * N; i++) {
                    ck_assert_msg(fabsf(C[i] - Cn[i]) <= 1e-5f * (1 + K), "gemm_nn M %d N %d K %d [%d]", M, N, K, i);
                    ck_assert_msg(fabsf(Ct[i] - Cn[i]) <= 1e-5f * (1 + K), "gemm_nt M %d N %d K %d [%d]", M, N, K, i);
                }
                gemm_nn(row, N, A + (M - 1) * K, K, 1, B, N, 1, N, K);
                ck_assert_msg(memcmp(row, C + (M - 1) * N, (size_t)N * sizeof(float)) == 0, "gemm_nn row M %d N %d K %d", M, N, K);
                /* A read transposed (am = 1, ak = M). */
                float *At = malloc((size_t)M * K * sizeof(float)), *C2 = calloc((size_t)M * N, sizeof(float));
                for (int m = 0; m < M; m++)
                    for (int k = 0; k < K; k++) At[k * M + m] = A[m * K + k];
                float *C1 = calloc((size_t)M * N, sizeof(float));
                gemm_nn(C1, N, A, K, 1, B, N, M, N, K);
                gemm_nn(C2, N, At, 1, M, B, N, M, N, K);
                ck_assert(memcmp(C1, C2, (size_t)M * N * sizeof(float)) == 0);
                /* gemm_nn_set over garbage gives gemm_nn's bits onto zeros. */
                test_fill(C2, (size_t)M * N, 1.0f, &r);
                gemm_nn_set(C2, N, A, K, 1, B, N, M, N, K);
                ck_assert_msg(memcmp(C1, C2, (size_t)M * N * sizeof(float)) == 0, "gemm_nn_set M %d N %d K %d", M, N, K);
                free(At), free(C1), free(C2);
                free(A), free(B), free(Bt), free(C), free(Ct), free(Cn), free(row);
            }
}

START_TEST(test_gemm_matches_naive)
{
    /* Every edge: rows 1-13 (4- and 8-row blocks, blocks of fewer rows), columns
     * 1-24 (16- and 8-column blocks, masked edges of 1-15), K on both sides of
     * gemm_nt's switch to dot products at 32; C accumulates, or is overwritten
     * by gemm_nn_set; strided operands (A^T). And a result does not depend on
     * where its block falls. Both in the SSE kernels and, where the processor
     * has AVX2, in the AVX ones: the same bits. */
    const int was = gemm_use_avx2(0);
    test_gemm_sizes();
    gemm_use_avx2(1);
    test_gemm_sizes();
    gemm_use_avx2(was);
}
END_TEST

START_TEST(test_gemm_nt_shared_is_gemm_nt)
{
    /* Three products sharing B, short K (one panel of B for all) and long: each
     * has gemm_nt's bits. */
    Rng r;
    rng_seed(&r, 41);
    static const int Ks[] = {1, 9, 31, 32, 40};
    for (int ki = 0; ki < 5; ki++)
        for (int N = 1; N <= 33; N += 8) {
            const int M = 7, K = Ks[ki];
            float *A = malloc(3 * (size_t)M * K * sizeof(float)), *B = malloc((size_t)N * K * sizeof(float));
            float *C = malloc(6 * (size_t)M * N * sizeof(float));
            test_fill(A, 3 * (size_t)M * K, 1.0f, &r);
            test_fill(B, (size_t)N * K, 1.0f, &r);
            test_fill(C, 3 * (size_t)M * N, 1.0f, &r);
            memcpy(C + 3 * (size_t)M * N, C, 3 * (size_t)M * N * sizeof(float));
            float *const cs[3] = {C, C + (size_t)M * N, C + 2 * (size_t)M * N};
            const float *const as[3] = {A, A + (size_t)M * K, A + 2 * (size_t)M * K};
            gemm_nt_shared(cs, N, as, K, 3, B, K, M, N, K);
            for (int j = 0; j < 3; j++) gemm_nt(C + (size_t)(3 + j) * M * N, N, as[j], K, B, K, M, N, K);
            ck_assert_msg(memcmp(C, C + 3 * (size_t)M * N, 3 * (size_t)M * N * sizeof(float)) == 0,
                          "gemm_nt_shared N %d K %d", N, K);
            free(A), free(B), free(C);
        }
}
END_TEST

START_TEST(test_gemm_transpose)
{
    /* 4x4 register blocks and every edge, with strides wider than a row; += adds. */
    Rng r;
    rng_seed(&r, 43);
    for (int rows = 1; rows <= 11; rows++)
        for (int cols = 1; cols <= 11; cols++) {
            const int lds = cols + 2, ldd = rows + 1;
            float src[11 * 13], dst[11 * 12], want[11 * 12];
            test_fill(src, (size_t)rows * lds, 1.0f, &r);
            for (int add = 0; add < 2; add++) {
                test_fill(dst, (size_t)cols * ldd, 1.0f, &r);
                memcpy(want, dst, sizeof want);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++)
                        want[j * ldd + i] = add ? want[j * ldd + i] + src[i * lds + j] : src[i * lds + j];
                gemm_transpose(dst, ldd, src, lds, rows, cols, add);
                ck_assert_msg(memcmp(dst, want, (size_t)cols * ldd * sizeof(float)) == 0, "transpose %d x %d add %d",
                              rows, cols, add);
            }
        }
}
END_TEST

START_TEST(test_linear_matches_naive)
{
    /* Sizes that hit the GEMM's 4x8 and 4x4 blocks, its edges, and more inputs and
     * outputs than one transposed block of W holds. */
    static const int Ts[] = {1, 3, 4, 5, 9, 37};
    static const int io[][2] = {{6, 6}, {8, 8}, {16, 16}, {16, 32}, {32, 16}, {5, 13}, {70, 100}};
    Rng r;
    rng_seed(&r, 21);
    for (int ti = 0; ti < 6; ti++)
        for (int k = 0; k < 7; k++) {
            const int T = Ts[ti], in = io[k][0], out = io[k][1];
            const size_t nx = (size_t)T * in, ny = (size_t)T * out, nw = (size_t)in * out;
            float *buf = calloc(3 * nx + 3 * ny + 3 * nw + 3 * (size_t)out, sizeof(float));
            float *X = buf, *dX1 = X + nx, *dX2 = dX1 + nx, *Y1 = dX2 + nx, *Y2 = Y1 + ny, *dY = Y2 + ny;
            float *W = dY + ny, *dW1 = W + nw, *dW2 = dW1 + nw, *b = dW2 + nw, *db1 = b + out, *db2 = db1 + out;
            test_fill(X, nx, 1.0f, &r);
            test_fill(dY, ny, 1.0f, &r);
            test_fill(W, nw, 1.0f, &r);
            test_fill(b, out, 1.0f, &r);
            for (int bias = 0; bias < 2; bias++) {
                sak_linear_forward(Y1, X, W, bias ? b : NULL, T, in, out);
                sak_linear_forward_naive(Y2, X, W, bias ? b : NULL, T, in, out);
                test_assert_close(Y1, Y2, ny, 2e-7f * (T + in + out), "Y", T, in, out);
            }
            sak_linear_backward(dX1, dW1, db1, dY, X, W, T, in, out);
            sak_linear_backward_naive(dX2, dW2, db2, dY, X, W, T, in, out);
            test_assert_close(dX1, dX2, nx, 2e-7f * (T + in + out), "dX", T, in, out);
            test_assert_close(dW1, dW2, nw, 2e-7f * (T + in + out), "dW", T, in, out);
            test_assert_close(db1, db2, out, 2e-7f * (T + in + out), "db", T, in, out);
            free(buf);
        }
}
END_TEST

START_TEST(test_window_masks_far_tokens)
{
    /* With W = 1 a token's output moves with its neighbours' keys and values only. */
    enum { T = 6, d = 4, H = 2, W = 1 };
    float q[d * T], k[d * T], v[d * T], o1[d * T], o2[d * T], p[H * 3 * T], work[512];
    Rng r;
    rng_seed(&r, 8);
    test_fill(q, d * T, 1.0f, &r);
    test_fill(k, d * T, 1.0f, &r);
    test_fill(v, d * T, 1.0f, &r);
    ck_assert_int_eq(sakmha_span(T, W), 3);
    ck_assert_uint_le(sakmha_work_floats(T, d, W), sizeof work / sizeof *work);
    sakmha_forward(o1, p, work, q, k, v, T, d, H, W);
    for (int i = 0; i < d; i++) v[i * T + 5] += 10.0f, k[i * T + 5] -= 3.0f;
    sakmha_forward(o2, p, work, q, k, v, T, d, H, W);
    for (int i = 0; i < d; i++) {
        for (int t = 0; t < 4; t++) ck_assert_float_eq(o1[i * T + t], o2[i * T + t]); /* 0..3 do not see 5 */
        ck_assert_float_ne(o1[i * T + 4], o2[i * T + 4]);
    }
}
END_TEST

START_TEST(test_layer_binding_and_empty)
{
    /* A cache and work bound for 16 tokens give the same bits as ones bound for
     * the document's own T, both where T's attention is a band (T = 9, W = 2) and
     * where it is full while 16's is a band (T = 4); T = 0 is a no-op. */
    static const int Ts[] = {9, 4};
    for (int i = 0; i < 2; i++) {
        const int T = Ts[i];
        Net a, b;
        net_init(&a, 6, 3, 5, 2, T, 3);
        net_init(&b, 6, 3, 5, 2, T, 3);
        free(b.cache_block);
        free(b.work_block);
        ck_assert_uint_gt(sak_cache_floats(&b.D, 16), sak_cache_floats(&b.D, T));
        b.cache_block = malloc(sak_cache_floats(&b.D, 16) * sizeof(float));
        b.work_block = malloc(sak_work_floats(&b.D, 16) * sizeof(float));
        sak_cache_bind(&b.c, b.cache_block, &b.D, 16);
        sak_work_bind(&b.w, b.work_block, &b.D, 16);
        net_grad(&a);
        net_grad(&b);
        ck_assert(memcmp(a.out, b.out, (size_t)T * 6 * sizeof(float)) == 0);
        ck_assert(memcmp(a.grad, b.grad, a.n * sizeof(float)) == 0);
        net_free(&a);
        net_free(&b);
    }
    Net e;
    net_init(&e, 6, 3, 5, 2, 0, 4);
    net_grad(&e);
    for (size_t i = 0; i < e.n; i++) ck_assert_float_eq(e.grad[i], 0.0f);
    net_free(&e);
}
END_TEST

START_TEST(test_layernorm_normalises)
{
    /* Unit gain, zero bias: every token (column) gets mean 0 and variance 1. */
    enum { T = 3, d = 5 };
    float x[d * T], y[d * T], mean[T], rstd[T], g[d], b[d];
    Rng r;
    rng_seed(&r, 2);
    test_fill(x, d * T, 4.0f, &r);
    for (int i = 0; i < d; i++) g[i] = 1.0f, b[i] = 0.0f;
    sak_layernorm_forward(y, mean, rstd, x, g, b, T, d);
    for (int t = 0; t < T; t++) {
        double m = 0, v = 0;
        for (int i = 0; i < d; i++) m += y[i * T + t] / d;
        for (int i = 0; i < d; i++) v += (y[i * T + t] - m) * (y[i * T + t] - m) / d;
        ck_assert_double_eq_tol(m, 0.0, 1e-6);
        ck_assert_double_eq_tol(v, 1.0, 1e-4);
    }
}
END_TEST

START_TEST(test_rollout_by_hand)
{
    /* Two heads whose mean is A0 below; A1 is a cyclic shift (matrices [t][u]).
     *   Ah0 = 0.5 A0 + 0.5 I = [1 0 0; .25 .75 0; .125 .125 .75]
     *   Ah1 = 0.5 A1 + 0.5 I = [.5 .5 0; 0 .5 .5; .5 0 .5]
     *   R = Ah1 Ah0 = [.625 .375 0; .1875 .4375 .375; .5625 .0625 .375]
     *   alpha = [.5 .25 .25]: w = alpha^T R = [.5 .3125 .1875] */
    static const float head0[9] = {1, 0, 0, 1, 0, 0, .5f, 0, .5f}, head1[9] = {1, 0, 0, 0, 1, 0, 0, .5f, .5f};
    static const float A1f[9] = {0, 1, 0, 0, 0, 1, 1, 0, 0};
    static const float R_want[9] = {.625f, .375f, 0, .1875f, .4375f, .375f, .5625f, .0625f, .375f};
    static const float alpha[3] = {.5f, .25f, .25f}, w_want[3] = {.5f, .3125f, .1875f};
    static const float A0_want[9] = {1, 0, 0, .5f, .5f, 0, .25f, .25f, .5f};
    float p0[18], A0[9], A0f[9], A1[9], R[9], work[9 + 6], w[3];
    test_full_to_band(p0, head0, 3, 0);
    test_full_to_band(p0 + 9, head1, 3, 0);
    test_full_to_band(A1, A1f, 3, 0);
    rollout_head_mean(A0, p0, 3, 2, 0);
    test_band_to_full(A0f, A0, 1, 3, 0);
    for (int i = 0; i < 9; i++) ck_assert_float_eq_tol(A0f[i], A0_want[i], 1e-7f);
    const float *A[2] = {A0, A1};
    rollout_matrix(R, work, A, 2, 3, 0);
    for (int i = 0; i < 9; i++) ck_assert_float_eq_tol(R[i], R_want[i], 1e-6f);
    rollout_weights(w, work, alpha, A, 2, 3, 0);
    for (int i = 0; i < 3; i++) ck_assert_float_eq_tol(w[i], w_want[i], 1e-6f);
    /* No layers: the identity, and the pooling weights unchanged. */
    rollout_matrix(R, work, A, 0, 3, 0);
    for (int i = 0; i < 9; i++) ck_assert_float_eq(R[i], i % 4 == 0 ? 1.0f : 0.0f);
    rollout_weights(w, work, alpha, A, 0, 3, 0);
    ck_assert(memcmp(w, alpha, sizeof w) == 0);
}
END_TEST

START_TEST(test_rollout_banded_matches_full)
{
    /* Three layers of real banded attention: the band's rollout equals that of the
     * same attention written out full, and alpha^T R equals the weights' recursion. */
    enum { T = 11, d = 4, H = 2, W = 2, L = 3, S = 5 };
    const size_t mw = sakmha_work_floats(T, d, W);
    float q[T * d], k[T * d], v[T * d], o[T * d], p[H * S * T], *work = malloc(mw * sizeof(float));
    float band[L][S * T], fullq[T * T], full[L][T * T], R1[T * T], R2[T * T], Rw[T * T + 2 * T], alpha[T], w[T],
        vw[2 * T];
    Rng r;
    rng_seed(&r, 17);
    const float *Ab[L], *Af[L];
    ck_assert_int_eq(sakmha_span(T, W), S);
    for (int l = 0; l < L; l++) {
        test_fill(q, T * d, 2.0f, &r);
        test_fill(k, T * d, 2.0f, &r);
        test_fill(v, T * d, 1.0f, &r);
        sakmha_forward(o, p, work, q, k, v, T, d, H, W);
        rollout_head_mean(band[l], p, T, H, W);
        test_band_to_full(fullq, band[l], 1, T, W);
        test_full_to_band(full[l], fullq, T, 0);
        Ab[l] = band[l];
        Af[l] = full[l];
    }
    float sum = 0.0f;
    for (int t = 0; t < T; t++) sum += alpha[t] = rng_uniform(&r);
    for (int t = 0; t < T; t++) alpha[t] /= sum;
    rollout_matrix(R1, Rw, Ab, L, T, W);
    rollout_matrix(R2, Rw, Af, L, T, 0);
    for (int i = 0; i < T * T; i++) ck_assert_float_eq_tol(R1[i], R2[i], 1e-6f);
    for (int t = 0; t < T; t++) {
        float rs = 0.0f;
        for (int u = 0; u < T; u++) rs += R1[t * T + u];
        ck_assert_float_eq_tol(rs, 1.0f, 1e-5f);
    }
    for (int pass = 0; pass < 2; pass++) {
        rollout_weights(w, vw, alpha, pass ? Af : Ab, L, T, pass ? 0 : W);
        float wsum = 0.0f;
        for (int u = 0; u < T; u++) {
            double want = 0.0;
            for (int t = 0; t < T; t++) want += (double)alpha[t] * R1[t * T + u];
            ck_assert_float_eq_tol(w[u], (float)want, 1e-6f);
            wsum += w[u];
        }
        ck_assert_float_eq_tol(wsum, 1.0f, 1e-5f);
    }
    free(work);
}
END_TEST

Suite *sakernels_suite(void)
{
    Suite *s = suite_create("sakernels");
    TCase *tc = tcase_create("gradcheck");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_layer_gradcheck);
    tcase_add_test(tc, test_layer_gradcheck_dropout);
    tcase_add_test(tc, test_dropout_all_kept_is_no_dropout);
    tcase_add_test(tc, test_gradcheck_catches_a_wrong_gradient);
    suite_add_tcase(s, tc);
    TCase *tk = tcase_create("kernels");
    tcase_set_timeout(tk, 60);
    tcase_add_test(tk, test_banded_matches_naive);
    tcase_add_test(tk, test_gemm_matches_naive);
    tcase_add_test(tk, test_gemm_nt_shared_is_gemm_nt);
    tcase_add_test(tk, test_gemm_transpose);
    tcase_add_test(tk, test_linear_matches_naive);
    tcase_add_test(tk, test_window_masks_far_tokens);
    tcase_add_test(tk, test_layer_binding_and_empty);
    tcase_add_test(tk, test_layernorm_normalises);
    tcase_add_test(tk, test_rollout_by_hand);
    tcase_add_test(tk, test_rollout_banded_matches_full);
    suite_add_tcase(s, tk);
    return s;
}
