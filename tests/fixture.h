/* fixture.h - small synthetic corpora and temporary directories for tests. */
#ifndef ATTNCLF_TEST_FIXTURE_H
#define ATTNCLF_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "bayes.h"
#include "ckpt.h"

/* mkdtemp under /tmp; the returned path is static storage of the caller's copy. */
void fixture_tmpdir(char *out, size_t cap);
/* Writes n rows of a 3-class CSV (header label,text), 50-400 words each so that
 * training batches are big enough to run in parallel, whose classes have their
 * own words plus shared noise, so a model can learn it in a few epochs. */
void fixture_corpus(const char *path, int n, uint64_t seed);
/* The same with documents of min_len to max_len words (fixture_corpus: 50 to 399). */
void fixture_corpus_len(const char *path, int n, uint64_t seed, int min_len, int max_len);
/* Reads a whole file (malloc'd, size in *n); NULL if it cannot be read. */
unsigned char *fixture_read(const char *path, long *n);
void fixture_write(const char *path, const void *data, long n);
/* rm -rf */
void fixture_rmtree(const char *path);
/* b's BAYS section (bayes_save) in a new file path [32] under /tmp, opened in r:
 * ckpt_close(r) and unlink(path) when done. */
void fixture_bays_file(const Bayes *b, char *path, CkptReader *r);

#endif
