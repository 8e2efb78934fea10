/* runlog.c - see runlog.h. */
#include "runlog.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "mem.h"

int runlog_open(RunLog *l, const char *dir, int keep, Status *st)
{
    memset(l, 0, sizeof *l);
    l->dir = xstrdup(dir);
    const char *names[2] = {"log.jsonl", "log.csv"};
    FILE **files[2] = {&l->json, &l->csv};
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        long cut = 0;
        FILE *f = keep > 0 ? fopen(path, "r+") : NULL;
        if (f) {
            int lines = 0, want = keep + (i == 1), ch;
            while (lines < want && (ch = fgetc(f)) != EOF)
                if (ch == '\n') lines++;
            cut = ftell(f);
            fclose(f);
            if (truncate(path, cut) != 0) return status_error(st, "%s: cannot truncate: %s", path, strerror(errno));
        }
        *files[i] = fopen(path, cut ? "a" : "w");
        if (!*files[i]) return status_error(st, "%s: cannot write: %s", path, strerror(errno));
        if (i == 1 && cut == 0)
            fprintf(l->csv, "epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,tokens_per_sec,valid_macro_f1,"
                            "valid_micro_f1,valid_p_at_1,log_loss_before,log_loss_after,ece_before,ece_after,"
                            "temperature,threshold\n");
    }
    return 0;
}

void runlog_close(RunLog *l)
{
    if (l->json) fclose(l->json);
    if (l->csv) fclose(l->csv);
    free(l->dir);
    memset(l, 0, sizeof *l);
}

/* The validation metrics added with label sets and calibration: each "name": value
 * for JSON (json 1) or ",value" for CSV, empty values where there is no validation. */
static void runlog_more(FILE *f, const FitEpoch *e, int json)
{
    const Calibration *c = e->cal;
    const char *names[] = {"valid_micro_f1", "valid_p_at_1", "log_loss_before", "log_loss_after", "ece_before",
                           "ece_after", "temperature", "threshold"};
    const double v[] = {e->valid_micro_f1, e->valid_p_at_1, c ? c->rep.log_loss_before : 0,
                        c ? c->rep.log_loss_after : 0, c ? c->rep.ece_before : 0, c ? c->rep.ece_after : 0,
                        c ? c->T : 0, c ? c->threshold : 0};
    for (int i = 0; i < 8; i++) {
        /* With two temperatures the column holds the network's. */
        int known = e->has_valid && c &&
                    (i != 6 || c->kind == CALIBRATION_TEMPERATURE || c->kind == CALIBRATION_TEMPERATURES);
        if (json && known) fprintf(f, ", \"%s\": %.6f", names[i], v[i]);
        else if (json) fprintf(f, ", \"%s\": null", names[i]);
        else if (known) fprintf(f, ",%.6f", v[i]);
        else fputc(',', f);
    }
}

static int runlog_on_epoch(void *ctx, const FitEpoch *e, Status *st)
{
    RunLog *l = ctx;
    char vl[32] = "null", va[32] = "null", vf[32] = "null", cvl[32] = "", cva[32] = "", cvf[32] = "";
    if (e->has_valid) {
        snprintf(vl, sizeof vl, "%.6f", e->valid_loss);
        snprintf(va, sizeof va, "%.6f", e->valid_acc);
        snprintf(vf, sizeof vf, "%.6f", e->valid_macro_f1);
        memcpy(cvl, vl, sizeof vl);
        memcpy(cva, va, sizeof va);
        memcpy(cvf, vf, sizeof vf);
    }
    fprintf(l->json,
            "{\"epoch\": %d, \"train_loss\": %.6f, \"train_acc\": %.6f, \"valid_loss\": %s, \"valid_acc\": %s, "
            "\"lr\": %.6g, \"seconds\": %.3f, \"tokens_per_sec\": %.0f, \"valid_macro_f1\": %s",
            e->epoch, e->train_loss, e->train_acc, vl, va, e->lr, e->seconds, e->tokens_per_sec, vf);
    runlog_more(l->json, e, 1);
    fputs("}\n", l->json);
    fprintf(l->csv, "%d,%.6f,%.6f,%s,%s,%.6g,%.3f,%.0f,%s", e->epoch, e->train_loss, e->train_acc, cvl, cva, e->lr,
            e->seconds, e->tokens_per_sec, cvf);
    runlog_more(l->csv, e, 0);
    fputc('\n', l->csv);
    if (fflush(l->json) != 0 || fflush(l->csv) != 0)
        return status_error(st, "%s: cannot write logs: %s", l->dir, strerror(errno));
    return 0;
}

FitObserver runlog_observer(RunLog *l)
{
    return (FitObserver){.ctx = l, .on_epoch = runlog_on_epoch};
}

/* A number field, NaN when it is missing or not a number. */
static double runlog_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A LinesRowFn (lines.h). */
static int runlog_row(const char *path, long line, const char *text, void *row, Status *st)
{
    FitEpoch *e = row;
    cJSON *o = cJSON_Parse(text);
    double epoch = cJSON_IsObject(o) ? runlog_num(o, "epoch") : NAN;
    if (!(epoch >= 1 && epoch <= 1e9)) {
        cJSON_Delete(o);
        return status_error(st, "%s:%ld: not a log row (a JSON object with an \"epoch\")", path, line);
    }
    *e = (FitEpoch){.epoch = (int)epoch, .train_loss = runlog_num(o, "train_loss"),
                    .train_acc = runlog_num(o, "train_acc"), .valid_loss = runlog_num(o, "valid_loss"),
                    .valid_acc = runlog_num(o, "valid_acc"), .lr = runlog_num(o, "lr"),
                    .seconds = runlog_num(o, "seconds"), .tokens_per_sec = runlog_num(o, "tokens_per_sec")};
    e->has_valid = !isnan(e->valid_acc);
    cJSON_Delete(o);
    return 0;
}

int runlog_read(const char *path, FitEpoch **rows, int *n, Status *st)
{
    void *got;
    int rc = lines_read(path, sizeof **rows, runlog_row, &got, n, st);
    *rows = got;
    if (rc) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}
