/* calibrate.c - see calibrate.h. */
#include "calibrate.h"

#include <stdlib.h>

#include "calib.h"
#include "mem.h"
#include "probmetrics.h"
#include "threshold.h"

static void calibrate_measure(LossKind loss, const float *probs, const int64_t *off, const int32_t *lab, int64_t n,
                              int C, double *log_loss, double *ece)
{
    Reliability r;
    if (loss == LOSS_OVA) {
        *log_loss = probmetrics_ova_log_loss(probs, off, lab, n, C);
        probmetrics_ova_reliability(&r, probs, off, lab, n, C);
    } else {
        *log_loss = probmetrics_softmax_log_loss(probs, off, lab, n, C);
        probmetrics_softmax_reliability(&r, probs, off, lab, n, C);
    }
    *ece = r.ece;
}

void calibrate_fit(Calibration *cal, LossKind loss, int calibrate, int min_labels, const float *logits,
                   const float *member, float *probs, const int64_t *off, const int32_t *lab, int64_t n, int C, int threads)
{
    cal->fitted = 0;
    cal->kind = CALIBRATION_NONE;
    cal->min_labels = 0;
    if (n <= 0) return;
    CalibrationReport *rep = &cal->rep;
    rep->docs = n;
    calibrate_measure(loss, probs, off, lab, n, C, &rep->log_loss_before, &rep->ece_before);
    if (calibrate && loss == LOSS_OVA) {
        calib_platt_fit_threads(cal->a, cal->b, logits, off, lab, n, C, CALIB_PLATT_LAMBDA, threads);
        cal->kind = CALIBRATION_PLATT;
    } else if (calibrate && member) {
        ScalesFit sf;
        calib_scales_fit(&sf, logits, member, off, lab, n, C);
        cal->T = (float)sf.T;
        cal->Tm = (float)sf.Tm;
        cal->kind = CALIBRATION_TEMPERATURES;
    } else if (calibrate) {
        TemperatureFit tf;
        calib_temperature_fit(&tf, logits, off, lab, n, C);
        cal->T = (float)tf.T;
        cal->kind = CALIBRATION_TEMPERATURE;
    }
    if (cal->kind != CALIBRATION_NONE)
        for (int64_t i = 0; i < n; i++)
            calibration_apply(cal, probs + (size_t)i * C, logits + (size_t)i * C, member ? member + (size_t)i * C : NULL);
    calibrate_measure(loss, probs, off, lab, n, C, &rep->log_loss_after, &rep->ece_after);
    cal->min_labels = loss == LOSS_OVA && min_labels;
    ThresholdFit g;
    threshold_global(&g, probs, off, lab, n, C, cal->min_labels);
    ThresholdFit *fits = xmalloc((size_t)C * sizeof *fits);
    threshold_per_label(cal->thr, fits, probs, off, lab, n, C, g.threshold, THRESHOLD_MIN_POSITIVES, cal->min_labels);
    rep->labels_tuned = 0;
    for (int c = 0; c < C; c++) rep->labels_tuned += fits[c].tuned;
    free(fits);
    cal->threshold = g.threshold;
    rep->micro_f1 = g.f1;
    cal->fitted = 1;
}
