/* report_charts.h - the report's chart sections (report_charts.c) and what
 * report.c shares with them; internal to the report module. */
#ifndef ATTNCLF_REPORT_CHARTS_H
#define ATTNCLF_REPORT_CHARTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* v with thousands separators: "25,000". */
void report_int(char *buf, size_t cap, int64_t v);
/* The row of the best epoch as training chose it: the row of epoch `best` when
 * there is one; else the first with the highest valid_acc, or the last without
 * validation; -1 for no rows. */
int report_best_epoch(const FitEpoch *e, int n, int best);

int report_training(FILE *f, const Report *r, Status *st);
int report_errors(FILE *f, const Report *r, Status *st);
int report_calibration(FILE *f, const Report *r, const double *bin_conf, const double *bin_acc,
                       const int64_t *bin_n, double ece, Status *st);
int report_keywords(FILE *f, const Report *r, Status *st);

#endif
