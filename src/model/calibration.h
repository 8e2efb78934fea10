/* calibration.h - what a classifier does with its logits after the network:
 * probabilities calibrated on the validation split (one temperature for a
 * softmax network, Guo et al. 2017; one Platt scale per label for a one-vs-all
 * network, Platt 1999), and the decision thresholds tuned there (one global,
 * one per label falling back to it). train/calibrate.h fits them; this module
 * holds, applies, saves and loads them (section CALB), so eval and predict use
 * exactly what training chose. */
#ifndef ATTNCLF_CALIBRATION_H
#define ATTNCLF_CALIBRATION_H

#include <stdint.h>

#include "ckpt.h"
#include "status.h"

/* TEMPERATURES: one for the network's part of the logits and one for a naive
 * Bayes member's (eval/calib.h, calib_scales_fit), for a softmax classifier with
 * a member: the two parts are not overconfident alike. */
typedef enum { CALIBRATION_NONE = 0, CALIBRATION_TEMPERATURE, CALIBRATION_PLATT, CALIBRATION_TEMPERATURES } CalibrationKind;

/* How the fit went, on the validation documents it was fitted on. */
typedef struct CalibrationReport {
    int64_t docs;
    double log_loss_before, log_loss_after; /* probmetrics.h's, of the network's and the calibrated probabilities */
    double ece_before, ece_after;           /* 15 bins */
    double micro_f1;                        /* of the calibrated probabilities at the global threshold */
    int labels_tuned;                       /* per-label thresholds that did not fall back */
} CalibrationReport;

typedef struct Calibration {
    int fitted;            /* 0: nothing stored (older checkpoints, no validation data) */
    CalibrationKind kind;
    int C;
    float T;               /* TEMPERATURE: p = softmax(l / T) */
    float Tm;              /* TEMPERATURES: p = softmax((l - m) / T + m / Tm), m the member's part of l */
    float *a, *b;          /* [C] PLATT: p_c = sigmoid(a_c l_c + b_c) */
    float threshold;       /* label c is predicted when p_c >= thr[c] (or >= threshold, one for all) */
    float *thr;            /* [C] */
    int min_labels;        /* 1: with the tuned thresholds a document gets its top label even below them */
    CalibrationReport rep;
} Calibration;

/* The default when nothing was fitted: no calibration, every threshold 0.5. */
#define CALIBRATION_DEFAULT_THRESHOLD 0.5f

/* Identity scales, thresholds at the default, fitted 0. */
void calibration_init(Calibration *c, int C);
void calibration_free(Calibration *c);
/* dst (initialised for the same C) becomes a copy of src. */
void calibration_copy(Calibration *dst, const Calibration *src);
/* probs [C] = the calibrated probabilities of logits [C], of which member [C]
 * (NULL: none) is the naive Bayes member's part; with kind NONE probs is left
 * as it is (the network's own). */
void calibration_apply(const Calibration *c, float *probs /* [C] */, const float *logits /* [C] */,
                       const float *member /* [C] */);

/* Section CALB (version 1): u32 kind, u32 C, f64 T, f64 threshold, i64 docs,
 * f64 log_loss_before, log_loss_after, ece_before, ece_after, micro_f1, u32
 * labels_tuned, then a [C], b [C], thr [C] as f32. Version 2 appends u32
 * min_labels; it is written only when min_labels is not 0, so a calibration
 * without it keeps version 1's bytes (and version 1 loads as min_labels 0).
 * Version 3 (kind TEMPERATURES only) appends to version 2's bytes f64 Tm.
 * Written only when fitted. */
void calibration_save(const Calibration *c, CkptWriter *w);
/* Reads CALB for C labels when r has one; without it c stays as
 * calibration_init left it. */
int calibration_load(Calibration *c, const CkptReader *r, int C, Status *st);

#endif
