/* textset.h - a labelled file kept as its rows' texts and first labels, for
 * what must show documents as well as score them (the report). A Dataset
 * (dataset.h) keeps only the encoded ids, which cannot be shown; this keeps
 * the bytes, and encoding is left to the scorer, which can do it in parallel. */
#ifndef ATTNCLF_TEXTSET_H
#define ATTNCLF_TEXTSET_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "status.h"
#include "vocab.h"

typedef struct TextSet {
    int64_t n;       /* rows */
    char *bytes;     /* every row's text, each followed by a NUL (texts may hold NULs too) */
    int64_t *off;    /* [n+1] row i is bytes[off[i] .. off[i+1] - 1) */
    int32_t *label;  /* [n] first label: < labels->n a training label, else labels->n + its id in unknown */
    int64_t cap, cap_bytes;
} TextSet;

/* Reads every good row of path with ro (as dataset_load does). A label not in
 * `labels` is added to `unknown`. Multi-label rows keep their first label. */
int textset_load(TextSet *ts, const char *path, const ReaderOptions *ro, const Vocab *labels, Vocab *unknown,
                 ReaderStats *rs, Status *st);
/* Keeps the rows i with keep[i] != 0 ([n]), in their order. */
void textset_keep(TextSet *ts, const unsigned char *keep);
void textset_free(TextSet *ts);

static inline const char *textset_text(const TextSet *ts, int64_t i, size_t *len)
{
    *len = (size_t)(ts->off[i + 1] - ts->off[i] - 1);
    return ts->bytes + ts->off[i];
}

#endif
