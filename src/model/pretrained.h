/* pretrained.h - a run's embedding started from pretrained word vectors
 * (model.pretrained: a .vec file, vecfile.h): each vocabulary word found in the
 * file takes its vector as its row's initial value; the other rows keep their
 * random start. The file is streamed, so only the vocabulary's vectors are held.
 * A word of the file that is not in the vocabulary as it is written is looked
 * up as the tokenizer spells it (normalised, lowercased or case-folded: the
 * vocabulary's spelling) when that is one token; of several spellings of one
 * word, the first in the file gives the vector (files list the frequent
 * spelling first). */
#ifndef ATTNCLF_PRETRAINED_H
#define ATTNCLF_PRETRAINED_H

#include <stdint.h>

#include "encoder.h"
#include "model.h"
#include "status.h"

typedef struct PretrainedStats {
    const char *path;  /* the file (borrowed) */
    int64_t words;     /* vocabulary words */
    int64_t found;     /* of them, given a vector */
    int64_t vectors;   /* vectors in the file */
} PretrainedStats;

/* Sets the rows of enc's vocabulary words (rows 0..V-1, encoder.h) of the plain
 * model m that path has vectors for. Errors are vecfile's, one line naming the
 * file (and line): a dimension other than model.dim, a short line, a word
 * without numbers, a non-number, NaN or inf, a file of another kind. */
int pretrained_load(Model *m, const Encoder *enc, const char *path, PretrainedStats *out, Status *st);

#endif
