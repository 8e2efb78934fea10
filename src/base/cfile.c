/* cfile.c - see cfile.h for the format. */
#include "cfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cache files are little-endian; this host is not"
#endif

static const char cfile_magic[8] = {'A', 'T', 'T', 'N', 'C', 'C', 'H', 0x1a};
#define CFILE_HEADER 64u
#define CFILE_ENTRY 32u
#define CFILE_STAGE ((size_t)1 << 20)
/* Verification reads this much at a time (a buffer, not the mapping). */
#define CFILE_READ ((size_t)4 << 20)

/* ---- writing ---- */

static void cfile_flush(CFileWriter *w)
{
    const unsigned char *p = w->stage;
    size_t n = w->staged;
    while (n > 0 && !w->err) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            w->err = k < 0 ? errno : EIO;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
    w->staged = 0;
}

/* Appends raw bytes (no section checksum). */
static void cfile_put(CFileWriter *w, const void *data, size_t n)
{
    const unsigned char *p = data;
    w->pos += n;
    while (n > 0) {
        size_t take = CFILE_STAGE - w->staged < n ? CFILE_STAGE - w->staged : n;
        memcpy(w->stage + w->staged, p, take);
        w->staged += take;
        p += take;
        n -= take;
        if (w->staged == CFILE_STAGE) cfile_flush(w);
    }
}

static void cfile_pad(CFileWriter *w, uint64_t align)
{
    static const unsigned char zeros[64];
    uint64_t to = (w->pos + align - 1) / align * align;
    cfile_put(w, zeros, (size_t)(to - w->pos));
}

int cfile_create(CFileWriter *w, const char *path, const char *kind, uint64_t key, Status *st)
{
    memset(w, 0, sizeof *w);
    size_t n = strlen(path) + 32;
    w->path = xstrdup(path);
    w->tmp = xmalloc(n);
    snprintf(w->tmp, n, "%s.tmp%ld", path, (long)getpid());
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        int e = errno;
        free(w->path);
        free(w->tmp);
        memset(w, 0, sizeof *w);
        return status_error(st, "%s: cannot write: %s", path, strerror(e));
    }
    w->stage = xmalloc(CFILE_STAGE);
    memcpy(w->kind, kind, 4);
    w->key = key;
    unsigned char head[CFILE_HEADER] = {0};
    cfile_put(w, head, sizeof head); /* filled in by cfile_commit */
    return 0;
}

void cfile_begin(CFileWriter *w, const char *tag)
{
    if (w->open) abort(); /* a caller's bug: sections do not nest */
    cfile_pad(w, 64);
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        w->dir = xrealloc(w->dir, (size_t)w->cap * sizeof *w->dir);
    }
    CFileEntry *e = &w->dir[w->n++];
    memset(e, 0, sizeof *e);
    memcpy(e->tag, tag, 4);
    e->offset = w->pos;
    hash_stream_init(&w->hs);
    w->open = 1;
}

void cfile_write(CFileWriter *w, const void *data, size_t n)
{
    if (n == 0) return;
    hash_stream_update(&w->hs, data, n);
    cfile_put(w, data, n);
}

void cfile_end(CFileWriter *w)
{
    CFileEntry *e = &w->dir[w->n - 1];
    e->length = w->pos - e->offset;
    e->sum = hash_stream_final(&w->hs);
    w->open = 0;
}

void cfile_section(CFileWriter *w, const char *tag, const void *data, size_t n)
{
    cfile_begin(w, tag);
    cfile_write(w, data, n);
    cfile_end(w);
}

static void cfile_writer_free(CFileWriter *w)
{
    if (w->fd >= 0) close(w->fd);
    free(w->path);
    free(w->tmp);
    free(w->stage);
    free(w->dir);
    memset(w, 0, sizeof *w);
    w->fd = -1;
}

void cfile_abort(CFileWriter *w)
{
    if (w->tmp) unlink(w->tmp);
    cfile_writer_free(w);
}

/* The header and the directory, and their checksum. */
static uint64_t cfile_meta_sum(const unsigned char *head, const unsigned char *dir, size_t dir_len)
{
    HashStream hs;
    hash_stream_init(&hs);
    hash_stream_update(&hs, head, CFILE_HEADER);
    hash_stream_update(&hs, dir, dir_len);
    return hash_stream_final(&hs);
}

