/* model.h - parameters in one contiguous block with named views (llm.c's
 * ParameterTensors), a {name, numel} table shared by tests, logs and checkpoints,
 * and the per-document forward/backward built from kernels.c.
 *
 * Block layout: the small dense tensors first, the embedding table last, so that
 * dense gradients (a prefix of the layout) are a small separate buffer while the
 * embedding's gradient is sparse: only the rows a batch used (see trainer.c).
 * A training model's table holds every row; a shipped model's holds only the
 * rows it stores as floats, or none when they are quantized (embed.h), and the
 * network reads its rows through the embedding's gather either way. */
#ifndef ATTNCLF_MODEL_H
#define ATTNCLF_MODEL_H

#include <stdint.h>

#include "ckpt.h"
#include "selfattn.h"
#include "loss.h"
#include "embed.h"
#include "status.h"

enum {
    TENSOR_QUERY,  /* [H,d]   dot attention: one query per head */
    TENSOR_ATT_W,  /* [d,d]   additive attention projection */
    TENSOR_ATT_B,  /* [d] */
    TENSOR_ATT_V,  /* [H,d]   additive attention: one context vector per head */
    TENSOR_CTX_Q,  /* [2H,d]  context attention: left- and right-sum queries per head */
    TENSOR_GATE_W, /* [d,d]   value gate from the previous word */
    TENSOR_GATE_B, /* [d] */
    TENSOR_OUT_W,  /* [C,H*d] classifier */
    TENSOR_OUT_B,  /* [C] */
    TENSOR_ENC,    /* the self-attention encoder's SELFATTN_N_TENSORS (selfattn.h), empty without one */
    TENSOR_EMB = TENSOR_ENC + SELFATTN_N_TENSORS, /* [rows,d] words, UNK, then hashed n-gram buckets
                                                     (a shipped model: embed.h) */
    N_TENSORS
};

typedef enum { ATTN_DOT = 0, ATTN_ADDITIVE } AttentionKind;

/* The network's shape as a user chooses it; the data decide rows and classes. */
typedef struct ModelOptions {
    char *pretrained; /* .vec file of initial word vectors (pretrained.h), or NULL */
    int dim;
    int heads;
    AttentionKind attention;
    int positional; /* POSITIONAL_* (selfattn.h): on the pooling's scores, or with the encoder its input's */
    int context;  /* scores also see the sums of the words left and right (kernels.h) */
    int gate;     /* values gated by the previous word (kernels.h) */
    SelfAttnOptions enc; /* the self-attention encoder before the pooling */
    LossKind loss; /* the output layer (loss.h); AUTO must be resolved before model_dims */
} ModelOptions;

typedef struct ModelDims {
    int64_t rows;  /* embedding rows: vocab + 1 (UNK) + buckets */
    int64_t dense_rows; /* the first rows (words, UNK), stored whole; the n-gram rows after them
                           start at 0 and are stored only where training changed them */
    int dim, heads, classes;
    AttentionKind attention;
    int positional;
    int context;  /* scores also see the sums of the words left and right (kernels.h) */
    int gate;     /* values gated by the previous word (kernels.h) */
    SelfAttnDims enc; /* layers 0: no encoder; with one, positional above is 0 (the encoder has them) */
    LossKind loss; /* softmax or one sigmoid per class (loss.h) */
} ModelDims;

typedef struct ParamTensors {
    float *query, *att_w, *att_b, *att_v, *ctx_q, *gate_w, *gate_b, *out_w, *out_b;
    float *enc[SELFATTN_N_TENSORS];
    float *emb;
} ParamTensors;

typedef struct TensorInfo {
    const char *name;
    int64_t numel;  /* 0 for tensors the attention kind does not use */
    int64_t offset; /* into the block */
} TensorInfo;

