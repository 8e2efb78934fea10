/* rundir.c - see rundir.h. */
#include "rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

static void rundir_path(const RunDir *d, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", d->dir, name);
}

static int rundir_mkdirs(const char *dir, Status *st)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            status_error(st, "%s: cannot create directory: %s", p, strerror(e));
            free(p);
            return -1;
        }
        *s = c;
        if (c == '\0') break;
    }
    free(p);
    return 0;
}

static int rundir_write_config(const RunDir *d, Status *st)
{
    char path[4096];
    rundir_path(d, "config.json", path, sizeof path);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(d->config_json, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) return status_error(st, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int rundir_open(RunDir *d, const char *dir, int keep, const char *config_json, int fresh, Status *st)
{
    d->dir = xstrdup(dir);
    d->keep = keep;
    d->config_json = xstrdup(config_json);
    char path[4096];
    rundir_path(d, "checkpoints", path, sizeof path);
    if (rundir_mkdirs(path, st)) return -1;
    return fresh ? rundir_write_config(d, st) : 0;
}

void rundir_close(RunDir *d)
{
    free(d->dir);
    free(d->config_json);
    memset(d, 0, sizeof *d);
}

static int rundir_on_checkpoint(void *ctx, const FitSnapshot *s, const FitCheckpoint *k, Status *st)
{
    RunDir *d = ctx;
    char epath[4096], path[4096], name[64];
    if (k->interrupted) {
        rundir_path(d, "last.ckpt", path, sizeof path);
        return fit_save(s, d->config_json, path, st);
    }
    snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", k->epoch);
    rundir_path(d, name, epath, sizeof epath);
    if (fit_save(s, d->config_json, epath, st)) return -1;
    rundir_path(d, "last.ckpt", path, sizeof path);
    if (ckpt_link(epath, path, st)) return -1;
    if (k->improved) {
        rundir_path(d, "best.ckpt", path, sizeof path);
        if (ckpt_link(epath, path, st)) return -1;
    }
    int old = k->epoch - d->keep;
    if (old >= 1) {
        snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", old);
        rundir_path(d, name, path, sizeof path);
        unlink(path);
    }
    return 0;
}

FitObserver rundir_observer(RunDir *d)
{
    return (FitObserver){.ctx = d, .on_checkpoint = rundir_on_checkpoint};
}
