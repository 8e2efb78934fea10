/* test_multilabel.c - label sets through the product: finite-difference
 * gradient checks of model_forward/backward with the one-vs-all loss, label
 * sets and class weights on every tensor; the MODL loss field and the CALB
 * section round trips; calibration applied as fitted; class weights; document
 * weights in a training step; and a whole one-vs-all run whose checkpoint
 * predicts label sets with the thresholds it chose. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "calibrate.h"
#include "calibration.h"
#include "classweight.h"
#include "config.h"
#include "fixture.h"
#include "kernels.h"
#include "loss.h"
#include "model.h"
#include "pipeline.h"
#include "rng.h"
#include "step.h"

/* ---- gradient checks ---- */

typedef struct GradCase {
    LossKind loss;
    AttentionKind attention;
    int context, gate;
    const int32_t *y;
    int ny;
    const float *w; /* [4] class weights or NULL */
} GradCase;

static const int32_t ids8[] = {0, 3, 3, 5, 1, 3, 6, 2};

static void ml_gradcheck(const GradCase *g)
{
    ModelDims D = {.rows = 7, .dense_rows = 7, .dim = 5, .heads = 2, .classes = 4, .attention = g->attention,
                   .context = g->context, .gate = g->gate, .loss = g->loss};
    Model m;
    model_init(&m, &D);
    Rng r;
    rng_seed(&r, 11);
    for (int64_t i = 0; i < m.n_params; i++) m.params[i] = 2.0f * rng_uniform(&r) - 1.0f;
    DocScratch s;
    docscratch_init(&s, &D, 8);
    s.class_w = g->w;
    float *grad = calloc((size_t)m.n_params, sizeof(float)), *demb = calloc(8 * 5, sizeof(float));
    model_forward(&m, ids8, 8, NULL, g->y, g->ny, 0.0f, 0, &s);
    model_backward(&m, ids8, 8, g->y, g->ny, 0.0f, 1.0f, &s, grad, demb);
    float *gemb = grad + m.tensors[TENSOR_EMB].offset;
    for (int t = 0; t < 8; t++)
        for (int e = 0; e < 5; e++) gemb[ids8[t] * 5 + e] += demb[t * 5 + e];
    for (int k = 0; k < N_TENSORS; k++) {
        const TensorInfo *ti = &m.tensors[k];
        for (int64_t i = 0; i < ti->numel; i++) {
            float *p = m.params + ti->offset + i, save = *p;
            const float h = 1e-2f;
            *p = save + h;
            double lp = model_forward(&m, ids8, 8, NULL, g->y, g->ny, 0.0f, 0, &s);
            *p = save - h;
            double lm = model_forward(&m, ids8, 8, NULL, g->y, g->ny, 0.0f, 0, &s);
            *p = save;
            double num = (lp - lm) / (2.0 * h), ana = grad[ti->offset + i];
            ck_assert_msg(fabs(num - ana) <= 5e-4 + 3e-3 * fabs(ana),
                          "tensor %s[%lld]: numeric %.6f vs analytic %.6f (loss %d, ny %d, weights %d, context %d)",
                          ti->name, (long long)i, num, ana, g->loss, g->ny, g->w != NULL, g->context);
        }
    }
    free(grad);
    free(demb);
    docscratch_free(&s);
    model_free(&m);
}

START_TEST(test_gradcheck_label_sets)
{
    static const int32_t y3[] = {2, 0, 3};
    static const float w[4] = {0.5f, 2.0f, 1.5f, 3.0f};
    const int nys[] = {0, 1, 3};
    for (int loss = 0; loss < 2; loss++)
        for (int k = 0; k < 3; k++)
            for (int weighted = 0; weighted < 2; weighted++) {
                GradCase g = {.loss = (LossKind)loss, .attention = ATTN_DOT, .y = y3, .ny = nys[k],
                              .w = weighted ? w : NULL};
                ml_gradcheck(&g);
            }
    GradCase add = {.loss = LOSS_OVA, .attention = ATTN_ADDITIVE, .y = y3, .ny = 2, .w = w};
    ml_gradcheck(&add);
    GradCase ctx = {.loss = LOSS_OVA, .attention = ATTN_DOT, .context = 1, .gate = 1, .y = y3, .ny = 2, .w = w};
    ml_gradcheck(&ctx);
}
END_TEST

