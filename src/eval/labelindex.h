/* labelindex.h - the true label sets of n documents, and their transpose.
 * A label set is CSR: document i has labels lab[off[i] .. off[i+1]), distinct
 * ids; an id >= C is a label the model never saw (it has no score), and a
 * document may have no label at all. The index lists, for each of the C known
 * labels, the documents that carry it, in ascending order. */
#ifndef ATTNCLF_LABELINDEX_H
#define ATTNCLF_LABELINDEX_H

#include <stdint.h>

typedef struct LabelIndex {
    int C;
    int64_t *off;  /* [C+1] label c's documents are doc[off[c] .. off[c+1]) */
    int64_t *doc;  /* [off[C]] */
} LabelIndex;

/* Allocates the two arrays; ids >= C are left out. */
void labelindex_build(LabelIndex *ix, const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */, int64_t n,
                      int C);
void labelindex_free(LabelIndex *ix);

#endif
