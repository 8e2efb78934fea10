/* filekind.c - see filekind.h for the tests and their order. */
#include "filekind.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char filekind_attnclf_magic[8] = {'A', 'T', 'T', 'N', 'C', 'L', 'F', 0x1a};
#define FILEKIND_FASTTEXT_MAGIC 793712314u

static uint32_t filekind_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int filekind_sep(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Control bytes that do not occur in text. */
static int filekind_binary_byte(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b;
}

/* A NUL, or control bytes in more than 1 of 32: a stray control character in a
 * word does not make a text file binary, while raw floats are full of both. */
static int filekind_binary(const unsigned char *p, const unsigned char *end)
{
    size_t ctl = 0;
    for (const unsigned char *q = p; q < end; q++) {
        if (*q == 0) return 1;
        ctl += filekind_binary_byte(*q);
    }
    return ctl > 0 && ctl * 32 > (size_t)(end - p);
}

static int filekind_digits(const unsigned char *s, size_t n)
{
    if (n == 0 || n > 18) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int filekind_number(const unsigned char *s, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    float v = strtof(buf, &end);
    return end == buf + n && isfinite(v);
}

/* The shape of one line: its tokens, whether every token after the first is a
 * number, whether the line is exactly two decimal integers (a header). */
typedef struct FileKindLine {
    int64_t tokens;
    int numbers;        /* every token after the first is a number */
    int header;         /* two tokens, both digits */
    int64_t header_dim; /* the second one, when header */
    int complete;       /* ended by a newline or the end of the whole file */
} FileKindLine;

/* Reads the line at p (before end) into *ln; returns where the next one starts. */
static const unsigned char *filekind_line(const unsigned char *p, const unsigned char *end, int whole, FileKindLine *ln)
{
    const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
    const unsigned char *stop = nl ? nl : end;
    *ln = (FileKindLine){.numbers = 1, .complete = nl != NULL || whole};
    const unsigned char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;
    for (const unsigned char *q = p; q < stop;) {
        while (q < stop && filekind_sep(*q)) q++;
        if (q == stop) break;
        const unsigned char *t = q;
        while (q < stop && !filekind_sep(*q)) q++;
        if (q == stop && !ln->complete) break; /* a token cut off by the buffer */
        ln->tokens++;
        if (ln->tokens == 1) first = t, first_len = (size_t)(q - t);
        else if (!filekind_number(t, (size_t)(q - t))) ln->numbers = 0;
        if (ln->tokens == 2) second = t, second_len = (size_t)(q - t);
    }
    if (ln->tokens == 2 && filekind_digits(first, first_len) && filekind_digits(second, second_len)) {
        ln->header = 1;
        for (size_t i = 0; i < second_len; i++) ln->header_dim = ln->header_dim * 10 + (second[i] - '0');
    }
    return nl ? nl + 1 : end;
}

static int filekind_is_vec(const unsigned char *p, const unsigned char *end, int whole)
{
    FileKindLine a, b;
    const unsigned char *next = filekind_line(p, end, whole, &a);
    if (a.header && a.complete) {
        if (a.header_dim < 1) return 0;
        if (next == end) return 1; /* just the header: "0 300" */
        filekind_line(next, end, whole, &b);
        return b.numbers && (b.complete ? b.tokens == a.header_dim + 1 : b.tokens <= a.header_dim + 1);
    }
    if (a.tokens < 2 || !a.numbers) return 0;
    if (!a.complete || next == end) return 1;
    filekind_line(next, end, whole, &b);
    return !b.complete || b.tokens == 0 || (b.numbers && b.tokens == a.tokens);
}

FileKind filekind_sniff(const unsigned char *p, size_t n, int whole, uint32_t *version)
{
    if (version) *version = 0;
    if (n == 0) return FILEKIND_EMPTY;
    if (n >= 8 && memcmp(p, filekind_attnclf_magic, 8) == 0) {
        if (version && n >= 12) *version = filekind_u32(p + 8);
        return FILEKIND_ATTNCLF;
    }
    if (n >= 4 && filekind_u32(p) == FILEKIND_FASTTEXT_MAGIC) {
        if (version && n >= 8) *version = filekind_u32(p + 4);
        return FILEKIND_FASTTEXT;
    }
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return FILEKIND_GZIP;
    if (n >= 4 && memcmp(p, "PK\3\4", 4) == 0) return FILEKIND_ZIP;
    const unsigned char *s = p, *end = p + n;
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) s += 3;
    if (filekind_binary(s, end)) {
        FileKindLine a;
        const unsigned char *next = filekind_line(s, end, whole, &a);
        return a.header && a.complete && filekind_binary(next, end) ? FILEKIND_W2V_BIN : FILEKIND_BINARY;
    }
    if (filekind_is_vec(s, end, whole)) return FILEKIND_VEC;
    while (s < end && (filekind_sep(*s) || *s == '\n')) s++;
    if (s < end && (*s == '{' || *s == '[')) return FILEKIND_JSON;
    return FILEKIND_TEXT;
}

int filekind_path(const char *path, FileKind *kind, uint32_t *version, Status *st)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        return status_error(st, "%s: is a directory, not a file", path);
    }
    unsigned char buf[FILEKIND_SNIFF_BYTES];
    size_t n = 0;
    int eof = 0;
    while (n < sizeof buf) {
        ssize_t k = read(fd, buf + n, sizeof buf - n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return status_error(st, "%s: cannot read: %s", path, strerror(e));
        }
        if (k == 0) {
            eof = 1;
            break;
        }
        n += (size_t)k;
    }
    close(fd);
    *kind = filekind_sniff(buf, n, eof, version);
    return 0;
}

const char *filekind_name(FileKind k)
{
    switch (k) {
    case FILEKIND_EMPTY: return "an empty file";
    case FILEKIND_ATTNCLF: return "an attnclf checkpoint";
    case FILEKIND_FASTTEXT: return "a fastText binary model (.bin/.ftz)";
    case FILEKIND_GZIP: return "a gzip-compressed file";
    case FILEKIND_ZIP: return "a zip archive";
    case FILEKIND_W2V_BIN: return "a word2vec binary vector file";
    case FILEKIND_VEC: return "a word-vector text file (.vec)";
    case FILEKIND_JSON: return "a JSON document";
    case FILEKIND_TEXT: return "a text file";
    case FILEKIND_BINARY: return "a binary file of unknown kind";
    }
    return "a file of unknown kind";
}

int filekind_mismatch(Status *st, const char *path, FileKind got, FileKind want)
{
    const char *hint = "";
    if (got == FILEKIND_GZIP) hint = "; decompress it first (gunzip)";
    else if (got == FILEKIND_ZIP) hint = "; extract it first (unzip)";
    else if (got == FILEKIND_W2V_BIN && want == FILEKIND_VEC) hint = "; convert it to the text format first";
    return status_error(st, "%s: is %s, not %s%s", path, filekind_name(got), filekind_name(want), hint);
}

int filekind_expect(const char *path, FileKind want, Status *st)
{
    FileKind got;
    if (filekind_path(path, &got, NULL, st)) return -1;
    return got == want ? 0 : filekind_mismatch(st, path, got, want);
}
