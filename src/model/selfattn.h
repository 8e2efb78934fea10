/* selfattn.h - the optional self-attention encoder (model.encoder
 * "self_attention", issue 17): a stack of 1 to 4 pre-norm layers (sakernels.h:
 * multi-head scaled dot-product attention, an optional FFN, residuals) between
 * the embedding gather and the pooling attention. The pooling, the context sums,
 * the gate and the classifier read the encoder's outputs where they would read
 * the gathered embeddings x [T,d] (model.h, kernels.h).
 *
 * The encoder's tokens j = 0..Te-1 are document positions tok(j): every position,
 * or with ngrams = 0 the word positions only. A hashed word n-gram position (one
 * row, at or past the dense rows) is then kept out of the token-to-token
 * attention and pooled as it is (the identity). With P the positional term:
 *   e_j = x_tok(j) + P_j,  h^0 = e,  h^l = Layer_l(h^(l-1)),  x'_tok(j) = h^L_j
 * P_j is the sinusoidal encoding (kernel_posenc), row min(j, positions-1) of a
 * learned table, or 0. Counting j over the encoder's tokens, positions number the
 * words alone when n-grams are kept out. (A word out of the vocabulary with
 * character n-grams is a bag of several rows; one whose bag is a single row,
 * possible only when char_ngrams allows a single n-gram of "<w>", counts as an
 * n-gram.)
 *
 * Parameters are tensors of the model's block (TENSOR_ENC + k, model.h), each
 * stacked over layers ([L, ...], layer l at l times a layer's size). At the start
 * the encoder is the identity: W_o, b_o, W_2, b_2 and the learned table are 0,
 * so a model with it starts where the plain model does (same draws elsewhere).
 *
 * Documents are encoded one at a time, or in training several short ones packed
 * into one sequence (selfattn_forward_pack, sakernels.h's SakPack): none attends
 * to another, and each gets the outputs it gets alone. The forward saves what the
 * backward needs in a SelfAttnScratch (one per thread, inside DocScratch), sized
 * outside the training step. */
#ifndef ATTNCLF_SELFATTN_H
#define ATTNCLF_SELFATTN_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "sakernels.h"

#define SELFATTN_MAX_LAYERS 4
/* Rows of the learned position table; later tokens share the last row. */
#define SELFATTN_POSITIONS 256

/* model.positional: false, true or "sin", "learned" (the encoder's only). */
enum { POSITIONAL_NONE = 0, POSITIONAL_SIN, POSITIONAL_LEARNED };

/* The encoder's tensors, in block order; numel as [L = layers, ...]. */
enum {
    SA_POS,   /* [positions,d] learned positions (positional "learned") */
    SA_LN1_G, /* [L,d] */
    SA_LN1_B, /* [L,d] */
    SA_WQ,    /* [L,d,d] */
    SA_BQ,    /* [L,d] */
    SA_WK,    /* [L,d,d] (no bias: sakernels.h) */
    SA_WV,    /* [L,d,d] */
    SA_BV,    /* [L,d] */
    SA_WO,    /* [L,d,d] */
    SA_BO,    /* [L,d] */
    SA_LN2_G, /* [L,d]   with the FFN */
    SA_LN2_B, /* [L,d]   with the FFN */
    SA_W1,    /* [L,F,d] */
    SA_B1,    /* [L,F] */
    SA_W2,    /* [L,d,F] */
    SA_B2,    /* [L,d] */
    SELFATTN_N_TENSORS
};

enum { SELFATTN_NONE = 0, SELFATTN_ON };

/* What a user chooses (model.encoder, layers, ffn_dim, window, encoder_ngrams). */
typedef struct SelfAttnOptions {
    int kind;    /* SELFATTN_NONE or SELFATTN_ON */
    int layers;  /* 1..SELFATTN_MAX_LAYERS */
    int ffn_dim; /* 0: no FFN sub-layer */
    int window;  /* W: tokens attend within +-W; 0 = the whole document */
    int ngrams;  /* 1: n-gram positions are tokens of the attention; 0: only pooled */
} SelfAttnOptions;

/* The encoder's shape inside ModelDims (all 0 without one). */
typedef struct SelfAttnDims {
    int layers, ffn, window;
    int positional; /* POSITIONAL_* */
    int ngrams;
    int positions;  /* rows of the learned table, 0 unless learned */
} SelfAttnDims;

/* The forward's saved state and the backward's temporaries for documents of up
 * to cap_t positions. */
