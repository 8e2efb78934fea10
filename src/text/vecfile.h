/* vecfile.h - word vectors in the word2vec / fastText text format (.vec):
 *   an optional header line "N D" (two decimal integers), then one line per word:
 *   the word and D numbers, separated by spaces or tabs.
 * The reader streams: it holds one line at a time and hands each word to a
 * callback that says which row (if any) of the caller's matrix takes its vector,
 * so a 2 GB file needs the caller's matrix and a line buffer, not 2 GB.
 *
 * Accepted: a UTF-8 byte order mark, CRLF line ends, trailing and repeated blanks,
 * blank lines (skipped), a last line without a newline. Every error is one line,
 * naming the file and, for a line's fault, the line:
 *   file.vec: vectors have 300 dimensions, model.dim is 16   (header or first vector)
 *   file.vec:1234: expected 300 numbers, got 299
 *   file.vec:12: "abc" is not a number
 *   file.vec:12: "nan" is not a finite number                (also inf and overflow)
 *   file.vec: the header says 1000 words, the file has 10
 *   file.vec: empty file
 *   file.vec: is an attnclf checkpoint, not a word-vector text file (.vec)
 *            (and the other kinds filekind.h recognises: fastText models, gzip, ...)
 * Every line's numbers are parsed and checked, not only the wanted words'. A word
 * that appears twice keeps its first vector. A first line of two decimal integers
 * is the header, so a headerless file of 1-dimensional vectors whose first word
 * is a number reads as one (the format is ambiguous there). */
#ifndef ATTNCLF_VECFILE_H
#define ATTNCLF_VECFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

/* The row of dst that takes word's vector, or -1 to skip it. word[len] is '\0'
 * (and the word holds no NUL, no blank). */
typedef int64_t (*VecfileWant)(void *ctx, const char *word, size_t len);

typedef struct VecfileSink {
    int dim;              /* numbers each vector must have, >= 1 */
    const char *dim_name; /* how errors name dim: "model.dim" */
    VecfileWant want;
    void *ctx;
    float *dst;           /* [rows,dim]: row r's vector goes to dst + r*dim */
    int64_t rows;         /* want() returning a row outside 0..rows-1 is an error */
} VecfileSink;

typedef struct VecfileStats {
    int64_t lines;    /* lines read, the header and blank lines included */
    int64_t vectors;  /* lines holding a word and its vector */
    int64_t found;    /* distinct rows filled */
    int64_t repeated; /* vectors for a row filled already (the first one stays) */
    int header;       /* the file has an "N D" header */
    int64_t header_n;
} VecfileStats;

/* Reads path into sink. On error dst may hold some vectors already. */
int vecfile_read(const char *path, const VecfileSink *sink, VecfileStats *stats, Status *st);
/* The same from an open stream; name is what errors call it. */
int vecfile_read_stream(FILE *f, const char *name, const VecfileSink *sink, VecfileStats *stats, Status *st);

/* Parses the token s[0..len) (no NUL needed) to the float strtof gives, exactly,
 * with a fast path for the plain decimals .vec files hold. The whole token must be
 * the number, with no white space before it. Returns 0, -1 for not a number, -2
 * for a number that is not finite (nan, inf, overflow). */
int vecfile_parse_float(const char *s, size_t len, float *out);

/* Longest text vecfile_format_float writes, NUL included: "-1.17549435e-38". */
#define VECFILE_FLOAT_CHARS 32
/* The shortest %g text that strtof reads back as exactly v (finite v); returns
 * its length. */
int vecfile_format_float(char *out /* [VECFILE_FLOAT_CHARS] */, float v);
/* One line: the word (none when word is NULL) and dim numbers, then "\n".
 * Returns 0, or -1 on a write error (errno set). */
int vecfile_write_line(FILE *f, const char *word, size_t len, const float *v /* [dim] */, int dim);
/* A whole file: the header "n dim", then words[i] with vecs[i,:]. Words must be
 * non-empty without blanks or line breaks, values finite; both are checked before
 * anything is written. */
int vecfile_write_stream(FILE *f, const char *name, const char *const *words /* [n] */,
                         const float *vecs /* [n,dim] */, int64_t n, int dim, Status *st);
int vecfile_write(const char *path, const char *const *words /* [n] */, const float *vecs /* [n,dim] */,
                  int64_t n, int dim, Status *st);

#endif
