/* calibration.c - see calibration.h. */
#include "calibration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "mem.h"

void calibration_init(Calibration *c, int C)
{
    memset(c, 0, sizeof *c);
    c->C = C;
    c->T = 1.0f;
    c->Tm = 1.0f;
    c->threshold = CALIBRATION_DEFAULT_THRESHOLD;
    c->a = xmalloc((size_t)(C > 0 ? C : 1) * sizeof *c->a);
    c->b = xcalloc((size_t)(C > 0 ? C : 1), sizeof *c->b);
    c->thr = xmalloc((size_t)(C > 0 ? C : 1) * sizeof *c->thr);
    for (int k = 0; k < C; k++) {
        c->a[k] = 1.0f;
        c->thr[k] = CALIBRATION_DEFAULT_THRESHOLD;
    }
}

void calibration_free(Calibration *c)
{
    free(c->a);
    free(c->b);
    free(c->thr);
    memset(c, 0, sizeof *c);
}

void calibration_copy(Calibration *dst, const Calibration *src)
{
    float *a = dst->a, *b = dst->b, *thr = dst->thr;
    const size_t bytes = (size_t)src->C * sizeof(float);
    memcpy(a, src->a, bytes);
    memcpy(b, src->b, bytes);
    memcpy(thr, src->thr, bytes);
    *dst = *src;
    dst->a = a;
    dst->b = b;
    dst->thr = thr;
}

/* p = softmax(p) in place, with the operations of loss_softmax_forward, so that
 * scores l / 1 give its bits. */
static void calibration_softmax(float *p, int C)
{
    float mx = -INFINITY, sum = 0.0f;
    for (int k = 0; k < C; k++) mx = p[k] > mx ? p[k] : mx;
    for (int k = 0; k < C; k++) {
        p[k] = expf(p[k] - mx);
        sum += p[k];
    }
    for (int k = 0; k < C; k++) p[k] /= sum;
}

void calibration_apply(const Calibration *c, float *probs, const float *logits, const float *member)
{
    const int C = c->C;
    if (c->kind == CALIBRATION_PLATT) {
        for (int k = 0; k < C; k++) probs[k] = loss_sigmoid(c->a[k] * logits[k] + c->b[k]);
    } else if (c->kind == CALIBRATION_TEMPERATURE) {
        for (int k = 0; k < C; k++) probs[k] = logits[k] / c->T;
        calibration_softmax(probs, C);
    } else if (c->kind == CALIBRATION_TEMPERATURES) {
        for (int k = 0; k < C; k++) {
            const float m = member ? member[k] : 0.0f;
            probs[k] = (logits[k] - m) / c->T + m / c->Tm;
        }
        calibration_softmax(probs, C);
    }
}

void calibration_save(const Calibration *c, CkptWriter *w)
{
    if (!c->fitted) return;
    const int two = c->kind == CALIBRATION_TEMPERATURES;
    CkptBuf *b = ckpt_section(w, "CALB", two ? 3 : c->min_labels ? 2 : 1);
    const CalibrationReport *r = &c->rep;
    ckpt_put_u32(b, (uint32_t)c->kind);
    ckpt_put_u32(b, (uint32_t)c->C);
    ckpt_put_f64(b, c->T);
    ckpt_put_f64(b, c->threshold);
    ckpt_put_u64(b, (uint64_t)r->docs);
    const double d[5] = {r->log_loss_before, r->log_loss_after, r->ece_before, r->ece_after, r->micro_f1};
    for (int i = 0; i < 5; i++) ckpt_put_f64(b, d[i]);
    ckpt_put_u32(b, (uint32_t)r->labels_tuned);
    const size_t bytes = (size_t)c->C * sizeof(float);
    ckpt_put(b, c->a, bytes);
    ckpt_put(b, c->b, bytes);
    ckpt_put(b, c->thr, bytes);
    if (c->min_labels || two) ckpt_put_u32(b, (uint32_t)c->min_labels);
    if (two) ckpt_put_f64(b, c->Tm);
}

static int calibration_finite(const float *v, int n, float lo, float hi)
{
    for (int i = 0; i < n; i++)
        if (!(v[i] >= lo && v[i] <= hi)) return 0;
    return 1;
}

int calibration_load(Calibration *c, const CkptReader *r, int C, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, "CALB", &sec)) return 0;
    if (sec.version < 1 || sec.version > 3) return ckpt_damaged(r, st, "CALB section version %u is not known", sec.version);
    CkptCursor cur = ckpt_cursor(&sec);
    uint32_t kind = ckpt_u32(&cur), n = ckpt_u32(&cur);
    double T = ckpt_f64(&cur), thr = ckpt_f64(&cur);
    CalibrationReport *rep = &c->rep;
    rep->docs = (int64_t)ckpt_u64(&cur);
    double *d[5] = {&rep->log_loss_before, &rep->log_loss_after, &rep->ece_before, &rep->ece_after, &rep->micro_f1};
    for (int i = 0; i < 5; i++) *d[i] = ckpt_f64(&cur);
    rep->labels_tuned = (int)ckpt_u32(&cur);
    if (cur.bad || n != (uint32_t)C || kind > CALIBRATION_TEMPERATURES || (kind == CALIBRATION_TEMPERATURES) != (sec.version == 3) ||
        !(T > 0 && T < 1e6) || !(thr >= 0 && thr <= 1))
        return ckpt_damaged(r, st, "bad CALB section");
    const size_t bytes = (size_t)C * sizeof(float);
    ckpt_copy(&cur, c->a, bytes);
    ckpt_copy(&cur, c->b, bytes);
    ckpt_copy(&cur, c->thr, bytes);
    uint32_t min_labels = sec.version >= 2 ? ckpt_u32(&cur) : 0;
    double Tm = sec.version >= 3 ? ckpt_f64(&cur) : 1.0;
    if (cur.bad || min_labels > 1 || !(Tm > 0 && Tm < 1e6) || !ckpt_done(&cur) || !calibration_finite(c->a, C, -1e30f, 1e30f) || !calibration_finite(c->b, C, -1e30f, 1e30f) ||
        !calibration_finite(c->thr, C, 0.0f, 1.0f))
        return ckpt_damaged(r, st, "bad CALB section");
    c->kind = (CalibrationKind)kind;
    c->T = (float)T;
    c->Tm = (float)Tm;
    c->threshold = (float)thr;
    c->min_labels = (int)min_labels;
    c->fitted = 1;
    return 0;
}