/* One unweighted label through the softmax loss is the old kernel, bit for bit. */
START_TEST(test_softmax_one_label_is_the_kernel)
{
    ModelDims D = {.rows = 7, .dense_rows = 7, .dim = 4, .heads = 1, .classes = 3, .loss = LOSS_SOFTMAX};
    Model m;
    model_init(&m, &D);
    model_randomize(&m, 6, 3);
    DocScratch s;
    docscratch_init(&s, &D, 8);
    const int32_t y = 2;
    float loss = model_forward(&m, ids8, 8, NULL, &y, 1, 0.0f, 0, &s);
    float probs[3];
    float ref = kernel_softmax_xent_forward(probs, s.logits, 3, 2);
    ck_assert(memcmp(&loss, &ref, sizeof loss) == 0);
    ck_assert(memcmp(probs, s.probs, sizeof probs) == 0);
    docscratch_free(&s);
    model_free(&m);
}
END_TEST

/* ---- checkpoints ---- */

static void ml_tmpfile(char *path, size_t cap, const char *name)
{
    char dir[128];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, cap, "%s/%s", dir, name);
}

/* m and cal saved to path and opened in r. */
static void saved(const Model *m, const Calibration *cal, const char *path, CkptReader *r)
{
    CkptWriter w;
    Status st;
    ckpt_writer_init(&w);
    model_save(m, &w);
    calibration_save(cal, &w);
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    ck_assert_int_eq(ckpt_open(r, path, &st), 0);
}

