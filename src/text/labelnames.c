/* labelnames.c - see labelnames.h. A corpus has a handful of labels, so lookups
 * are a linear scan. */
#include "labelnames.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void labelnames_add(LabelNames *ln, int *cap, const char *raw, const char *name)
{
    if (ln->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        ln->raw = xrealloc(ln->raw, (size_t)*cap * sizeof *ln->raw);
        ln->name = xrealloc(ln->name, (size_t)*cap * sizeof *ln->name);
    }
    ln->raw[ln->n] = xstrdup(raw);
    ln->name[ln->n++] = xstrdup(name);
}

/* Whether line's raw label or name is one an earlier line gave. */
static int labelnames_twice(const LabelNames *ln, const char *raw, const char *name, const char **what)
{
    for (int i = 0; i < ln->n; i++) {
        if (strcmp(ln->raw[i], raw) == 0) return *what = "raw label", 1;
        if (strcmp(ln->name[i], name) == 0) return *what = "name", 1;
    }
    return 0;
}

static int labelnames_line(LabelNames *ln, int *cap, char *line, long no, Status *st)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    char num[24], *raw = num, *name = line, *tab = strchr(line, '\t');
    if (tab) {
        *tab = '\0';
        raw = line;
        name = tab + 1;
        if (!*raw) return status_error(st, "%s:%ld: the raw label before the tab is empty", ln->path, no);
    } else {
        snprintf(num, sizeof num, "%ld", no);
    }
    if (!*name) return status_error(st, "%s:%ld: the name is empty", ln->path, no);
    const char *what;
    if (labelnames_twice(ln, raw, name, &what))
        return status_error(st, "%s:%ld: %s \"%.200s\" is given twice", ln->path, no, what,
                            what[0] == 'n' ? name : raw);
    labelnames_add(ln, cap, raw, name);
    return 0;
}

int labelnames_load(LabelNames *ln, const char *path, Status *st)
{
    memset(ln, 0, sizeof *ln);
    ln->path = xstrdup(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        status_error(st, "%s: cannot open: %s", path, strerror(errno));
        labelnames_free(ln);
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0;
    int cap = 0, rc = 0;
    long no = 0;
    while (rc == 0 && getline(&line, &lcap, f) >= 0) {
        no++;
        /* A blank line names nothing (its number names no label). */
        if (line[strspn(line, "\r\n")] == '\0') continue;
        rc = labelnames_line(ln, &cap, line, no, st);
    }
    if (rc == 0 && ferror(f)) rc = status_error(st, "%s: read failed: %s", path, strerror(errno));
    if (rc == 0 && ln->n == 0) rc = status_error(st, "%s: names no label", path);
    free(line);
    fclose(f);
    if (rc) labelnames_free(ln);
    return rc;
}

void labelnames_free(LabelNames *ln)
{
    for (int i = 0; i < ln->n; i++) {
        free(ln->raw[i]);
        free(ln->name[i]);
    }
    free(ln->raw);
    free(ln->name);
    free(ln->path);
    memset(ln, 0, sizeof *ln);
}

const char *labelnames_find(const LabelNames *ln, const char *s, size_t n)
{
    for (int i = 0; i < ln->n; i++)
        if (strlen(ln->raw[i]) == n && memcmp(ln->raw[i], s, n) == 0) return ln->name[i];
    return NULL;
}