typedef struct Model {
    ModelDims dims;
    TensorInfo tensors[N_TENSORS];
    int64_t n_params; /* whole block */
    int64_t n_dense;  /* everything before the embedding */
    float *params;    /* [n_params], 64-byte aligned */
    int owns_params;  /* 0: params lie in a mapped checkpoint, read-only */
    ParamTensors p;
    int64_t emb_rows; /* rows of the emb tensor: dims.rows, or a shipped model's float rows */
    Embed emb;        /* how the rows are stored; plain (every row, p.emb) when training */
} Model;

/* Per-document working memory, one per thread; sized once for the longest
 * document so the training step never allocates. */
typedef struct DocScratch {
    int cap_t;
    int T;                            /* positions of the last forward (its ids form bags, kernels.h) */
    float *x, *xs, *dx, *u, *da, *pe; /* [cap_t,d] */
    float *v, *g, *dv;                /* [cap_t,d] with the gate only */
    float *L, *R, *dL, *dR;           /* [cap_t,d] with context sums only */
    float *alpha;                     /* [H,cap_t] */
    float *z, *zd, *dz;               /* [H*d] z, z after dropout, dL/dz */
    float *logits, *probs, *dlogits;  /* [C] */
    unsigned char *mask;              /* [H*d] dropout keep mask */
    SelfAttnScratch enc;              /* with the encoder */
    float *pack_x, *pack_dx;          /* [pack,d] a pack's rows and their gradients (docscratch_reserve_pack) */
    const float *class_w;             /* [C] per-class loss weights (loss.h) while training; NULL: none */
    int32_t *sid, *kid, *pos;         /* [cap_t] a shipped model's gather (embed_gather): stored rows,
                                         kept ids, kept positions */
} DocScratch;

ModelDims model_dims(const ModelOptions *o, int64_t rows, int64_t dense_rows, int classes);
/* Fills m->tensors and sizes for dims; allocates a zeroed block. */
void model_init(Model *m, const ModelDims *dims);
void model_free(Model *m);
/* Sections MODL (version 3): u64 rows, u64 dense_rows; i32 dim, heads, classes,
 * attention, positional, context, gate, loss (older files: softmax); the encoder's
 * dims (selfattn_put_dims; older files: none); u32 tensors, each {u32 length +
 * name, u64 numel, u64 offset}; and TDAT: the parameter block (blockio.h).
 * MODL version 4 (a shipped model, model_export, model_ship) has version 3's
 * bytes, and its emb tensor holds only the rows EMBD and its sections describe
 * (embed_save); its TDAT is the whole (small) block. */
void model_save(const Model *m, CkptWriter *w);
/* Reads them (MODL versions 1 and 2 have no encoder; format 1-3: DIMS, TNSR,
 * TDAT). With map, the parameters stay in r's mapping (read-only; r must
 * outlive m); otherwise they are copied. */
int model_load(Model *m, const CkptReader *r, int map, Status *st);
/* A shipped model: src's network (its dense tensors copied) with embedding e,
 * which dst takes over (e is left empty), e->rows rows and the first
 * dense_rows of them words and UNK. For EMBED_F32, rows [stored,d] are the
 * stored rows' values, copied into dst's block. */
void model_ship(Model *dst, const Model *src, Embed *e, const float *rows, int64_t dense_rows);
/* The network of an exported model: src's (a training model) with only the rows
 * training touched, those whose values are not their initial ones under seed
 * (model_randomize with unk_row = dims.dense_rows - 1: the words random, UNK and
 * the n-gram rows 0), stored as floats (codec EMBED_F32: src's predictions bit for
 * bit), per-row int8 (EMBED_I8) or int8 moves from the initial rows (EMBED_I8D,
 * not decoded: a model to write; embed_decode_i8d makes the rows to score
 * with, as loading does); the others are rebuilt from seed when a
 * document asks for them (EMBED_MISSING_INIT). A row set from pretrained
 * vectors differs from its initial value, so it is stored too. */