typedef struct SelfAttnScratch {
    float dropout;   /* residual dropout while training (the trainer sets it); 0 when scoring */
    int cap_t;
    int T;           /* the encoder's tokens in the last forward, over its documents */
    int n_docs;      /* the documents of the last forward */
    int *doc_off;    /* [cap_t+1] where each one's tokens start, then T */
    int32_t *tok;    /* [cap_t] position of each encoder token in its document */
    float *h[2];     /* [cap_t,d] layer inputs and outputs, then gradients */
    float *pe;       /* [cap_t,d] sinusoidal positions, with positional "sin" */
    float *keep;     /* [layers,2,d,cap_t] dropout scales of the last forward */
    SakCache cache[SELFATTN_MAX_LAYERS];
    SakWork work;
    float *block;    /* the floats above (one allocation) */
} SelfAttnScratch;

SelfAttnDims selfattn_dims(const SelfAttnOptions *o, int positional);
/* "enc_wq", ... */
const char *selfattn_tensor_name(int k);
/* Floats of tensor k for embedding dimension d (0 for tensors E does not use). */
int64_t selfattn_tensor_numel(const SelfAttnDims *E, int d, int k);
/* The identity start above; W_q, W_k, W_v U(+-sqrt(3/d)) (Xavier-uniform for
 * [d,d]), W_1 Xavier-uniform, LayerNorm gains 1, everything else 0. t holds the
 * tensors' views ([SELFATTN_N_TENSORS], NULL when empty). */
void selfattn_randomize(float *const *t, const SelfAttnDims *E, int d, uint64_t seed);

/* The encoder's part of the model's MODL section (version 3): i32 layers, ffn,
 * window, positional, ngrams, positions. */
void selfattn_put_dims(CkptBuf *b, const SelfAttnDims *E);
/* Reads it; -1 when a value is out of range or does not fit d and heads. */
int selfattn_get_dims(CkptCursor *c, SelfAttnDims *E, int d, int heads);

void selfattn_scratch_free(SelfAttnScratch *s);
/* Sizes s for documents of cap_t positions (keeping dropout). */
void selfattn_scratch_reserve(SelfAttnScratch *s, const SelfAttnDims *E, int d, int heads, int cap_t);

/* x [T,d] gathered from the n ids (bags, kernel_gather_bags) becomes the
 * encoder's output at its tokens' positions, in place. t: the tensors' views;
 * dense_rows: model.h's; seed draws the dropout masks when s->dropout > 0. */
void selfattn_forward(float *x /* [T,d] */, SelfAttnScratch *s, const int32_t *ids, int n, int T,
                      float *const *t, const SelfAttnDims *E, int d, int heads, int64_t dense_rows, uint64_t seed);
/* Backward of the last forward on s: dx [T,d] holds dL/dx' and becomes dL/dx;
 * g's tensors (views like t's) += dL/dparams. */
void selfattn_backward(float *dx /* [T,d] */, float *const *g, SelfAttnScratch *s, float *const *t,
                       const SelfAttnDims *E, int d, int heads);

/* One document of a pack: its rows x [T,d] gathered from the n ids, the
 * encoder's outputs after the forward; seed draws its dropout masks. */
typedef struct SelfAttnDoc {
    float *x;
    const int32_t *ids;
    int n, T;
    uint64_t seed;
} SelfAttnDoc;

/* The forward of nd documents at once, each as selfattn_forward gives it alone
 * (the same bits). Their tokens together, and nd, must fit s (cap_t), and with
 * nd > 1 each document's at most SAK_PACK_MAX (sakernels.h). */
void selfattn_forward_pack(SelfAttnScratch *s, const SelfAttnDoc *docs, int nd, float *const *t,
                           const SelfAttnDims *E, int d, int heads, int64_t dense_rows);
/* Its backward: dx[b] [T_b,d] is document b's, as in selfattn_backward; g's
 * tensors += the pack's gradients (the documents' sums, in another order). */
void selfattn_backward_pack(float *const *dx, float *const *g, SelfAttnScratch *s, float *const *t,
                            const SelfAttnDims *E, int d, int heads);

/* Explanations: one weight per document position from pooling weights alpha
 * [H,T] over the encoder's outputs (the last forward on s). Attention rollout
 * (rollout.h) through the layers maps a head's weights over the encoder's tokens
 * to its inputs; a position kept out of the encoder keeps its own weight. The
 * weights of each head still sum to what alpha's do. work needs
 * selfattn_explain_floats(s, E) floats. */
size_t selfattn_explain_floats(const SelfAttnScratch *s, const SelfAttnDims *E);
void selfattn_explain(float *w /* [H,T] */, float *work, const float *alpha /* [H,T] */, int H, int T,
                      const SelfAttnScratch *s, const SelfAttnDims *E);

#endif
