/* fuzz_common.h - what the harnesses share. Each fuzz_NAME.c defines
 * fuzz_NAME_one(data, size), which runs one input through its entry points and
 * calls abort() when an invariant breaks; LLVMFuzzerTestOneInput exists only
 * under ATTNCLF_LIBFUZZER, so tests/test_fuzzcases.c can #include every harness
 * into one translation unit and replay saved inputs without libFuzzer. */
#ifndef ATTNCLF_FUZZ_COMMON_H
#define ATTNCLF_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A temporary file reused for every input of one process (the entry points take
 * paths). A fork gets its own, since the name carries the process id. */
typedef struct FuzzTmp {
    char path[64];
    pid_t pid;
} FuzzTmp;

static inline const char *fuzz_tmp_write(FuzzTmp *t, const char *name, const void *data, size_t size)
{
    if (t->pid != getpid()) {
        t->pid = getpid();
        snprintf(t->path, sizeof t->path, "/tmp/fuzz-%s-%ld", name, (long)t->pid);
    }
    /* A new file, not the old one truncated: ext4 flushes a file truncated and
     * rewritten at its close (auto_da_alloc), 4 ms an input on the machines
     * measured, which was most of a harness's time. */
    unlink(t->path);
    FILE *f = fopen(t->path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();
    return t->path;
}

static inline void fuzz_tmp_remove(const FuzzTmp *t)
{
    if (t->pid == getpid()) unlink(t->path);
}

/* Every failure fills the Status: a code and a message. */
static inline void fuzz_check_failed_status(int rc, int code, const char *msg)
{
    if (rc != 0 && (code == 0 || msg[0] == '\0')) abort();
}

#endif
