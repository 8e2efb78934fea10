/* pretrained.c - see pretrained.h. */
#include "pretrained.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "vecfile.h"

typedef struct PretrainedCtx {
    const Encoder *enc;
    TokenList tl;  /* the word as the tokenizer spells it */
} PretrainedCtx;

/* The word's row: as written, or as the tokenizer would spell it (normalised,
 * case-folded) when that is one token. */
static int64_t pretrained_want(void *ctx, const char *word, size_t len)
{
    PretrainedCtx *c = ctx;
    const Vocab *v = &c->enc->vocab;
    int64_t id = vocab_find(v, word, len);
    if (id >= 0) return id;
    tokenizer_run(&c->enc->tk, word, len, &c->tl);
    if (c->tl.n != 1) return -1;
    const char *t = c->tl.buf + c->tl.start[0];
    const size_t tn = c->tl.len[0];
    if (tn == len && memcmp(t, word, len) == 0) return -1;
    return vocab_find(v, t, tn);
}

int pretrained_load(Model *m, const Encoder *enc, const char *path, PretrainedStats *out, Status *st)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->words = enc->vocab.n;
    if (!embed_is_plain(&m->emb)) return status_error(st, "%s: pretrained vectors need a training model", path);
    PretrainedCtx ctx = {.enc = enc};
    tokenlist_init(&ctx.tl);
    VecfileSink sink = {.dim = m->dims.dim, .dim_name = "model.dim", .want = pretrained_want, .ctx = &ctx,
                        .dst = m->p.emb, .rows = enc->vocab.n};
    VecfileStats vs;
    int rc = strcmp(path, "-") == 0 ? vecfile_read_stream(stdin, "stdin", &sink, &vs, st)
                                    : vecfile_read(path, &sink, &vs, st);
    tokenlist_free(&ctx.tl);
    out->found = vs.found;
    out->vectors = vs.vectors;
    return rc;
}
