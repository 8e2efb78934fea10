/* suggest.c - see suggest.h. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), w = m + 1;
    /* d[i][j]: distance of a[0..i) to b[0..j); three rows are enough for the swap. */
    size_t *d = xmalloc(3 * w * sizeof *d);
    size_t *prev2 = d, *prev = d + w, *row = d + 2 * w;
    for (size_t j = 0; j <= m; j++) prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            row[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = row;
        row = t;
    }
    size_t dist = prev[m];
    free(d);
    return dist;
}

/* Whether name is one of cand's words, separated by '-', '_' or '.'. */
static int suggest_is_word(const char *name, const char *cand)
{
    size_t len = strlen(name);
    if (len == 0) return 0;
    for (const char *p = cand; (p = strstr(p, name)) != NULL; p++) {
        int starts = p == cand || strchr("-_.", p[-1]);
        int ends = p[len] == '\0' || strchr("-_.", p[len]);
        if (starts && ends) return 1;
    }
    return 0;
}

int suggest_nearest(const char *name, const char *const *cands, int n)
{
    size_t len = strlen(name), limit = len / 3 > 1 ? len / 3 : 1, best_d = (size_t)-1;
    int best = -1;
    for (int i = 0; i < n; i++) {
        size_t d = suggest_distance(name, cands[i]);
        if (d < best_d) best_d = d, best = i;
    }
    if (best >= 0 && best_d <= limit && best_d < len) return best;
    int word = -1, words = 0;
    for (int i = 0; i < n; i++)
        if (suggest_is_word(name, cands[i]) && words++ == 0) word = i;
    return words == 1 ? word : -1;
}