int cfile_commit(CFileWriter *w, Status *st)
{
    cfile_pad(w, 8);
    uint64_t dir_off = w->pos;
    size_t dir_len = (size_t)w->n * CFILE_ENTRY;
    unsigned char *dir = xcalloc(dir_len + 1, 1);
    for (int i = 0; i < w->n; i++) {
        unsigned char *e = dir + (size_t)i * CFILE_ENTRY;
        memcpy(e, w->dir[i].tag, 4);
        memcpy(e + 8, &w->dir[i].offset, 8);
        memcpy(e + 16, &w->dir[i].length, 8);
        memcpy(e + 24, &w->dir[i].sum, 8);
    }
    unsigned char head[CFILE_HEADER] = {0};
    uint32_t version = CFILE_VERSION, n = (uint32_t)w->n;
    memcpy(head, cfile_magic, 8);
    memcpy(head + 8, &version, 4);
    memcpy(head + 12, w->kind, 4);
    memcpy(head + 16, &w->key, 8);
    memcpy(head + 24, &dir_off, 8);
    memcpy(head + 32, &n, 4);
    cfile_put(w, dir, dir_len);
    uint64_t sum = cfile_meta_sum(head, dir, dir_len);
    free(dir);
    cfile_put(w, &sum, 8);
    cfile_flush(w);
    if (!w->err && pwrite(w->fd, head, sizeof head, 0) != (ssize_t)sizeof head) w->err = errno ? errno : EIO;
    if (close(w->fd) != 0 && !w->err) w->err = errno;
    w->fd = -1;
    if (!w->err && rename(w->tmp, w->path) != 0) w->err = errno;
    if (w->err) {
        int e = w->err;
        char *path = xstrdup(w->path);
        cfile_abort(w);
        status_error(st, "%s: cannot write: %s", path, strerror(e));
        free(path);
        return -1;
    }
    cfile_writer_free(w);
    return 0;
}

/* ---- reading ---- */

static int cfile_bad(Status *st, const char *path, const char *why)
{
    status_error(st, "%s: damaged cache file: %s", path, why);
    return CFILE_DAMAGED;
}

/* Reads [off, off+len) of fd and returns its XXH64, or sets *failed. */
static uint64_t cfile_sum_range(int fd, uint64_t off, uint64_t len, unsigned char *buf, int *failed)
{
    HashStream hs;
    hash_stream_init(&hs);
    while (len > 0) {
        size_t want = len < CFILE_READ ? (size_t)len : CFILE_READ;
        ssize_t k = pread(fd, buf, want, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            *failed = 1;
            return 0;
        }
        hash_stream_update(&hs, buf, (size_t)k);
        off += (uint64_t)k;
        len -= (uint64_t)k;
    }
    return hash_stream_final(&hs);
}

/* Checks the header and directory (read into f->dir) of fd's file. */
static CFileState cfile_check(CFile *f, int fd, const char *kind, uint64_t key, Status *st)
{
    unsigned char head[CFILE_HEADER];
    if (f->size < CFILE_HEADER + 8 || pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head)
        return cfile_bad(st, f->path, "cut short");
    uint32_t version, n;
    uint64_t dir_off, stored_key;
    memcpy(&version, head + 8, 4);
    memcpy(&stored_key, head + 16, 8);
    memcpy(&dir_off, head + 24, 8);
    memcpy(&n, head + 32, 4);
    if (memcmp(head, cfile_magic, 8) != 0) return cfile_bad(st, f->path, "not an attnclf cache file");
    if (version != CFILE_VERSION) return cfile_bad(st, f->path, "written by another version");
    if (memcmp(head + 12, kind, 4) != 0) return cfile_bad(st, f->path, "a cache file of another kind");
    if (stored_key != key) return cfile_bad(st, f->path, "built from other inputs or settings");
    if (dir_off < CFILE_HEADER || dir_off % 8 || n > f->size / CFILE_ENTRY ||
        dir_off + (uint64_t)n * CFILE_ENTRY + 8 != f->size)
        return cfile_bad(st, f->path, "cut short or bad directory");
    size_t dir_len = (size_t)n * CFILE_ENTRY;
    unsigned char *dir = xmalloc(dir_len + 8);
    uint64_t sum;
    int ok = pread(fd, dir, dir_len + 8, (off_t)dir_off) == (ssize_t)(dir_len + 8);
    if (ok) memcpy(&sum, dir + dir_len, 8);
    ok = ok && sum == cfile_meta_sum(head, dir, dir_len);
    f->dir = xcalloc((size_t)n + 1, sizeof *f->dir);
    f->n = (int)n;
    uint64_t prev_end = CFILE_HEADER;
    for (uint32_t i = 0; ok && i < n; i++) {
        CFileEntry *e = &f->dir[i];
        const unsigned char *p = dir + (size_t)i * CFILE_ENTRY;
        memcpy(e->tag, p, 4);
        memcpy(&e->offset, p + 8, 8);
        memcpy(&e->length, p + 16, 8);
        memcpy(&e->sum, p + 24, 8);
        ok = e->offset % 64 == 0 && e->offset >= prev_end && e->offset <= dir_off && e->length <= dir_off - e->offset;
        prev_end = e->offset + e->length;
    }
    free(dir);
    if (!ok) return cfile_bad(st, f->path, "checksum mismatch in its directory");
    f->key = stored_key;
    return CFILE_OK;
}

