/* filekind.h - what a file is, from its first bytes, so a loader handed the wrong
 * file can say so: "x.bin: is a fastText binary model, not an attnclf checkpoint"
 * rather than "bad magic".
 *
 * The tests, in order (the first that matches names the file):
 *   empty          no bytes at all
 *   attnclf        "ATTNCLF\x1a", then a u32 version
 *   fastText       int32 793712314 little-endian (0x2f4f16ba), then an int32
 *                  version: fastText's .bin and .ftz models
 *   gzip, zip      1f 8b; "PK\3\4" (pretrained vectors are often shipped so)
 *   binary         a NUL, or control bytes (other than \t \n \r \f \v ESC) in
 *                  more than 1 of 32 bytes, after an optional UTF-8 BOM; it is
 *   word2vec bin   when its first line is "N D" and the bytes after it are binary
 *                  (word2vec's binary vectors, e.g. GoogleNews-vectors-negative300.bin)
 *   .vec           a first line "N D" (two decimal integers, D >= 1) or a word and
 *                  at least one number, with the second line, when complete, the
 *                  same shape
 *   JSON           the first non-blank character is '{' or '['
 *   text           anything else
 * Only complete lines and tokens are judged: a first line longer than the bytes
 * given counts by the numbers seen so far. */
#ifndef ATTNCLF_FILEKIND_H
#define ATTNCLF_FILEKIND_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum FileKind {
    FILEKIND_EMPTY,
    FILEKIND_ATTNCLF,
    FILEKIND_FASTTEXT,
    FILEKIND_GZIP,
    FILEKIND_ZIP,
    FILEKIND_W2V_BIN,
    FILEKIND_VEC,
    FILEKIND_JSON,
    FILEKIND_TEXT,
    FILEKIND_BINARY,
} FileKind;

/* How many leading bytes filekind_path reads. */
#define FILEKIND_SNIFF_BYTES 4096

/* The kind of a file whose first n bytes are p; whole says these are all of its
 * bytes (so a last line without a newline is complete). *version (may be NULL)
 * gets the format version of an attnclf or fastText file, else 0. */
FileKind filekind_sniff(const unsigned char *p, size_t n, int whole, uint32_t *version);
/* Reads the first FILEKIND_SNIFF_BYTES of path. Errors: cannot open or read, a
 * directory. */
int filekind_path(const char *path, FileKind *kind, uint32_t *version, Status *st);
/* A noun phrase for messages: "an attnclf checkpoint", "a fastText binary model
 * (.bin/.ftz)", "a word-vector text file (.vec)", ... */
const char *filekind_name(FileKind k);
/* Fills st with "path: is <got>, not <want>" (plus what to do, for compressed
 * files) and returns -1. */
int filekind_mismatch(Status *st, const char *path, FileKind got, FileKind want);
/* 0 when path is of kind want; else the mismatch error (or the read error). */
int filekind_expect(const char *path, FileKind want, Status *st);

#endif
