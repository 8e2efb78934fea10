/* rundir.c - see rundir.h. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifier.h"
#include "clock.h"
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

/* Holds dir/.lock for as long as the run lasts; the file names the holder. */
static int rundir_lock(RunDir *d, Status *st)
{
    char path[4096];
    rundir_path(d, ".lock", path, sizeof path);
    d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (d->lock_fd < 0) return status_error(st, "%s: cannot create: %s", path, strerror(errno));
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(d->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        return status_error(st, "%s: another attnclf train is running in this directory%s%s%s; wait for it or "
                            "choose another output.dir", d->dir, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(d->lock_fd, 0) != 0 || pwrite(d->lock_fd, pid, (size_t)n, 0) != n)
        return status_error(st, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

/* An earlier run's results in dir (a checkpoint, or a log with an epoch in it):
 * the first one found, for the message, or NULL. With clear, every file of an
 * earlier run is removed instead, so the epoch files of two runs never mix. */
static const char *rundir_old_run(RunDir *d, int clear, Status *st, int *failed)
{
    static const char *const files[] = {"last.ckpt", "best.ckpt", "model.bin", "validated.ckpt",
                                        "log.jsonl", "log.csv", "config.json"};
    char path[4096];
    *failed = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        rundir_path(d, files[i], path, sizeof path);
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        /* A run that stopped before its first epoch leaves only a config and empty logs. */
        int result = i < 4 || (i == 4 && sb.st_size > 0);
        if (!clear && result) return files[i];
        if (clear && unlink(path) != 0) *failed = status_error(st, "%s: cannot remove: %s", path, strerror(errno));
    }
    rundir_path(d, "checkpoints", path, sizeof path);
    DIR *dp = opendir(path);
    struct dirent *e;
    while (dp && (e = readdir(dp)) != NULL) {
        if (strncmp(e->d_name, "epoch-", 6) != 0) continue;
        if (!clear) {
            closedir(dp);
            return "checkpoints/epoch-*.ckpt";
        }
        char file[4400];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (unlink(file) != 0) *failed = status_error(st, "%s: cannot remove: %s", file, strerror(errno));
    }
    if (dp) closedir(dp);
    return NULL;
}

int rundir_open(RunDir *d, const char *dir, const RunDirOptions *o, uint64_t seed, const char *config_json,
                RunDirMode mode, Status *st)
{
    d->dir = xstrdup(dir);
    d->o = *o;
    d->t_saved = clock_seconds();
    d->seed = seed;
    d->config_json = xstrdup(config_json);
    d->lock_fd = -1;
    char path[4096];
    rundir_path(d, "checkpoints", path, sizeof path);
    if (rundir_mkdirs(path, st) || rundir_lock(d, st)) return -1;
    if (mode == RUNDIR_RESUME) {
        /* A run killed after its best.ckpt changed has no model.bin yet. */
        char ship[4096];
        rundir_path(d, "best.ckpt", path, sizeof path);
        rundir_path(d, "model.bin", ship, sizeof ship);
        d->ship_pending = access(path, F_OK) == 0 && access(ship, F_OK) != 0;
        return 0;
    }
    int failed;
    const char *old = rundir_old_run(d, mode == RUNDIR_FORCE, st, &failed);
    if (failed) return -1;
    if (old)
        return status_error(st, "%s: holds a run already (%s); continue it with 'attnclf train --resume %s' or "
                            "replace it with --force", d->dir, old, d->dir);
    return rundir_write_config(d, st);
}

int rundir_set_config(RunDir *d, const char *config_json, Status *st)
{
    free(d->config_json);
    d->config_json = xstrdup(config_json);
    return rundir_write_config(d, st);
}

/* Waits for the checkpoint being written; its status, if it failed, into st. */
static int rundir_wait(RunDir *d, Status *st)
{
    if (!d->writing) return 0;
    pthread_join(d->writer, NULL);
    d->writing = 0;
    ckpt_writer_free(&d->job.w);
    ckpt_writer_free(&d->job.best);
    if (d->job.rc && st) *st = d->job.st;
    return d->job.rc;
}

void rundir_close(RunDir *d)
{
    rundir_wait(d, NULL);
    ckpt_writer_free(&d->pend);
    free(d->copy);
    free(d->pend_copy);
    if (d->dir && d->lock_fd >= 0) close(d->lock_fd);
    free(d->dir);
    free(d->config_json);
    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
}

/* model.bin from best.ckpt as it was just written: what `attnclf export` makes
 * of that file, byte for byte, built beside the training rather than on it. */
static int rundir_ship(const RunDir *d, Status *st)
{
    char best[4096], path[4096];
    rundir_path(d, "best.ckpt", best, sizeof best);
    rundir_path(d, "model.bin", path, sizeof path);
    CkptReader *r = xmalloc(sizeof *r);
    if (ckpt_open(r, best, st)) {
        free(r);
        return -1;
    }
    Classifier c;
    if (classifier_load(&c, r, 1, NULL, st)) {
        ckpt_close(r);
        free(r);
        return -1;
    }
    /* The config best.ckpt holds (every checkpoint of a run has one): a resumed run's may differ (its epochs). */
    CkptSection sec;
    int rc = ckpt_find(r, "CONF", &sec) ? 0 : ckpt_damaged(r, st, "no CONF section");
    if (rc == 0) {
        char *conf = xstrndup((const char *)sec.p, (size_t)sec.n);
        rc = fit_export(&c, d->seed, EMBED_I8D, conf, path, st);
        free(conf);
    }
    classifier_free(&c); /* closes r */
    return rc;
}

/* Epoch k's resumable checkpoint from w: its epoch file (with
 * output.keep_checkpoints > 0) and last.ckpt pointing at it, else last.ckpt
 * alone; the epoch file past output.keep_checkpoints gone. Epoch files and
 * last.ckpt hold the Adam moments, so a run can resume from any of them. */
static int rundir_write_last(const RunDir *d, const CkptWriter *w, int epoch, Status *st)
{
    char epath[4096], path[4096], name[64];
    rundir_path(d, "last.ckpt", path, sizeof path);
    if (d->o.keep > 0) {
        snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", epoch);
        rundir_path(d, name, epath, sizeof epath);
        if (ckpt_write(w, epath, st) || ckpt_link(epath, path, st)) return -1;
    } else if (ckpt_write(w, path, st)) {
        return -1;
    }
    int old = epoch - d->o.keep;
    if (d->o.keep > 0 && old >= 1) {
        snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", old);
        rundir_path(d, name, path, sizeof path);
        unlink(path);
    }
    return 0;
}

/* model.bin of the run's best epoch, when best.ckpt is newer than it: from c
 * (the classifier best.ckpt holds) or, NULL, from best.ckpt read back. */
static int rundir_write_ship(RunDir *d, const Classifier *c, Status *st)
{
    if (!d->ship_pending) return 0;
    char path[4096];
    rundir_path(d, "model.bin", path, sizeof path);
    int rc = c ? fit_export(c, d->seed, EMBED_I8D, d->config_json, path, st) : rundir_ship(d, st);
    if (rc == 0) d->ship_pending = 0;
    return rc;
}

/* best.ckpt (the model to use, without the Adam moments) from best. model.bin,
 * then older, is gone until the run's end makes it again, so that the one
 * there is always best.ckpt's. */
static int rundir_write_best(RunDir *d, const CkptWriter *best, Status *st)
{
    char path[4096];
    rundir_path(d, "model.bin", path, sizeof path);
    if (unlink(path) && errno != ENOENT) return status_error(st, "%s: cannot remove: %s", path, strerror(errno));
    d->ship_pending = 1;
    rundir_path(d, "best.ckpt", path, sizeof path);
    return ckpt_write(best, path, st);
}

/* The background thread's job: the epoch's resumable files, unless it is the
 * run's last (written by the training thread meanwhile), best.ckpt when it
 * or an epoch since the last checkpoint improved, and at the run's end
 * model.bin. */
static void *rundir_writer(void *arg)
{
    RunDir *d = arg;
    RunDirJob *j = &d->job;
    status_clear(&j->st);
    j->rc = j->last ? 0 : rundir_write_last(d, &j->w, j->epoch, &j->st);
    if (j->rc == 0 && j->best.n) j->rc = rundir_write_best(d, &j->best, &j->st);
    if (j->rc == 0 && j->last) j->rc = rundir_write_ship(d, j->improved ? j->clf : NULL, &j->st);
    return NULL;
}

/* Keeps a copy of the improved epoch's model for the next checkpoint to write
 * as best.ckpt (in place of an older one's). */
static void rundir_keep_best(RunDir *d, const FitSnapshot *s)
{
    ckpt_writer_free(&d->pend);
    FitSnapshot model = {.clf = s->clf, .state = s->state};
    fit_sections(&model, d->config_json, &d->pend);
    CkptWriter *one[1] = {&d->pend};
    ckpt_writer_detach(one, 1, &d->pend_copy, &d->pend_cap);
}

/* The run stops inside an epoch: last.ckpt is written even when the background
 * write failed, so it can be resumed (that failure is still reported), then
 * best.ckpt if an improved epoch's copy waits, then model.bin. */
static int rundir_interrupted(RunDir *d, const FitSnapshot *s, Status *st)
{
    Status wst;
    int wrc = rundir_wait(d, &wst);
    char path[4096];
    rundir_path(d, "last.ckpt", path, sizeof path);
    int rc = fit_save(s, d->config_json, path, st);
    if (wrc && rc == 0) *st = wst;
    if (wrc == 0 && rc == 0 && d->pend.n) rc = rundir_write_best(d, &d->pend, st);
    ckpt_writer_free(&d->pend);
    if (wrc == 0 && rc == 0) rc = rundir_write_ship(d, NULL, st);
    return wrc || rc ? -1 : 0;
}

/* The run's last files: nothing trains beside them, so they are written from
 * the tensors as they are, best.ckpt and model.bin on a thread while last.ckpt
 * is written here. */
static int rundir_write_end(RunDir *d, const FitSnapshot *s, Status *st)
{
    RunDirJob *j = &d->job;
    j->clf = s->clf;
    j->rc = 0;
    const int bg = (j->best.n || d->ship_pending) && pthread_create(&d->writer, NULL, rundir_writer, d) == 0;
    int rc = rundir_write_last(d, &j->w, j->epoch, st);
    if (bg) pthread_join(d->writer, NULL);
    else if (rc == 0) rundir_writer(d);
    if (j->rc && rc == 0) {
        *st = j->st;
        rc = -1;
    }
    ckpt_writer_free(&j->w);
    ckpt_writer_free(&j->best);
    return rc;
}

static int rundir_on_checkpoint(void *ctx, const FitSnapshot *s, const FitCheckpoint *k, Status *st)
{
    RunDir *d = ctx;
    if (k->interrupted) return rundir_interrupted(d, s, st);
    if (rundir_wait(d, st)) return -1;
    const double now = clock_seconds();
    if (!k->last && d->o.keep == 0 && now - d->t_saved < d->o.every) {
        if (k->improved) rundir_keep_best(d, s);
        return 0;
    }
    d->t_saved = now;
    RunDirJob *j = &d->job;
    ckpt_writer_init(&j->w);
    ckpt_writer_init(&j->best);
    fit_sections(s, d->config_json, &j->w);
    j->epoch = k->epoch;
    j->improved = k->improved;
    j->last = k->last;
    if (k->improved) {
        FitSnapshot model = {.clf = s->clf, .state = s->state};
        fit_sections(&model, d->config_json, &j->best);
        ckpt_writer_free(&d->pend);
    } else {
        /* An earlier epoch's copy, if one waits: its tensors are in pend_copy,
         * which nothing changes until this job is done. */
        j->best = d->pend;
        ckpt_writer_init(&d->pend);
    }
    if (k->last) return rundir_write_end(d, s, st);
    CkptWriter *both[2] = {&j->w, &j->best};
    ckpt_writer_detach(both, k->improved ? 2 : 1, &d->copy, &d->copy_cap);
    if (pthread_create(&d->writer, NULL, rundir_writer, d) != 0) {
        rundir_writer(d);
        ckpt_writer_free(&j->w);
        ckpt_writer_free(&j->best);
        if (j->rc) *st = j->st;
        return j->rc;
    }
    d->writing = 1;
    return 0;
}

FitObserver rundir_observer(RunDir *d)
{
    return (FitObserver){.ctx = d, .on_checkpoint = rundir_on_checkpoint};
}
