/* tunelog.c - see tunelog.h. */
#include "tunelog.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "mem.h"

static double tunelog_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Appends "key=value" (a string's value without its quotes) to the stream. */
static void tunelog_field(FILE *out, const cJSON *v, int *first)
{
    if (!v->string) return;
    fprintf(out, "%s%s=", *first ? "" : ", ", v->string);
    *first = 0;
    if (cJSON_IsString(v)) {
        fputs(v->valuestring, out);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    fputs(s ? s : "", out);
    free(s);
}

/* "value" as tune writes it; an older or hand-made log may put the number in "metric". */
static double tunelog_metric(const cJSON *o)
{
    return cJSON_GetObjectItemCaseSensitive(o, "value") ? tunelog_num(o, "value") : tunelog_num(o, "metric");
}

static char *tunelog_detail(const cJSON *o)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out) return xstrdup("");
    int first = 1;
    static const char *const skip[] = {"trial", "metric", "value", "seconds", "valid_loss", "best_epoch", "fold",
                                       "chosen"};
    for (const cJSON *v = o->child; v; v = v->next) {
        int known = 0;
        for (size_t i = 0; i < sizeof skip / sizeof *skip; i++) known |= v->string && strcmp(v->string, skip[i]) == 0;
        if (known) continue;
        if (cJSON_IsObject(v))
            for (const cJSON *m = v->child; m; m = m->next) tunelog_field(out, m, &first);
        else
            tunelog_field(out, v, &first);
    }
    fclose(out);
    return buf ? buf : xstrdup("");
}

/* A LinesRowFn (lines.h). */
static int tunelog_row(const char *path, long line, const char *text, void *row, Status *st)
{
    TuneTrial *t = row;
    cJSON *o = cJSON_Parse(text);
    double trial = cJSON_IsObject(o) ? tunelog_num(o, "trial") : NAN;
    if (!(trial >= 0 && trial <= 1e9)) {
        cJSON_Delete(o);
        return status_error(st, "%s:%ld: not a trial (a JSON object with a \"trial\" number)", path, line);
    }
    const double fold = tunelog_num(o, "fold");
    *t = (TuneTrial){.trial = (int)trial, .metric = tunelog_metric(o), .seconds = tunelog_num(o, "seconds"),
                     .detail = tunelog_detail(o), .fold = fold >= 1 && fold <= 1e6 ? (int)fold : 0,
                     .pruned = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "pruned")),
                     .chosen = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "chosen"))};
    cJSON_Delete(o);
    return 0;
}

/* Folds the fold rows into the trials they name (tunelog.h); returns the trials. */
static int tunelog_merge(TuneTrial *rows, int n)
{
    int m = 0, common = TUNELOG_MAX_FOLDS, finalists = 0;
    for (int i = 0; i < n; i++) {
        TuneTrial *r = &rows[i];
        if (r->chosen) {
            for (int j = 0; j < m; j++) rows[j].chosen = rows[j].trial == r->trial;
            free(r->detail);
            continue;
        }
        if (r->fold == 0) {
            r->folds = 1; /* the next fold row it takes is fold 1 */
            r->pruned = 0;
            rows[m++] = *r;
            continue;
        }
        for (int j = m - 1; j >= 0; j--) {
            TuneTrial *t = &rows[j];
            if (t->trial != r->trial) continue;
            /* Completed folds in order; one stopped, and any after it, do not count. */
            const int next = !t->pruned && !r->pruned && r->fold == t->folds && r->fold < TUNELOG_MAX_FOLDS;
            if (next) t->fold_metric[t->folds++] = isfinite(r->metric) && r->metric > 0 ? r->metric : 0.0;
            else t->pruned = 1;
            break;
        }
        free(r->detail);
    }
    for (int j = 0; j < m; j++) {
        TuneTrial *t = &rows[j];
        if (t->folds > 1 || t->pruned) {
            finalists++;
            if (t->folds < common) common = t->folds;
        }
    }
    /* Fold 0, where the finalists were picked, has no say (tune.h). */
    for (int j = 0; j < m; j++) {
        TuneTrial *t = &rows[j];
        const int n = finalists && (t->folds > 1 || t->pruned) ? common - 1 : 0;
        t->folds = n;
        t->fold_mean = n ? 0.0 : t->metric;
        for (int k = 1; k <= n; k++) t->fold_mean += t->fold_metric[k] / n;
        t->pruned = 0;
    }
    return m;
}

int tunelog_best(const TuneTrial *rows, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (rows[i].chosen) return i;
        if (isfinite(rows[i].metric) && (best < 0 || rows[i].metric > rows[best].metric)) best = i;
    }
    return best;
}

int tunelog_read(const char *path, TuneTrial **rows, int *n, Status *st)
{
    void *got;
    int rc = lines_read(path, sizeof **rows, tunelog_row, &got, n, st);
    *rows = got;
    if (rc == 0) *n = tunelog_merge(*rows, *n);
    if (rc) {
        tunelog_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

void tunelog_free(TuneTrial *rows, int n)
{
    for (int i = 0; i < n; i++) free(rows[i].detail);
    free(rows);
}
