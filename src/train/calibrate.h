/* calibrate.h - fits a classifier's calibration and thresholds
 * (model/calibration.h) on validation documents, from the network's logits:
 * a temperature for a softmax network (eval/calib.h), a Platt scale per label
 * with CALIB_PLATT_LAMBDA for a one-vs-all one, then one global threshold and
 * one per label (THRESHOLD_MIN_POSITIVES, eval/threshold.h) maximising F1 on
 * the calibrated probabilities. Log loss and ECE before and after go in the
 * report. */
#ifndef ATTNCLF_CALIBRATE_H
#define ATTNCLF_CALIBRATE_H

#include <stdint.h>

#include "calibration.h"
#include "loss.h"

/* cal (calibration_init'ed for C) gets the fit; with calibrate 0 only the
 * thresholds (kind NONE). For a one-vs-all network min_labels 1 tunes the
 * thresholds for, and stores, the rule that every document gets its top label
 * (threshold.h); a softmax one keeps min_labels 0. probs [n,C] must hold the network's probabilities of
 * logits [n,C] (loss's softmax or sigmoids) and gets the calibrated ones. True
 * labels are CSR as in eval/labelindex.h. With no validation document nothing
 * is fitted (cal->fitted 0). member, when not NULL, is a naive Bayes member's
 * part of the logits: a softmax network then gets two temperatures. */
void calibrate_fit(Calibration *cal, LossKind loss, int calibrate, int min_labels, const float *logits /* [n,C] */,
                   const float *member /* [n,C] or NULL */, float *probs /* [n,C] */, const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */,
                   int64_t n, int C, int threads);

#endif
