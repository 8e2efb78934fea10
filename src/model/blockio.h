/* blockio.h - a parameter block in a checkpoint section: TDAT for the weights,
 * ADMM and ADMV for the Adam moments, which share the model's layout. The dense
 * tensors and the dense rows (words, UNK) are stored whole; of the hashed n-gram
 * rows, which start at 0, only those training touched (nonzero in the weights)
 * are stored, as a list, when that takes fewer bytes than all of them. All three
 * blocks of a checkpoint list the same rows.
 *   section version 1: the whole block [n_params] floats
 *   section version 2: u64 k; u32 rows [k], ascending, >= dense_rows; the k rows
 *     [k,d]; then the block up to the first n-gram row [n_dense + dense_rows*d] */
#ifndef ATTNCLF_BLOCKIO_H
#define ATTNCLF_BLOCKIO_H

#include "ckpt.h"
#include "model.h"
#include "status.h"

/* Writes section tag of block [m->n_params] (laid out like m's parameters). The
 * block must stay valid until ckpt_write. */
void blockio_save(const Model *m, const float *block, CkptWriter *w, const char *tag);
/* Reads section tag into block [m->n_params], which must be zeroed. */
int blockio_load(const Model *m, float *block, const CkptReader *r, const char *tag, Status *st);
/* The block where r's mapping holds it, when section tag stores it whole; else NULL. */
const float *blockio_mapped(const Model *m, const CkptReader *r, const char *tag);

#endif
