/* sakfull.h - sakmha's whole-document attention (every query sees every key) for
 * short documents, one head and eight queries (or keys) at a time in AVX2
 * registers: the scores, softmax and weighted sums of a block never leave L1 and
 * no product is a call. SST-2's sentences are 2-50 tokens, where sakmha's
 * per-head GEMMs of K = dh = 4 are mostly edges and calls.
 *
 * The same bits as sakmha's general path, on any processor: every element sums
 * its terms in the same order from +0 with the same operands (no fused
 * multiply-adds: target "avx2" does not enable FMA), the softmax subtracts the
 * same maxima and calls the same exp. tests/test_sakernels.c compares the two
 * with memcmp. Shapes and formulas are sakmha.h's, with W = 0 (or W >= T - 1). */
#ifndef ATTNCLF_SAKFULL_H
#define ATTNCLF_SAKFULL_H

#include <stddef.h>

/* Longest document the blocks take; longer ones go to sakmha's GEMMs, which are
 * efficient there, and keep the scratch small. */
#define SAKFULL_MAX_T 64

/* Whether sakfull_forward/backward take a document of T tokens with heads of dh
 * features on this processor (AVX2, dh of 2, 4 or 8, 1 <= T <= SAKFULL_MAX_T). */
int sakfull_takes(int T, int dh);
/* Turns the blocks off (0) or back on where the processor has AVX2; returns
 * whether they were on. For tests that compare them with the general path. */
int sakfull_use(int on);
/* Scratch floats either needs for documents up to T tokens. */
size_t sakfull_work_floats(int T);
/* o = softmax(k^T q / sqrt(dh)) per head, as sakmha_forward with W = 0. The
 * activations' rows are ld >= T floats apart (ld = T for one document; a pack
 * of several (sakernels.h) passes its total length), p is the document's own. */
void sakfull_forward(float *o /* [d,ld] */, float *p /* [H,T,T] */, float *work /* [sakfull_work_floats] */,
                     const float *q /* [d,ld] */, const float *k /* [d,ld] */, const float *v /* [d,ld] */, int T,
                     int ld, int d, int H);
/* sakmha_backward_to with W = 0: dq, dk, dv written when set, else added to. */
void sakfull_backward(float *dq /* [d,ld] */, float *dk /* [d,ld] */, float *dv /* [d,ld] */,
                      float *work /* [sakfull_work_floats] */, const float *dout /* [d,ld] */,
                      const float *o /* [d,ld] */, const float *p /* [H,T,T] */, const float *q /* [d,ld] */,
                      const float *k /* [d,ld] */, const float *v /* [d,ld] */, int T, int ld, int d, int H, int set);

#endif
