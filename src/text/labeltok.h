/* labeltok.h - the label tokens of a fastText line: every white-space separated
 * token that starts with the label prefix is a label, wherever it stands, and
 * the text is what is left between them. The reader (reader.h) reads labelled
 * lines with it; predict strips labels from its input with it. Pure functions. */
#ifndef ATTNCLF_LABELTOK_H
#define ATTNCLF_LABELTOK_H

#include <stddef.h>

/* ASCII white space, which separates a fastText line's tokens. */
int labeltok_is_space(unsigned char c);
/* The first byte of [p, end) that is not white space (end if none). */
const char *labeltok_skip_space(const char *p, const char *end);
/* Whether the token tok [len] is a label: it starts with prefix [pl]. */
int labeltok_is_label(const char *tok, size_t len, const char *prefix, size_t pl);
/* The text of a line [s, end): the runs of tokens between label tokens, each from
 * its first token to the next label (or the line's end); returns its length.
 * *runs says how many runs; one is pointed at in place (*text); several are
 * concatenated into out (each but the last ends in the white space before a
 * label, which keeps their words apart) when out is given, which then always
 * gets the text. out, when given, holds end - s bytes. */
size_t labeltok_text(const char *s, const char *end, const char *prefix, size_t pl, char *out, const char **text,
                     int *runs);
/* Copies text [n] into out [n] without its label tokens (those starting with
 * prefix), as a fastText line's text is read; returns the length. Text that has
 * none comes back unchanged. For input that is all text (predict). */
size_t labeltok_strip(char *out, const char *text, size_t n, const char *prefix);

#endif
