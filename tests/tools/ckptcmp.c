/* ckptcmp.c - a test helper: whether two checkpoints (format 4) hold the same
 * sections with the same bytes, as scripts/ckpt_same.py says, without Python in
 * `make check`. Reads the container's directory itself (magic, version, then at
 * byte 24 the directory's offset and count; 24-byte entries: tag, version,
 * offset, length), so it depends on nothing of attnclf's.
 *
 *   ckptcmp A B [--ignore TAG]... [--only TAG]...
 *
 * --ignore leaves a section out (CONF names output.dir); --only compares the
 * sections named and no other. Prints each section that differs; exits 0 when
 * none does, 1 when one does, 2 on a usage error or a file that is not a
 * checkpoint. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 32

typedef struct {
    char tag[5];
    uint32_t version;
    const unsigned char *bytes;
    uint64_t len;
} Section;

typedef struct {
    unsigned char *data;
    size_t size;
    Section sec[256];
    int n;
} Ckpt;

static uint64_t get(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int load(const char *path, Ckpt *c)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fprintf(stderr, "ckptcmp: %s: cannot open\n", path), -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    c->data = malloc(size > 0 ? (size_t)size : 1);
    c->size = size > 0 && fread(c->data, 1, (size_t)size, f) == (size_t)size ? (size_t)size : 0;
    fclose(f);
    if (c->size < 36 || memcmp(c->data, "ATTNCLF\x1a", 8) != 0 || get(c->data + 8, 4) != 4)
        return fprintf(stderr, "ckptcmp: %s: not a format 4 checkpoint\n", path), -1;
    const uint64_t dir = get(c->data + 24, 8), n = get(c->data + 32, 4);
    if (n > 256 || dir > c->size || (c->size - dir) / 24 < n)
        return fprintf(stderr, "ckptcmp: %s: bad section directory\n", path), -1;
    for (c->n = 0; c->n < (int)n; c->n++) {
        const unsigned char *e = c->data + dir + 24 * (uint64_t)c->n;
        Section *s = &c->sec[c->n];
        memcpy(s->tag, e, 4);
        s->tag[4] = '\0';
        s->version = (uint32_t)get(e + 4, 4);
        const uint64_t off = get(e + 8, 8);
        s->len = get(e + 16, 8);
        if (off > c->size || c->size - off < s->len)
            return fprintf(stderr, "ckptcmp: %s: section %s out of the file\n", path, s->tag), -1;
        s->bytes = c->data + off;
    }
    return 0;
}

static const Section *find(const Ckpt *c, const char *tag)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->sec[i].tag, tag) == 0) return &c->sec[i];
    return NULL;
}

static int listed(const char *tag, char *const *tags, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(tag, tags[i]) == 0) return 1;
    return 0;
}

/* Whether the section tag, in one file or both, is the same in both; prints it if not. */
static int same(const Ckpt *a, const Ckpt *b, const char *tag)
{
    const Section *x = find(a, tag), *y = find(b, tag);
    const int eq = x && y ? x->version == y->version && x->len == y->len && memcmp(x->bytes, y->bytes, x->len) == 0
                          : x == y;
    if (!eq) printf("section %s differs\n", tag);
    return eq;
}

int main(int argc, char **argv)
{
    char *files[2], *ignore[MAX_TAGS], *only[MAX_TAGS];
    int nf = 0, ni = 0, no = 0;
    for (int i = 1; i < argc; i++) {
        const int is_ignore = strcmp(argv[i], "--ignore") == 0, is_only = strcmp(argv[i], "--only") == 0;
        if ((is_ignore || is_only) && i + 1 < argc) {
            int *n = is_ignore ? &ni : &no;
            if (*n == MAX_TAGS) break;
            (is_ignore ? ignore : only)[*n] = argv[i + 1];
            ++*n;
            i++;
        } else if (argv[i][0] != '-' && nf < 2) {
            files[nf++] = argv[i];
        } else {
            nf = -1;
            break;
        }
    }
    if (nf != 2) return fprintf(stderr, "usage: ckptcmp A B [--ignore TAG]... [--only TAG]...\n"), 2;
    Ckpt a = {0}, b = {0};
    int rc = load(files[0], &a) || load(files[1], &b) ? 2 : 0;
    for (int k = 0; rc == 0 && k < 2; k++) {
        const Ckpt *c = k ? &b : &a;
        for (int i = 0; i < c->n; i++) {
            const char *tag = c->sec[i].tag;
            if (listed(tag, ignore, ni) || (no && !listed(tag, only, no)) || (k && find(&a, tag))) continue;
            if (!same(&a, &b, tag)) rc = 1;
        }
    }
    free(a.data);
    free(b.data);
    return rc;
}