static CFileState cfile_verify(CFile *f, int fd, Status *st)
{
    unsigned char *buf = xmalloc(CFILE_READ);
    int failed = 0;
    for (int i = 0; i < f->n && !failed; i++) {
        if (cfile_sum_range(fd, f->dir[i].offset, f->dir[i].length, buf, &failed) != f->dir[i].sum && !failed) {
            free(buf);
            char why[64];
            snprintf(why, sizeof why, "checksum mismatch in section %.4s", f->dir[i].tag);
            return cfile_bad(st, f->path, why);
        }
    }
    free(buf);
    return failed ? cfile_bad(st, f->path, "cut short") : CFILE_OK;
}

CFileState cfile_open(CFile *f, const char *path, const char *kind, uint64_t key, int verify, Status *st)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return CFILE_MISSING;
        status_error(st, "%s: cannot open: %s", path, strerror(errno));
        return CFILE_DAMAGED;
    }
    f->path = xstrdup(path);
    struct stat sb;
    CFileState s = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? CFILE_OK : cfile_bad(st, path, "not a regular file");
    f->size = s == CFILE_OK ? (uint64_t)sb.st_size : 0;
    if (s == CFILE_OK) s = cfile_check(f, fd, kind, key, st);
    if (s == CFILE_OK && verify) s = cfile_verify(f, fd, st);
    if (s == CFILE_OK) {
        void *p = mmap(NULL, (size_t)f->size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) s = cfile_bad(st, path, strerror(errno));
        else f->map = p;
    }
    if (s == CFILE_OK) f->fd = fd;
    else close(fd);
    if (s != CFILE_OK) cfile_close(f);
    return s;
}

void cfile_close(CFile *f)
{
    if (f->map) munmap(f->map, (size_t)f->size);
    if (f->map && f->fd >= 0) close(f->fd);
    free(f->path);
    free(f->dir);
    memset(f, 0, sizeof *f);
}

const void *cfile_find(const CFile *f, const char *tag, uint64_t *len)
{
    for (int i = 0; i < f->n; i++)
        if (memcmp(f->dir[i].tag, tag, 4) == 0) {
            *len = f->dir[i].length;
            return f->map + f->dir[i].offset;
        }
    *len = 0;
    return NULL;
}

uint64_t cfile_digest(const CFile *f, const char *skip)
{
    HashStream hs;
    hash_stream_init(&hs);
    for (int i = 0; i < f->n; i++) {
        if (skip && memcmp(f->dir[i].tag, skip, 4) == 0) continue;
        hash_stream_update(&hs, f->dir[i].tag, 4);
        hash_stream_update(&hs, &f->dir[i].sum, sizeof f->dir[i].sum);
    }
    return hash_stream_final(&hs);
}

void cfile_release(const CFile *f)
{
    if (f->map) madvise(f->map, (size_t)f->size, MADV_DONTNEED);
}

int cfile_read(const CFile *f, void *dst, const void *at, size_t n)
{
    const unsigned char *p = at;
    if (!f->map || f->fd < 0 || p < f->map || (uint64_t)(p - f->map) + n > f->size) return -1;
    for (size_t done = 0; done < n;) {
        ssize_t r = pread(f->fd, (unsigned char *)dst + done, n - done, (off_t)(p - f->map) + (off_t)done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    return 0;
}
