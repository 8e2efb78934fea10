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
    TENSOR_EMB,    /* [rows,d] words, UNK, then hashed n-gram buckets (a shipped model: embed.h) */
    N_TENSORS
};

typedef enum { ATTN_DOT = 0, ATTN_ADDITIVE } AttentionKind;

/* The network's shape as a user chooses it; the data decide rows and classes. */
typedef struct ModelOptions {
    char *pretrained; /* .vec file of initial word vectors (pretrained.h), or NULL */
    int dim;
    int heads;
    AttentionKind attention;
    int positional;
    int context;  /* scores also see the sums of the words left and right (kernels.h) */
    int gate;     /* values gated by the previous word (kernels.h) */
} ModelOptions;

typedef struct ModelDims {
    int64_t rows;  /* embedding rows: vocab + 1 (UNK) + buckets */
    int dim, heads, classes;
    AttentionKind attention;
    int positional;
    int context;  /* scores also see the sums of the words left and right (kernels.h) */
    int gate;     /* values gated by the previous word (kernels.h) */
} ModelDims;

typedef struct ParamTensors {
    float *query, *att_w, *att_b, *att_v, *ctx_q, *gate_w, *gate_b, *out_w, *out_b, *emb;
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
    float *x, *xs, *dx, *u, *da, *pe; /* [cap_t,d] */
    float *v, *g, *dv;                /* [cap_t,d] with the gate only */
    float *L, *R, *dL, *dR;           /* [cap_t,d] with context sums only */
    float *alpha;                     /* [H,cap_t] */
    float *z, *zd, *dz;               /* [H*d] z, z after dropout, dL/dz */
    float *logits, *probs, *dlogits;  /* [C] */
    unsigned char *mask;              /* [H*d] dropout keep mask */
    int32_t *sid, *pos;               /* [cap_t] a shipped model's stored rows and kept positions */
} DocScratch;

ModelDims model_dims(const ModelOptions *o, int64_t rows, int classes);
/* Fills m->tensors and sizes for dims; allocates a zeroed block. */
void model_init(Model *m, const ModelDims *dims);
void model_free(Model *m);
/* Sections MODL: u64 rows; i32 dim, heads, classes, attention, positional,
 * context, gate; u32 tensors, each {u32 length + name, u64 numel, u64 offset};
 * and TDAT: the parameter block. MODL is version 1 for a training model's plain
 * table; version 2 (same bytes) says the emb tensor holds only the rows EMBD
 * and its sections describe (embed_save). */
void model_save(const Model *m, CkptWriter *w);
/* Reads them (format 1-3: DIMS, TNSR, TDAT). With map, the parameters stay in
 * r's mapping (read-only; r must outlive m); otherwise they are copied. */
int model_load(Model *m, const CkptReader *r, int map, Status *st);
/* A shipped model: src's network (its dense tensors copied) with embedding e,
 * which dst takes over (e is left empty), and e->rows rows. For EMBED_F32, rows
 * [stored,d] are the stored rows' values, copied into dst's block. */
void model_ship(Model *dst, const Model *src, Embed *e, const float *rows);
/* The network of an exported model: src's (a training model) with only the rows
 * training touched, those whose values are not their initial ones under seed
 * (model_randomize), stored as floats (codec EMBED_F32: src's predictions bit for
 * bit) or per-row int8 (EMBED_I8); the others are rebuilt from seed when a
 * document asks for them (EMBED_MISSING_INIT). A row set from pretrained
 * vectors differs from its initial value, so it is stored too. */
int model_export(Model *dst, const Model *src, uint64_t seed, EmbedCodec codec, Status *st);
/* Initial values from seed: embeddings U(-1/sqrt(d), 1/sqrt(d)) except the UNK
 * row (0: unseen words add nothing until trained); queries 0 so attention starts
 * as mean pooling; additive W Xavier-uniform, v and biases 0; context queries and
 * the gate 0, so a context model starts as the plain one (same draws); classifier
 * Xavier-uniform, bias 0. */
void model_randomize(Model *m, int64_t unk_row, uint64_t seed);

void docscratch_init(DocScratch *s, const ModelDims *dims, int cap_t);
void docscratch_free(DocScratch *s);
/* Grows the scratch to hold T tokens (outside the training step only). */
void docscratch_reserve(DocScratch *s, const ModelDims *dims, int T);

/* Targets travel as a label set y [ny]; the softmax output layer reads its
 * first label (single-label corpora), and ny = 0 means none (no loss). */

/* Forward pass of one document: fills s->alpha [H,T], s->z, s->logits, s->probs
 * and returns the loss for the targets (0 when ny == 0). offset [C] (NULL for
 * none) is added to the logits: another member's scores (bayes.h). With
 * dropout > 0 (training) z is masked with a keep mask drawn from mask_seed.
 * A shipped model's skipped tokens (EMBED_MISSING_SKIP) take no part and get
 * weight 0 in s->alpha. */
float model_forward(const Model *m, const int32_t *ids, int T, const float *offset, const int32_t *y, int ny,
                    float dropout, uint64_t mask_seed, DocScratch *s);
/* Backward of the last model_forward on s, for a training model (embed_is_plain):
 * accumulates scale * dL/dparams into dense_grad [n_dense] (the dense prefix
 * layout) and writes dL/demb for each token into demb [T,d] (overwritten, not
 * accumulated: one row per token position). */
void model_backward(const Model *m, int T, const int32_t *y, int ny, float dropout,
                    float scale, DocScratch *s, float *dense_grad, float *demb);
/* Index of the largest of probs [C]; ties go to the lower index. */
int model_argmax(const float *probs, int C);

#endif