int model_export(Model *dst, const Model *src, uint64_t seed, EmbedCodec codec, Status *st);
/* Initial values from seed: embeddings U(-1/sqrt(d), 1/sqrt(d)) except the UNK
 * row (0: unseen words add nothing until trained); queries 0 so attention starts
 * as mean pooling; additive W Xavier-uniform, v and biases 0; context queries and
 * the gate 0, so a context model starts as the plain one (same draws); classifier
 * Xavier-uniform, bias 0. The encoder starts as the identity
 * (selfattn_randomize), its draws after all of these. */
void model_randomize(Model *m, int64_t unk_row, uint64_t seed);

void docscratch_init(DocScratch *s, const ModelDims *dims, int cap_t);
void docscratch_free(DocScratch *s);
/* Grows the scratch to hold T tokens (outside the training step only). */
void docscratch_reserve(DocScratch *s, const ModelDims *dims, int T);
/* Grows it for model_pack_step's packs of up to n tokens (a training scratch's). */
void docscratch_reserve_pack(DocScratch *s, const ModelDims *dims, int n);

/* Targets travel as a label set y [ny] of distinct classes < C; ny = 0 means
 * none (no loss). The loss is dims.loss's, weighted by s->class_w (loss.h). */

/* Forward pass of one document of n ids (bags of rows, kernel_gather_bags; T =
 * s->T positions): fills s->alpha [H,T], s->z, s->logits, s->probs and returns
 * the loss for the targets (0 when ny == 0). offset [C] (NULL for
 * none) is added to the logits: another member's scores (bayes.h). With
 * dropout > 0 (training) z is masked with a keep mask drawn from mask_seed.
 * A shipped model's skipped rows (EMBED_MISSING_SKIP) are left out of their
 * bags, and a position whose bag is all skipped takes no part and gets weight
 * 0 in s->alpha (s->T counts every position). */
float model_forward(const Model *m, const int32_t *ids, int n, const float *offset, const int32_t *y, int ny,
                    float dropout, uint64_t mask_seed, DocScratch *s);
/* Backward of the last model_forward on s (of the same n ids), for a training
 * model (embed_is_plain): accumulates scale * dL/dparams into dense_grad
 * [n_dense] (the dense prefix layout) and writes dL/demb for each id into demb
 * [n,d] (overwritten, not accumulated: one row per id). */
void model_backward(const Model *m, const int32_t *ids, int n, const int32_t *y, int ny, float dropout,
                    float scale, DocScratch *s, float *dense_grad, float *demb);
/* Index of the largest of probs [C]; ties go to the lower index. */
int model_argmax(const float *probs, int C);

/* Training several short documents in one pass of the encoder (selfattn.h's
 * packs): for each, model_forward (no offset) then model_backward, with the
 * same bits for its loss, probabilities and demb as alone; the encoder's
 * gradients, the pack's sums, go to the first document's dense_grad, the rest
 * to each one's own. */
#define MODEL_PACK_DOCS 64
typedef struct ModelPackDoc {
    const int32_t *ids; /* [n] */
    int n;
    const int32_t *y;   /* [ny] targets */
    int ny;
    float scale;        /* its weight in the batch loss */
    uint64_t mask_seed;
    float *dense_grad;  /* [n_dense], added to */
    float *demb;        /* [n,d], written */
    float loss;         /* out */
    int pred;           /* out: model_argmax of its probabilities */
} ModelPackDoc;
/* The most ids (and documents) of a pack: 0 when m does not pack (no encoder, or
 * a shipped embedding); the same on every processor, so training gives the same
 * bits on every processor. */
int model_pack_max(const Model *m);
/* nd <= MODEL_PACK_DOCS documents whose ids number at most model_pack_max in
 * all, with s reserved for that (docscratch_reserve_pack). */
void model_pack_step(const Model *m, ModelPackDoc *docs, int nd, float dropout, DocScratch *s);

#endif
