/* suggest.h - "did you mean": the name nearest to a misspelt one, by edit
 * distance, for unknown config keys, options and commands. */
#ifndef ATTNCLF_SUGGEST_H
#define ATTNCLF_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance: the fewest single-byte insertions, deletions and
 * substitutions that turn a into b. */
size_t suggest_distance(const char *a, const char *b);
/* Index into cands [n] of the candidate nearest to name (the first of equals), or
 * -1 when even that one is more than max(1, strlen(name) / 2) edits away, or as
 * many edits as name has bytes: too far to be a slip ("-v" is not "eval"), so
 * suggesting it would only mislead. */
int suggest_nearest(const char *name, const char *const *cands, int n);

#endif
