/* suggest.h - "did you mean": the name nearest to a misspelt one, for unknown
 * config keys, options and commands. A suggestion is made only when it is likely
 * what was meant; a far one would only mislead. */
#ifndef ATTNCLF_SUGGEST_H
#define ATTNCLF_SUGGEST_H

#include <stddef.h>

/* Optimal string alignment distance: the fewest single-byte insertions,
 * deletions, substitutions and swaps of two neighbours that turn a into b. */
size_t suggest_distance(const char *a, const char *b);
/* Index into cands [n] of the candidate meant by name, or -1: the nearest one
 * (the first of equals) when it is at most max(1, strlen(name) / 3) edits away
 * and fewer edits than name has bytes ("tarin" is "train", "-v" is not "eval");
 * else the one candidate that has name as a whole word between '-', '_' and '.'
 * ("k" is "top-k"). */
int suggest_nearest(const char *name, const char *const *cands, int n);

#endif
