/* suggest.c - see suggest.h. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t *row = xmalloc((m + 1) * sizeof *row); /* row[j]: distance of a[0..i) to b[0..j) */
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[m];
    free(row);
    return d;
}

int suggest_nearest(const char *name, const char *const *cands, int n)
{
    size_t len = strlen(name), limit = len / 2 > 1 ? len / 2 : 1, best_d = (size_t)-1;
    int best = -1;
    for (int i = 0; i < n; i++) {
        size_t d = suggest_distance(name, cands[i]);
        if (d < best_d) best_d = d, best = i;
    }
    return best_d <= limit && best_d < len ? best : -1;
}
