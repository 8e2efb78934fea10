/* textset.c - see textset.h. */
#include "textset.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

typedef struct TextLoad {
    TextSet *ts;
    const Vocab *labels;
    Vocab *unknown;
} TextLoad;

static void textset_init(TextSet *ts)
{
    memset(ts, 0, sizeof *ts);
    ts->off = xcalloc(1, sizeof *ts->off);
    ts->label = xmalloc(sizeof *ts->label);
    ts->bytes = xmalloc(1);
    ts->cap_bytes = 1;
}

static int textset_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    TextLoad *c = ctx;
    TextSet *ts = c->ts;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 1024;
        ts->off = xrealloc(ts->off, (size_t)(ts->cap + 1) * sizeof *ts->off);
        ts->label = xrealloc(ts->label, (size_t)ts->cap * sizeof *ts->label);
    }
    int64_t at = ts->off[ts->n], need = at + (int64_t)row->text_len + 1;
    if (need > ts->cap_bytes) {
        while (need > ts->cap_bytes) ts->cap_bytes *= 2;
        ts->bytes = xrealloc(ts->bytes, (size_t)ts->cap_bytes);
    }
    memcpy(ts->bytes + at, row->text, row->text_len);
    ts->bytes[need - 1] = '\0';
    int64_t id = vocab_find(c->labels, row->labels[0], row->label_lens[0]);
    ts->label[ts->n] = (int32_t)(id >= 0 ? id : c->labels->n + vocab_add(c->unknown, row->labels[0], row->label_lens[0]));
    ts->off[++ts->n] = need;
    return 0;
}

int textset_load(TextSet *ts, const char *path, const ReaderOptions *ro, const Vocab *labels, Vocab *unknown,
                 ReaderStats *rs, Status *st)
{
    textset_init(ts);
    TextLoad c = {.ts = ts, .labels = labels, .unknown = unknown};
    int rc = reader_read(path, ro, textset_row, &c, rs, st);
    if (rc) textset_free(ts);
    return rc;
}

void textset_keep(TextSet *ts, const unsigned char *keep)
{
    int64_t n = 0, at = 0;
    for (int64_t i = 0; i < ts->n; i++) {
        if (!keep[i]) continue;
        int64_t from = ts->off[i], len = ts->off[i + 1] - from;
        memmove(ts->bytes + at, ts->bytes + from, (size_t)len);
        ts->label[n] = ts->label[i];
        ts->off[n] = at;
        at += len;
        n++;
    }
    ts->off[n] = at;
    ts->n = n;
}

void textset_free(TextSet *ts)
{
    free(ts->bytes);
    free(ts->off);
    free(ts->label);
    memset(ts, 0, sizeof *ts);
}