START_TEST(test_loss_and_calibration_round_trip)
{
    ModelDims D = {.rows = 5, .dense_rows = 5, .dim = 3, .heads = 1, .classes = 3, .loss = LOSS_OVA};
    Model m;
    model_init(&m, &D);
    model_randomize(&m, 4, 1);
    Calibration cal;
    calibration_init(&cal, 3);
    cal.fitted = 1;
    cal.kind = CALIBRATION_PLATT;
    cal.threshold = 0.25f;
    for (int c = 0; c < 3; c++) {
        cal.a[c] = 0.5f + (float)c;
        cal.b[c] = -0.25f * (float)c;
        cal.thr[c] = 0.1f * (float)(c + 1);
    }
    cal.rep = (CalibrationReport){.docs = 7, .ece_before = 0.1, .ece_after = 0.05, .micro_f1 = 0.5,
                                  .labels_tuned = 1};
    char path[256];
    ml_tmpfile(path, sizeof path, "m.ckpt");
    CkptWriter w;
    ckpt_writer_init(&w);
    model_save(&m, &w);
    calibration_save(&cal, &w);
    Status st;
    ck_assert_msg(ckpt_write(&w, path, &st) == 0, "%s", st.msg);
    ckpt_writer_free(&w);
    CkptReader r;
    ck_assert_msg(ckpt_open(&r, path, &st) == 0, "%s", st.msg);
    Model back;
    ck_assert_msg(model_load(&back, &r, 0, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(back.dims.loss, LOSS_OVA);
    Calibration got;
    calibration_init(&got, 3);
    ck_assert_msg(calibration_load(&got, &r, 3, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(got.fitted, 1);
    ck_assert_int_eq(got.kind, CALIBRATION_PLATT);
    ck_assert(got.threshold == 0.25f && got.rep.docs == 7 && got.rep.labels_tuned == 1 && got.rep.ece_after == 0.05);
    for (int c = 0; c < 3; c++) ck_assert(got.a[c] == cal.a[c] && got.b[c] == cal.b[c] && got.thr[c] == cal.thr[c]);
    /* min_labels 0 keeps version 1's bytes. */
    CkptSection sec;
    ck_assert(ckpt_find(&r, "CALB", &sec) && sec.version == 1);
    ck_assert_int_eq(got.min_labels, 0);
    /* Another label count is damage, not a silent misread. */
    Calibration other;
    calibration_init(&other, 4);
    ck_assert_int_eq(calibration_load(&other, &r, 4, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "bad CALB section"));
    calibration_free(&other);
    calibration_free(&got);
    model_free(&back);
    ckpt_close(&r);
    /* min_labels 1: version 2, read back. */
    cal.min_labels = 1;
    saved(&m, &cal, path, &r);
    ck_assert(ckpt_find(&r, "CALB", &sec) && sec.version == 2);
    calibration_init(&got, 3);
    ck_assert_msg(calibration_load(&got, &r, 3, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(got.min_labels, 1);
    ck_assert(got.thr[1] == cal.thr[1] && got.threshold == 0.25f);
    calibration_free(&got);
    ckpt_close(&r);
    /* Two temperatures: version 3, both read back; another kind in version 3 is damage. */
    cal.kind = CALIBRATION_TEMPERATURES;
    cal.T = 1.5f;
    cal.Tm = 0.75f;
    cal.min_labels = 0;
    saved(&m, &cal, path, &r);
    ck_assert(ckpt_find(&r, "CALB", &sec) && sec.version == 3);
    calibration_init(&got, 3);
    ck_assert_msg(calibration_load(&got, &r, 3, &st) == 0, "%s", st.msg);
    ck_assert(got.kind == CALIBRATION_TEMPERATURES && got.T == 1.5f && got.Tm == 0.75f && got.min_labels == 0);
    calibration_free(&got);
    ckpt_close(&r);
    /* Without the section: nothing fitted, thresholds at the default. */
    ckpt_writer_init(&w);
    model_save(&m, &w);
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
    calibration_init(&got, 3);
    ck_assert_int_eq(calibration_load(&got, &r, 3, &st), 0);
    ck_assert_int_eq(got.fitted, 0);
    ck_assert(got.thr[2] == CALIBRATION_DEFAULT_THRESHOLD && got.kind == CALIBRATION_NONE);
    calibration_free(&got);
    ckpt_close(&r);
    calibration_free(&cal);
    model_free(&m);
    remove(path);
}
END_TEST

START_TEST(test_calibration_apply)
{
    const float logits[3] = {1.5f, -0.5f, 0.25f};
    float p[3], ref[3];
    Calibration cal;
    calibration_init(&cal, 3);
    /* NONE leaves the network's probabilities. */
    p[0] = 7.0f;
    calibration_apply(&cal, p, logits, NULL);
    ck_assert(p[0] == 7.0f);
    /* T = 1 is the softmax of the loss, bit for bit. */
    cal.kind = CALIBRATION_TEMPERATURE;
    calibration_apply(&cal, p, logits, NULL);
    const int32_t y = 0;
    loss_softmax_forward(ref, logits, &y, 1, NULL, 3);
    ck_assert(memcmp(p, ref, sizeof p) == 0);
    cal.T = 2.0f;
    calibration_apply(&cal, p, logits, NULL);
    calib_temperature_apply(ref, logits, 3, 2.0f);
    for (int c = 0; c < 3; c++) ck_assert(fabsf(p[c] - ref[c]) < 1e-6f);
    /* Two temperatures: the member's part m of the logits scaled by 1/Tm, the rest by 1/T. */
    const float member[3] = {0.5f, 1.0f, -0.25f};
    cal.kind = CALIBRATION_TEMPERATURES;
    cal.Tm = 0.5f;
    calibration_apply(&cal, p, logits, member);
    float z[3];
    for (int c = 0; c < 3; c++) z[c] = (logits[c] - member[c]) / 2.0f + member[c] / 0.5f;
    calib_temperature_apply(ref, z, 3, 1.0f);
    for (int c = 0; c < 3; c++) ck_assert(fabsf(p[c] - ref[c]) < 1e-6f);
    calibration_apply(&cal, p, logits, NULL); /* no member: the network's temperature alone */
    calib_temperature_apply(ref, logits, 3, 2.0f);
    for (int c = 0; c < 3; c++) ck_assert(fabsf(p[c] - ref[c]) < 1e-6f);
    cal.kind = CALIBRATION_PLATT;
    cal.a[1] = 2.0f;
    cal.b[1] = 0.5f;
    calibration_apply(&cal, p, logits, NULL);
    ck_assert(p[0] == loss_sigmoid(1.5f) && p[1] == loss_sigmoid(-0.5f));
    calibration_free(&cal);
}
END_TEST

/* ---- fitting ---- */

/* n documents over C labels whose logits rank their labels high, with noise. */
static void ml_scores(int64_t n, int C, float *logits, int64_t *off, int32_t *lab, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    off[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = off[i];
        for (int c = 0; c < C; c++) {
            int pos = rng_uniform(&r) < (c == 0 ? 0.5f : 0.2f);
            logits[i * C + c] = (pos ? 1.0f : -2.0f) + 3.0f * (rng_uniform(&r) - 0.5f);
            if (pos) lab[k++] = c;
        }
        off[i + 1] = k;
    }
}

START_TEST(test_platt_threads_same_bits)
{
    enum { N = 300, C = 7 };
    float *l = malloc(N * C * sizeof *l), a1[C], b1[C], a3[C], b3[C];
    int64_t off[N + 1];
    int32_t *lab = malloc(N * C * sizeof *lab);
    ml_scores(N, C, l, off, lab, 5);
    calib_platt_fit(a1, b1, l, off, lab, N, C, CALIB_PLATT_LAMBDA);
    calib_platt_fit_threads(a3, b3, l, off, lab, N, C, CALIB_PLATT_LAMBDA, 3);
    ck_assert(memcmp(a1, a3, sizeof a1) == 0 && memcmp(b1, b3, sizeof b1) == 0);
    free(l);
    free(lab);
}
END_TEST

START_TEST(test_calibrate_fit)
{
    enum { N = 400, C = 5 };
    float *l = malloc(N * C * sizeof *l), *p = malloc(N * C * sizeof *p);
    int64_t off[N + 1];
    int32_t *lab = malloc(N * C * sizeof *lab);
    ml_scores(N, C, l, off, lab, 9);
    for (int i = 0; i < N * C; i++) p[i] = loss_sigmoid(l[i]);
    Calibration cal;
    calibration_init(&cal, C);
    calibrate_fit(&cal, LOSS_OVA, 1, 0, l, NULL, p, off, lab, N, C, 2);
    ck_assert_int_eq(cal.fitted, 1);
    ck_assert_int_eq(cal.kind, CALIBRATION_PLATT);
    ck_assert_int_eq(cal.rep.docs, N);
    /* Platt lowers the log loss it minimises (up to the pull towards the identity). */
    ck_assert(cal.rep.log_loss_after < cal.rep.log_loss_before);
    ck_assert(cal.threshold > 0.0f && cal.threshold < 1.0f && cal.rep.micro_f1 > 0.3);
    /* Every label has over THRESHOLD_MIN_POSITIVES positives (about 200 and 80): they may get their own. */
    ck_assert_int_ge(cal.rep.labels_tuned, 1);
    for (int c = 0; c < C; c++) ck_assert(cal.thr[c] >= 0.0f && cal.thr[c] <= 1.0f);
    /* probs now hold the calibrated probabilities. */
    float q[C];
    calibration_apply(&cal, q, l, NULL);
    ck_assert(memcmp(q, p, sizeof q) == 0);
    /* Without calibration only the thresholds. */
    for (int i = 0; i < N * C; i++) p[i] = loss_sigmoid(l[i]);
    calibrate_fit(&cal, LOSS_OVA, 0, 0, l, NULL, p, off, lab, N, C, 1);
    ck_assert_int_eq(cal.kind, CALIBRATION_NONE);
    ck_assert(cal.rep.log_loss_after == cal.rep.log_loss_before);
    /* Nothing to fit on. */
    calibrate_fit(&cal, LOSS_OVA, 1, 0, l, NULL, p, off, lab, 0, C, 1);
    ck_assert_int_eq(cal.fitted, 0);
    calibration_free(&cal);
    free(l);
    free(p);
    free(lab);
}
END_TEST

/* ---- class weights ---- */

START_TEST(test_class_weights)
{
    Vocab labels;
    vocab_init(&labels);
    vocab_add(&labels, "sauce", 5);
    vocab_add(&labels, "cheese", 6);
    vocab_add(&labels, "bread", 5);
    Dataset ds;
    dataset_init(&ds);
    const int32_t ids[1] = {0}, y01[2] = {0, 1}, y0[1] = {0};
    dataset_append(&ds, ids, 1, NULL, 0, y01, 2);
    dataset_append(&ds, ids, 1, NULL, 0, y0, 1);
    dataset_append(&ds, ids, 1, NULL, 0, y0, 1);
    dataset_append(&ds, ids, 1, NULL, 0, y0, 1);
    Status st;
    float *w;
    ClassWeightOptions o = {.mode = CLASS_WEIGHT_NONE};
    ck_assert_int_eq(classweight_resolve(&w, &o, &labels, &ds, &st), 0);
    ck_assert_ptr_null(w);
    o.mode = CLASS_WEIGHT_BALANCED;
    ck_assert_int_eq(classweight_resolve(&w, &o, &labels, &ds, &st), 0);
    /* n / (classes * count): 4 / (3 * 4), 4 / (3 * 1), and 1 for a label without documents. */
    ck_assert(fabsf(w[0] - 1.0f / 3.0f) < 1e-6f && fabsf(w[1] - 4.0f / 3.0f) < 1e-6f && w[2] == 1.0f);
    free(w);
    char *names[2] = {"bread", "chese"};
    double weights[2] = {2.0, 3.0};
    o = (ClassWeightOptions){.mode = CLASS_WEIGHT_GIVEN, .n = 1, .names = names, .weights = weights};
    ck_assert_int_eq(classweight_resolve(&w, &o, &labels, &ds, &st), 0);
    ck_assert(w[0] == 1.0f && w[1] == 1.0f && w[2] == 2.0f);
    free(w);
    o.n = 2;
    ck_assert_int_eq(classweight_resolve(&w, &o, &labels, &ds, &st), -1);
    ck_assert_str_eq(st.msg, "train.class_weight: no label \"chese\" in the training data (did you mean \"cheese\"?)");
    dataset_free(&ds);
    vocab_free(&labels);
}
END_TEST

/* ---- document weights ---- */

START_TEST(test_dataset_weights)
{
    Dataset ds;
    dataset_init(&ds);
    const int32_t ids[1] = {0}, y[1] = {0};
    dataset_append(&ds, ids, 1, NULL, 0, y, 1);
    dataset_set_weight(&ds, 1.0f);
    ck_assert_ptr_null(ds.w);
    for (int i = 0; i < 3000; i++) {
        dataset_append(&ds, ids, 1, NULL, 0, y, 1);
        if (i == 5) dataset_set_weight(&ds, 2.5f);
    }
    ck_assert_ptr_nonnull(ds.w);
    ck_assert(dataset_weight(&ds, 0) == 1.0f && dataset_weight(&ds, 6) == 2.5f && dataset_weight(&ds, 3000) == 1.0f);
    dataset_free(&ds);
}
END_TEST

static int ml_no_stop(void *ctx, int64_t b, int n, const StepResult *r, float lr)
{
    (void)ctx, (void)b, (void)n, (void)r, (void)lr;
    return 0;
}

/* Params after one step on docs of ds (batch = all of them). */
static void ml_one_step(const Dataset *ds, float *out, int64_t n)
{
    ModelDims D = {.rows = 6, .dense_rows = 6, .dim = 4, .heads = 1, .classes = 3, .loss = LOSS_OVA};
    Model m;
    model_init(&m, &D);
    model_randomize(&m, 5, 2);
    StepOptions so = {.batch_size = (int)ds->n, .threads = 1};
    Stepper t;
    step_init(&t, &m, &so, ds->max_len, step_token_bound(ds, (int)ds->n));
    AdamOptions ao = {.lr = 0.01, .lr_schedule = LR_CONSTANT};
    LrPlan plan = {.total = 1};
    int64_t perm[4] = {0, 1, 2, 3};
    step_run(&t, ds, perm, 0, 1, &ao, 1, &plan, ml_no_stop, NULL);
    memcpy(out, m.params, (size_t)n * sizeof *out);
    step_free(&t);
    model_free(&m);
}

START_TEST(test_zero_weight_document_adds_nothing)
{
    const int32_t a[3] = {0, 1, 2}, b[2] = {3, 4}, ya[1] = {0}, yb[2] = {1, 2};
    Dataset one, two, heavy;
    dataset_init(&one);
    dataset_append(&one, a, 3, NULL, 0, ya, 1);
    dataset_init(&two);
    dataset_append(&two, a, 3, NULL, 0, ya, 1);
    dataset_append(&two, b, 2, NULL, 0, yb, 2);
    dataset_set_weight(&two, 0.0f);
    dataset_init(&heavy);
    dataset_append(&heavy, a, 3, NULL, 0, ya, 1);
    dataset_append(&heavy, b, 2, NULL, 0, yb, 2);
    ModelDims D = {.rows = 6, .dense_rows = 6, .dim = 4, .heads = 1, .classes = 3};
    Model probe;
    model_init(&probe, &D);
    const int64_t n = probe.n_params;
    model_free(&probe);
    float *p1 = malloc((size_t)n * sizeof *p1), *p2 = malloc((size_t)n * sizeof *p2), *p3 = malloc((size_t)n * sizeof *p3);
    ml_one_step(&one, p1, n);
    ml_one_step(&two, p2, n);
    ml_one_step(&heavy, p3, n);
    /* The weight-0 document's rows do not move, and the rest moves as without it
     * (Adam's step does not depend on the gradient's scale, up to its epsilon). */
    double differ = 0.0;
    for (int64_t i = 0; i < n; i++) {
        ck_assert_msg(fabsf(p1[i] - p2[i]) <= 1e-4f, "param %lld: %g vs %g", (long long)i, p1[i], p2[i]);
        differ += fabs(p1[i] - p3[i]);
    }
    ck_assert(differ > 1e-3);
    free(p1);
    free(p2);
    free(p3);
    dataset_free(&one);
    dataset_free(&two);
    dataset_free(&heavy);
}
END_TEST

/* ---- a whole run ---- */

/* A fastText file of n lines whose labels are which of three word families it has. */
static void ml_corpus(const char *path, int n, uint64_t seed)
{
    static const char *const fam[3][4] = {{"flour", "yeast", "dough", "oven"},
                                          {"knife", "steel", "blade", "sharpen"},
                                          {"wine", "grape", "cork", "cellar"}};
    static const char *const names[3] = {"baking", "knives", "wine"};
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        int has[3], any = 0;
        for (int k = 0; k < 3; k++) any += has[k] = rng_uniform(&r) < 0.4f;
        if (!any) has[rng_below(&r, 3)] = 1;
        for (int k = 0; k < 3; k++)
            if (has[k]) fprintf(f, "__label__%s ", names[k]);
        for (int k = 0; k < 3; k++)
            for (int j = 0; has[k] && j < 3; j++) fprintf(f, "%s ", fam[k][rng_below(&r, 4)]);
        fprintf(f, "the and of %d\n", i % 7);
    }
    fclose(f);
}

START_TEST(test_ova_run)
{
    char dir[128], corpus[256], out[300], set[400];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/ml.txt", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    ml_corpus(corpus, 600, 3);
    Config cfg;
    Status st;
    config_defaults(&cfg);
    /* Token dropout 0.5 (not the short-text default, 0) teaches the model that one
     * word of a family is evidence of its label, which the text below relies on. The
     * thresholds checked are the validated model's own (no refit, which would keep
     * them for a model trained on the validation fifth too). */
    const char *sets[] = {"model.dim=8",     "train.epochs=6",          "train.lr=0.05",
                          "tokenizer.buckets=1000", "train.threads=1", "data.valid_fraction=0.2",
                          "model.token_dropout=0.5", "train.refit=false"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) ck_assert_int_eq(config_set(&cfg, sets[i], &st), 0);
    snprintf(set, sizeof set, "data.train=%s", corpus);
    ck_assert_int_eq(config_set(&cfg, set, &st), 0);
    snprintf(set, sizeof set, "output.dir=%s", out);
    ck_assert_int_eq(config_set(&cfg, set, &st), 0);
    ck_assert_msg(config_validate(&cfg, &st) == 0, "%s", st.msg);
    FitSummary sum;
    ck_assert_msg(pipeline_train(&cfg, 0, NULL, 0, &sum, &st) == 0, "%s", st.msg);
    config_free(&cfg);
    /* auto: one-vs-all, chosen by micro-F1, calibrated by Platt scaling. */
    ck_assert_int_eq(sum.metric, FIT_MICRO_F1);
    ck_assert(sum.best_metric > 0.9);
    ck_assert(sum.calibrated && sum.cal_kind == CALIBRATION_PLATT);
    snprintf(set, sizeof set, "%s/best.ckpt", out);
    Classifier c;
    ck_assert_msg(pipeline_load(set, &c, &cfg, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(c.net.dims.loss, LOSS_OVA);
    ck_assert(c.cal.fitted && c.cal.kind == CALIBRATION_PLATT);
    ck_assert(c.cal.threshold == sum.threshold);
    ClassifierScratch s;
    classifier_scratch_init(&s, &c);
    const char *text = "yeast dough and a blade";
    classifier_score_text(&c, text, strlen(text), &s);
    int64_t baking = vocab_find(&c.labels, "baking", 6), knives = vocab_find(&c.labels, "knives", 6),
            wine = vocab_find(&c.labels, "wine", 4);
    ck_assert(s.doc.probs[baking] >= classifier_threshold(&c, (int)baking, 1));
    ck_assert(s.doc.probs[knives] >= classifier_threshold(&c, (int)knives, 1));
    ck_assert(s.doc.probs[wine] < classifier_threshold(&c, (int)wine, 1));
    classifier_scratch_free(&s);
    classifier_free(&c);
    config_free(&cfg);
    fixture_rmtree(dir);
}
END_TEST

Suite *multilabel_suite(void)
{
    Suite *s = suite_create("multilabel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_gradcheck_label_sets);
    tcase_add_test(tc, test_softmax_one_label_is_the_kernel);
    tcase_add_test(tc, test_loss_and_calibration_round_trip);
    tcase_add_test(tc, test_calibration_apply);
    tcase_add_test(tc, test_platt_threads_same_bits);
    tcase_add_test(tc, test_calibrate_fit);
    tcase_add_test(tc, test_class_weights);
    tcase_add_test(tc, test_dataset_weights);
    tcase_add_test(tc, test_zero_weight_document_adds_nothing);
    tcase_add_test(tc, test_ova_run);
    suite_add_tcase(s, tc);
    return s;
}
