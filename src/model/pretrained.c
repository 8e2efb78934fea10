/* pretrained.c - see pretrained.h. */
#include "pretrained.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"
#include "vecfile.h"

typedef struct PretrainedCtx {
    const Encoder *enc;
    char *buf;     /* a lowercased word */
    size_t cap;
} PretrainedCtx;

/* The word's row: as written, or lowercased as the tokenizer would have it. */
static int64_t pretrained_want(void *ctx, const char *word, size_t len)
{
    PretrainedCtx *c = ctx;
    const Vocab *v = &c->enc->vocab;
    int64_t id = vocab_find(v, word, len);
    if (id >= 0 || !c->enc->tk.lowercase) return id;
    if (4 * len + 1 > c->cap) {
        c->cap = 4 * len + 1;
        c->buf = xrealloc(c->buf, c->cap);
    }
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += (size_t)utf8_decode((const unsigned char *)word + i, len - i, &cp);
        n += (size_t)utf8_encode(utf8_lower(cp), c->buf + n);
    }
    if (n == len && memcmp(c->buf, word, len) == 0) return -1;
    return vocab_find(v, c->buf, n);
}

int pretrained_load(Model *m, const Encoder *enc, const char *path, PretrainedStats *out, Status *st)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->words = enc->vocab.n;
    if (!embed_is_plain(&m->emb)) return status_error(st, "%s: pretrained vectors need a training model", path);
    PretrainedCtx ctx = {.enc = enc};
    VecfileSink sink = {.dim = m->dims.dim, .dim_name = "model.dim", .want = pretrained_want, .ctx = &ctx,
                        .dst = m->p.emb, .rows = enc->vocab.n};
    VecfileStats vs;
    int rc = strcmp(path, "-") == 0 ? vecfile_read_stream(stdin, "stdin", &sink, &vs, st)
                                    : vecfile_read(path, &sink, &vs, st);
    free(ctx.buf);
    out->found = vs.found;
    out->vectors = vs.vectors;
    return rc;
}
