/* labelindex.c - see labelindex.h. A counting sort: one pass to count, one to
 * place, so each label's documents come out in ascending order. */
#include "labelindex.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void labelindex_build(LabelIndex *ix, const int64_t *off, const int32_t *lab, int64_t n, int C)
{
    ix->C = C;
    ix->off = xcalloc((size_t)C + 1, sizeof *ix->off);
    for (int64_t j = 0; j < off[n]; j++)
        if (lab[j] >= 0 && lab[j] < C) ix->off[lab[j] + 1]++;
    for (int c = 0; c < C; c++) ix->off[c + 1] += ix->off[c];
    ix->doc = xmalloc((size_t)ix->off[C] * sizeof *ix->doc);
    int64_t *next = xmalloc((size_t)(C ? C : 1) * sizeof *next);
    memcpy(next, ix->off, (size_t)C * sizeof *next);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = off[i]; j < off[i + 1]; j++)
            if (lab[j] >= 0 && lab[j] < C) ix->doc[next[lab[j]]++] = i;
    free(next);
}

void labelindex_free(LabelIndex *ix)
{
    free(ix->off);
    free(ix->doc);
    memset(ix, 0, sizeof *ix);
}
