/* model.c - see model.h. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blockio.h"
#include "kernels.h"
#include "mem.h"
#include "rng.h"

/* The encoder's tensors between out_b and emb are named by selfattn_tensor_name. */
static const char *const model_tensor_names[N_TENSORS] = {
    "query", "att_w", "att_b", "att_v", "ctx_q", "gate_w", "gate_b", "out_w", "out_b", [TENSOR_EMB] = "emb",
};

ModelDims model_dims(const ModelOptions *o, int64_t rows, int64_t dense_rows, int classes)
{
    return (ModelDims){.rows = rows, .dense_rows = dense_rows, .dim = o->dim, .heads = o->heads, .classes = classes,
                       .attention = o->attention, .positional = o->enc.kind ? 0 : o->positional,
                       .context = o->context, .gate = o->gate, .loss = o->loss,
                       .enc = selfattn_dims(&o->enc, o->positional)};
}

/* Named views of any block laid out like the model's (params, gradients). */
static void model_views(const Model *m, float *block, ParamTensors *out)
{
    float **views[N_TENSORS] = {&out->query, &out->att_w, &out->att_b, &out->att_v, &out->ctx_q,
                                &out->gate_w, &out->gate_b, &out->out_w, &out->out_b, [TENSOR_EMB] = &out->emb};
    for (int k = 0; k < SELFATTN_N_TENSORS; k++) views[TENSOR_ENC + k] = &out->enc[k];
    for (int i = 0; i < N_TENSORS; i++)
        *views[i] = m->tensors[i].numel ? block + m->tensors[i].offset : NULL;
}

/* Sizes and offsets of every tensor for dims, the emb tensor holding emb_rows
 * rows; no memory. */
static void model_layout(Model *m, const ModelDims *dims, int64_t emb_rows)
{
    memset(m, 0, sizeof *m);
    m->dims = *dims;
    m->emb_rows = emb_rows;
    int64_t d = dims->dim, H = dims->heads, C = dims->classes;
    int dot = dims->attention == ATTN_DOT;
    int64_t numel[N_TENSORS] = {
        [TENSOR_QUERY] = dot ? H * d : 0,
        [TENSOR_ATT_W] = dot ? 0 : d * d,
        [TENSOR_ATT_B] = dot ? 0 : d,
        [TENSOR_ATT_V] = dot ? 0 : H * d,
        [TENSOR_CTX_Q] = dims->context ? 2 * H * d : 0,
        [TENSOR_GATE_W] = dims->gate ? d * d : 0,
        [TENSOR_GATE_B] = dims->gate ? d : 0,
        [TENSOR_OUT_W] = C * H * d,
        [TENSOR_OUT_B] = C,
        [TENSOR_EMB] = emb_rows * d,
    };
    for (int k = 0; k < SELFATTN_N_TENSORS; k++) numel[TENSOR_ENC + k] = selfattn_tensor_numel(&dims->enc, (int)d, k);
    int64_t off = 0;
    for (int i = 0; i < N_TENSORS; i++) {
        const int enc = i >= TENSOR_ENC && i < TENSOR_EMB;
        m->tensors[i].name = enc ? selfattn_tensor_name(i - TENSOR_ENC) : model_tensor_names[i];
        m->tensors[i].numel = numel[i];
        m->tensors[i].offset = off;
        if (i == TENSOR_EMB) m->n_dense = off;
        off += numel[i];
    }
    m->n_params = off;
}

void model_init(Model *m, const ModelDims *dims)
{
    model_layout(m, dims, dims->rows);
    m->params = xaligned_calloc((size_t)m->n_params * sizeof(float));
    m->owns_params = 1;
    model_views(m, m->params, &m->p);
    embed_init_plain(&m->emb, m->p.emb, dims->rows, dims->dim);
}

void model_free(Model *m)
{
    if (m->owns_params) free(m->params);
    embed_free(&m->emb);
    memset(m, 0, sizeof *m);
}

void model_ship(Model *dst, const Model *src, Embed *e, const float *rows, int64_t dense_rows)
{
    const int64_t emb_rows = e->codec == EMBED_F32 ? embed_stored(e) : 0;
    ModelDims D = src->dims;
    D.rows = e->rows;
    D.dense_rows = dense_rows;
    model_layout(dst, &D, emb_rows);
    dst->params = xaligned_calloc((size_t)(dst->n_params ? dst->n_params : 1) * sizeof(float));
    dst->owns_params = 1;
    memcpy(dst->params, src->params, (size_t)dst->n_dense * sizeof(float));
    model_views(dst, dst->params, &dst->p);
    if (emb_rows) memcpy(dst->p.emb, rows, (size_t)(emb_rows * src->dims.dim) * sizeof(float));
    dst->emb = *e;
    embed_set_f32(&dst->emb, dst->p.emb);
    memset(e, 0, sizeof *e);
}

int model_export(Model *dst, const Model *src, uint64_t seed, EmbedCodec codec, Status *st)
{
    if (!embed_is_plain(&src->emb)) return status_error(st, "the model is exported or quantized already");
    if (codec != EMBED_F32 && codec != EMBED_I8 && codec != EMBED_I8D)
        return status_error(st, "export: rows are floats, int8 or int8 differences");
    const int64_t R = src->dims.rows;
    const int d = src->dims.dim;
    Embed e;
    embed_init_plain(&e, NULL, R, d);
    rowmap_init(&e.map, R);
    e.mapped = 1;
    e.missing = EMBED_MISSING_INIT;
    e.seed = seed;
    e.random_rows = src->dims.dense_rows - 1;
    for (int64_t r = 0; r < R; r++)
        if (!embed_row_is_initial(src->p.emb + r * d, r, d, seed, e.random_rows)) rowmap_set(&e.map, r);
    rowmap_finish(&e.map);
    const int64_t n = e.map.stored;
    /* Int8 moves are taken from the table where it is; the other codecs from the stored rows in a row. */
    float *rows = NULL;
    if (codec != EMBED_I8D) {
        rows = xmalloc((size_t)(n ? n : 1) * (size_t)d * sizeof *rows);
        for (int64_t r = 0, k = 0; r < R; r++)
            if (rowmap_has(&e.map, r)) memcpy(rows + (k++) * d, src->p.emb + r * d, (size_t)d * sizeof *rows);
    }
    int rc = 0;
    if (codec == EMBED_I8) {
        rc = quant_i8_build(&e.i8, rows, n, d, st);
        if (rc == 0) e.codec = EMBED_I8;
    } else if (codec == EMBED_I8D) {
        rc = embed_build_i8d(&e, src->p.emb, st);
    }
    if (rc == 0) model_ship(dst, src, &e, rows, src->dims.dense_rows);
    else embed_free(&e);
    free(rows);
    return rc;
}

void model_save(const Model *m, CkptWriter *w)
{
    const ModelDims *D = &m->dims;
    CkptBuf *b = ckpt_section(w, "MODL", embed_is_plain(&m->emb) ? 3 : 4);
    ckpt_put_u64(b, (uint64_t)D->rows);
    ckpt_put_u64(b, (uint64_t)D->dense_rows);
    int32_t dims[8] = {D->dim, D->heads, D->classes, (int32_t)D->attention, D->positional, D->context, D->gate,
                       (int32_t)D->loss};
    ckpt_put(b, dims, sizeof dims);
    selfattn_put_dims(b, &D->enc);
    ckpt_put_u32(b, N_TENSORS);
    for (int i = 0; i < N_TENSORS; i++) {
        const TensorInfo *t = &m->tensors[i];
        ckpt_put_str(b, t->name, strlen(t->name));
        ckpt_put_u64(b, (uint64_t)t->numel);
        ckpt_put_u64(b, (uint64_t)t->offset);
    }
    if (embed_is_plain(&m->emb)) {
        blockio_save(m, m->params, w, "TDAT");
        return;
    }
    ckpt_section(w, "TDAT", 1);
    ckpt_section_ref(w, m->params, (uint64_t)m->n_params * sizeof(float));
    embed_save(&m->emb, w);
}

/* Reads rows (and with_dense, dense_rows), the n_dims int32 fields that follow
 * and with_enc the encoder's; every value in range. */
static int model_read_dims(CkptCursor *c, int with_dense, int n_dims, int with_enc, ModelDims *D)
{
    int32_t v[8] = {0};
    D->rows = (int64_t)ckpt_u64(c);
    D->dense_rows = with_dense ? (int64_t)ckpt_u64(c) : D->rows;
    ckpt_copy(c, v, (size_t)n_dims * sizeof *v);
    *D = (ModelDims){.rows = D->rows, .dense_rows = D->dense_rows, .dim = v[0], .heads = v[1], .classes = v[2], .attention = (AttentionKind)v[3],
                     .positional = v[4], .context = v[5], .gate = v[6], .loss = (LossKind)v[7]};
    int flags_ok = (unsigned)D->positional <= 1 && (unsigned)D->context <= 1 && (unsigned)D->gate <= 1 &&
                   (D->loss == LOSS_SOFTMAX || D->loss == LOSS_OVA);
    if (c->bad || D->rows < 1 || D->rows >= INT32_MAX || D->dense_rows < 1 || D->dense_rows > D->rows || D->dim < 1 || D->dim > 4096 || D->heads < 1 ||
        D->heads > 64 || D->classes < 2 || (D->attention != ATTN_DOT && D->attention != ATTN_ADDITIVE) || !flags_ok ||
        ((D->context || D->gate) && D->attention != ATTN_DOT))
        return -1;
    if (with_enc && (selfattn_get_dims(c, &D->enc, D->dim, D->heads) || (D->enc.layers && D->positional)))
        return -1;
    return 0;
}

static int model_tensor_index(const Model *m, const unsigned char *name, uint32_t len)
{
    for (int i = 0; i < N_TENSORS; i++)
        if (len == strlen(m->tensors[i].name) && memcmp(name, m->tensors[i].name, len) == 0) return i;
    return N_TENSORS;
}

/* The stored tensor table, matched by name: every stored tensor must be the
 * model's, at the same size and offset, and every tensor the model uses must be
 * stored (a version 1 file lacks the context tensors, which plain models leave empty). */
static int model_read_tensors(CkptCursor *c, const Model *m)
{
    uint32_t n = ckpt_u32(c);
    int found[N_TENSORS] = {0};
    for (uint32_t k = 0; k < n && !c->bad; k++) {
        uint32_t len = ckpt_u32(c);
        const unsigned char *name = ckpt_take(c, len);
        uint64_t numel = ckpt_u64(c), offset = ckpt_u64(c);
        int i = name ? model_tensor_index(m, name, len) : N_TENSORS;
        if (i == N_TENSORS || found[i]++ || numel != (uint64_t)m->tensors[i].numel ||
            offset != (uint64_t)m->tensors[i].offset)
            return -1;
    }
    for (int i = 0; i < N_TENSORS; i++)
        if (!found[i] && m->tensors[i].numel) return -1;
    return ckpt_done(c) ? 0 : -1;
}

/* The dims and tensor table: MODL (8 fields from section version 3, which adds
 * the loss; version 4, a shipped model, has version 3's fields and the
 * embedding's own sections say how many rows the emb tensor holds: e), or in
 * format 1-3 DIMS (5 fields in version 1, 7 from version 2) and TNSR. */
static int model_read_shape(Model *m, Embed *e, const CkptReader *r, Status *st)
{
    CkptSection sec;
    ModelDims D;
    int legacy = r->version < 4;
    if (!ckpt_find(r, legacy ? "DIMS" : "MODL", &sec)) return ckpt_damaged(r, st, "no %s section", legacy ? "DIMS" : "MODL");
    CkptCursor c = ckpt_cursor(&sec);
    const int n_dims = legacy ? (r->version < 2 ? 5 : 7) : sec.version >= 3 ? 8 : 7;
    if ((!legacy && (sec.version < 1 || sec.version > 4)) ||
        model_read_dims(&c, !legacy && sec.version >= 2, n_dims, !legacy && sec.version >= 3, &D) ||
        (legacy && !ckpt_done(&c)))
        return ckpt_damaged(r, st, "bad model dimensions");
    int shipped = !legacy && sec.version == 4;
    if (shipped && embed_load(e, r, D.rows, D.dim, st)) return -1;
    if (!shipped) embed_init_plain(e, NULL, D.rows, D.dim);
    model_layout(m, &D, e->codec == EMBED_F32 ? embed_stored(e) : 0);
    int rc = legacy && !ckpt_find(r, "TNSR", &sec) ? ckpt_damaged(r, st, "no TNSR section") : 0;
    if (rc == 0 && legacy) c = ckpt_cursor(&sec);
    if (rc == 0 && model_read_tensors(&c, m)) rc = ckpt_damaged(r, st, "the tensor table does not match the model");
    if (rc) embed_free(e);
    return rc;
}

int model_load(Model *m, const CkptReader *r, int map, Status *st)
{
    Embed e;
    if (model_read_shape(m, &e, r, st)) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    m->emb = e;
    /* A shipped model's block is whole (its emb tensor is not the rows blockio
     * lists); a training block of touched rows is spread into a fresh one. */
    CkptSection sec;
    if (!embed_is_plain(&m->emb) && (!ckpt_find(r, "TDAT", &sec) || sec.version != 1)) {
        model_free(m);
        return ckpt_damaged(r, st, "a shipped model's TDAT must hold the whole block (section version 1)");
    }
    /* A whole block can stay where the mapping has it (inference never writes weights). */
    const float *mapped = map ? blockio_mapped(m, r, "TDAT") : NULL;
    if (mapped) {
        m->params = (float *)(uintptr_t)mapped;
    } else {
        m->params = xaligned_calloc((size_t)(m->n_params ? m->n_params : 1) * sizeof(float));
        m->owns_params = 1;
        if (blockio_load(m, m->params, r, "TDAT", st)) {
            model_free(m);
            return -1;
        }
    }
    model_views(m, m->params, &m->p);
    embed_set_f32(&m->emb, m->p.emb);
    return 0;
}


/* Draw i of r's stream goes to w[i]: the embedding table's millions of draws
 * are made on every core, each slice from where the stream is at its start. */
static void model_fill_uniform(float *w, int64_t n, float a, Rng *r)
{
    const int64_t slice = (int64_t)1 << 16;
#pragma omp parallel for schedule(static)
    for (int64_t lo = 0; lo < n; lo += slice) {
        Rng s = *r;
        rng_skip(&s, (uint64_t)lo);
        const int64_t hi = n - lo < slice ? n : lo + slice;
        for (int64_t i = lo; i < hi; i++) w[i] = embed_uniform(&s, a);
    }
    rng_skip(r, (uint64_t)n);
}

void model_randomize(Model *m, int64_t unk_row, uint64_t seed)
{
    const ModelDims *D = &m->dims;
    Rng r;
    rng_seed(&r, seed);
    /* Words start random; UNK and the hashed n-gram rows after it start at 0, so
     * that what training never saw adds nothing, and a model needs to store only
     * the n-gram rows training touched. Only the tensors before the table and its
     * rows from UNK on need zeroing: the words are all drawn. */
    const int64_t words = unk_row >= 0 && unk_row < D->rows ? unk_row : D->rows;
    memset(m->params, 0, (size_t)m->tensors[TENSOR_EMB].offset * sizeof(float));
    memset(m->p.emb + words * D->dim, 0, (size_t)((D->rows - words) * D->dim) * sizeof(float));
    model_fill_uniform(m->p.emb, words * D->dim, 1.0f / sqrtf((float)D->dim), &r);
    int64_t K = (int64_t)D->heads * D->dim;
    model_fill_uniform(m->p.out_w, D->classes * K, sqrtf(6.0f / (float)(K + D->classes)), &r);
    if (D->attention == ATTN_ADDITIVE)
        model_fill_uniform(m->p.att_w, (int64_t)D->dim * D->dim, sqrtf(3.0f / (float)D->dim), &r);
    selfattn_randomize(m->p.enc, &D->enc, D->dim, seed);
}

void docscratch_init(DocScratch *s, const ModelDims *dims, int cap_t)
{
    memset(s, 0, sizeof *s);
    size_t K = (size_t)dims->heads * dims->dim, C = (size_t)dims->classes;
    s->z = xaligned_calloc(K * sizeof(float));
    s->zd = xaligned_calloc(K * sizeof(float));
    s->dz = xaligned_calloc(K * sizeof(float));
    s->mask = xcalloc(K, 1);
    s->logits = xaligned_calloc(C * sizeof(float));
    s->probs = xaligned_calloc(C * sizeof(float));
    s->dlogits = xaligned_calloc(C * sizeof(float));
    docscratch_reserve(s, dims, cap_t);
}

void docscratch_free(DocScratch *s)
{
    float *bufs[] = {s->x, s->xs, s->dx, s->u, s->da, s->pe, s->v, s->g, s->dv, s->L, s->R, s->dL, s->dR,
                     s->alpha, s->z, s->zd, s->dz, s->logits, s->probs, s->dlogits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) free(bufs[i]);
    free(s->mask);
    free(s->pack_x);
    free(s->pack_dx);
    selfattn_scratch_free(&s->enc);
    free(s->sid);
    free(s->kid);
    free(s->pos);
    memset(s, 0, sizeof *s);
}

void docscratch_reserve(DocScratch *s, const ModelDims *dims, int T)
{
    if (T <= s->cap_t && s->x) return;
    int cap = s->cap_t > 16 ? s->cap_t : 16;
    while (cap < T) cap *= 2;
    size_t td = (size_t)cap * dims->dim * sizeof(float);
    float **bufs[] = {&s->x, &s->xs, &s->dx, &s->u, &s->da};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
        free(*bufs[i]);
        *bufs[i] = xaligned_calloc(td);
    }
    free(s->alpha);
    s->alpha = xaligned_calloc((size_t)cap * dims->heads * sizeof(float));
    int32_t **gather[] = {&s->sid, &s->kid, &s->pos};
    for (size_t i = 0; i < sizeof gather / sizeof *gather; i++) {
        free(*gather[i]);
        *gather[i] = xcalloc((size_t)cap, sizeof **gather[i]);
    }
    float **ctx[] = {&s->v, &s->g, &s->dv, &s->L, &s->R, &s->dL, &s->dR};
    for (size_t i = 0; i < sizeof ctx / sizeof *ctx; i++) {
        free(*ctx[i]);
        *ctx[i] = (i < 3 ? dims->gate : dims->context) ? xaligned_calloc(td) : NULL;
    }
    free(s->pe);
    s->pe = NULL;
    if (dims->positional) {
        s->pe = xaligned_calloc(td);
        kernel_posenc(s->pe, cap, dims->dim);
    }
    s->cap_t = cap;
    selfattn_scratch_reserve(&s->enc, &dims->enc, dims->dim, dims->heads, cap);
}

void docscratch_reserve_pack(DocScratch *s, const ModelDims *dims, int n)
{
    docscratch_reserve(s, dims, n);
    free(s->pack_x);
    free(s->pack_dx);
    s->pack_x = xaligned_calloc((size_t)n * dims->dim * sizeof(float));
    s->pack_dx = xaligned_calloc((size_t)n * dims->dim * sizeof(float));
}

/* alpha [H,n] of the n positions a shipped model kept, at positions pos [n], becomes
 * alpha [H,T] with zeros for the skipped ones, in place: from the last entry
 * down, no entry is written before it has been read (h*n + j <= h*T + pos[j]). */
static void model_expand_alpha(float *alpha, const int32_t *pos, int n, int T, int H)
{
    for (int h = H - 1; h >= 0; h--)
        for (int t = T - 1, j = n - 1; t >= 0; t--) {
            if (j >= 0 && pos[j] == t) alpha[(size_t)h * T + t] = alpha[(size_t)h * n + j--];
            else alpha[(size_t)h * T + t] = 0.0f;
        }
}

/* model_forward after the gather and the encoder: from s->x [T,d] (T of s->T
 * positions present) to the loss. */
static float model_head_forward(const Model *m, int T, const float *offset, const int32_t *y, int ny,
                                float dropout, uint64_t mask_seed, DocScratch *s)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads, K = H * d, P = s->T;
    const float *xs = s->x;
    if (D->positional) {
        for (size_t i = 0; i < (size_t)T * d; i++) s->xs[i] = s->x[i] + s->pe[i];
        xs = s->xs;
    }
    if (D->context || D->gate) {
        const float *v = s->x;
        if (D->gate) {
            kernel_gate_forward(s->v, s->g, s->x, m->p.gate_w, m->p.gate_b, T, d);
            v = s->v;
        }
        if (D->context) kernel_context_sums(s->L, s->R, s->x, T, d);
        kernel_ctx_attn_forward(s->alpha, s->z, v, xs, D->context ? s->L : NULL, D->context ? s->R : NULL,
                                m->p.query, m->p.ctx_q, T, d, H);
    } else if (D->attention == ATTN_DOT)
        kernel_dot_attn_forward(s->alpha, s->z, s->x, xs, m->p.query, T, d, H);
    else
        kernel_add_attn_forward(s->alpha, s->z, s->u, s->x, xs, m->p.att_w, m->p.att_b, m->p.att_v, T, d, H);
    const float *zin = s->z;
    if (dropout > 0.0f) {
        /* Inverted dropout: kept units are scaled by 1/(1-p) so inference needs no change. */
        Rng r;
        rng_seed(&r, mask_seed);
        float keep = 1.0f / (1.0f - dropout);
        for (int i = 0; i < K; i++) {
            s->mask[i] = rng_uniform(&r) >= dropout;
            s->zd[i] = s->mask[i] ? s->z[i] * keep : 0.0f;
        }
        zin = s->zd;
    }
    if (T < P) model_expand_alpha(s->alpha, s->pos, T, P, H);
    kernel_linear_forward(s->logits, zin, m->p.out_w, m->p.out_b, D->classes, K);
    if (offset)
        for (int c = 0; c < D->classes; c++) s->logits[c] += offset[c];
    return loss_forward(D->loss, s->probs, s->logits, y, ny, s->class_w, D->classes);
}

float model_forward(const Model *m, const int32_t *ids, int n, const float *offset, const int32_t *y, int ny,
                    float dropout, uint64_t mask_seed, DocScratch *s)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads;
    int T, P, nk = n;
    const int32_t *kept = ids;
    if (embed_is_plain(&m->emb)) {
        T = P = kernel_gather_bags(s->x, m->p.emb, ids, n, d);
    } else {
        T = embed_gather(&m->emb, s->x, s->kid, &nk, s->pos, &P, s->sid, ids, n);
        kept = s->kid;
    }
    s->T = P;
    if (D->enc.layers) {
        selfattn_forward(s->x, &s->enc, kept, nk, T, m->p.enc, &D->enc, d, H, D->dense_rows, mask_seed);
        /* The encoder's tokens by their places in the whole document (explain's rollout). */
        if (T < P)
            for (int j = 0; j < s->enc.T; j++) s->enc.tok[j] = s->pos[s->enc.tok[j]];
    }
    return model_head_forward(m, T, offset, y, ny, dropout, mask_seed, s);
}

/* Backward of context attention into demb [T,d]: through the pooling and scores,
 * then the gate (v -> x) and the context sums (L, R -> x). */
static void model_ctx_backward(const Model *m, int T, DocScratch *s, const ParamTensors *g, float *demb)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads;
    const size_t td = (size_t)T * d * sizeof(float);
    const float *xs = D->positional ? s->xs : s->x, *v = D->gate ? s->v : s->x;
    /* Without the gate v = x, so dL/dv is dL/dx. */
    float *dv = D->gate ? s->dv : demb;
    if (D->gate) memset(s->dv, 0, td);
    if (D->context) {
        memset(s->dL, 0, td);
        memset(s->dR, 0, td);
    }
    kernel_ctx_attn_backward(dv, demb, D->context ? s->dL : NULL, D->context ? s->dR : NULL, g->query, g->ctx_q,
                             s->dz, s->z, s->alpha, v, xs, D->context ? s->L : NULL, D->context ? s->R : NULL,
                             m->p.query, m->p.ctx_q, T, d, H);
    if (D->gate) kernel_gate_backward(demb, g->gate_w, g->gate_b, s->dv, s->g, s->x, m->p.gate_w, T, d);
    if (D->context) kernel_context_sums_backward(demb, s->dL, s->dR, T, d);
}

/* model_backward down to dL/dx' (the encoder's outputs, or the gathered rows
 * without one): dx [T,d] (overwritten), dense_grad += the head's gradients. */
static void model_head_backward(const Model *m, const int32_t *y, int ny, float dropout, float scale,
                                DocScratch *s, float *dense_grad, float *dx)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads, K = H * d, T = s->T;
    ParamTensors g;
    /* dense_grad holds only the dense prefix, whose offsets match the block's. */
    model_views(m, dense_grad, &g);
    loss_backward(D->loss, s->dlogits, s->probs, y, ny, s->class_w, D->classes, scale);
    memset(s->dz, 0, (size_t)K * sizeof(float));
    const float *zin = dropout > 0.0f ? s->zd : s->z;
    kernel_linear_backward(s->dz, g.out_w, g.out_b, s->dlogits, zin, m->p.out_w, D->classes, K);
    if (dropout > 0.0f) {
        float keep = 1.0f / (1.0f - dropout);
        for (int i = 0; i < K; i++) s->dz[i] = s->mask[i] ? s->dz[i] * keep : 0.0f;
    }
    memset(dx, 0, (size_t)T * d * sizeof(float));
    const float *xs = D->positional ? s->xs : s->x;
    if (D->context || D->gate)
        model_ctx_backward(m, T, s, &g, dx);
    else if (D->attention == ATTN_DOT)
        kernel_dot_attn_backward(dx, dx, g.query, s->dz, s->z, s->alpha, s->x, xs, m->p.query, T, d, H);
    else
        kernel_add_attn_backward(dx, dx, g.att_w, g.att_b, g.att_v, s->da, s->dz, s->z, s->alpha,
                                 s->u, s->x, xs, m->p.att_w, m->p.att_v, T, d, H);
}

void model_backward(const Model *m, const int32_t *ids, int n, const int32_t *y, int ny, float dropout,
                    float scale, DocScratch *s, float *dense_grad, float *demb)
{
    const ModelDims *D = &m->dims;
    /* One row per position: the gradient goes straight to demb; bags take it
     * through s->dx and share it among their rows. */
    float *dx = s->T == n ? demb : s->dx;
    model_head_backward(m, y, ny, dropout, scale, s, dense_grad, dx);
    if (D->enc.layers) {
        ParamTensors g;
        model_views(m, dense_grad, &g);
        selfattn_backward(dx, g.enc, &s->enc, m->p.enc, &D->enc, D->dim, D->heads);
    }
    if (dx != demb) kernel_scatter_bags(demb, dx, ids, n, D->dim);
}

int model_pack_max(const Model *m)
{
    const ModelDims *D = &m->dims;
    if (!D->enc.layers || !embed_is_plain(&m->emb)) return 0;
    return SAK_PACK_MAX < MODEL_PACK_DOCS ? SAK_PACK_MAX : MODEL_PACK_DOCS;
}

void model_pack_step(const Model *m, ModelPackDoc *docs, int nd, float dropout, DocScratch *s)
{
    const ModelDims *D = &m->dims;
    const int d = D->dim, H = D->heads;
    SelfAttnDoc ed[MODEL_PACK_DOCS];
    float *dx[MODEL_PACK_DOCS];
    if (nd < 1 || nd > MODEL_PACK_DOCS) abort(); /* step.c never packs more: a bug, not an input */
    size_t used = 0;
    for (int b = 0; b < nd; b++) {
        float *x = s->pack_x + used * d;
        const int T = kernel_gather_bags(x, m->p.emb, docs[b].ids, docs[b].n, d);
        ed[b] = (SelfAttnDoc){.x = x, .ids = docs[b].ids, .n = docs[b].n, .T = T, .seed = docs[b].mask_seed};
        dx[b] = s->pack_dx + used * d;
        used += (size_t)T;
    }
    selfattn_forward_pack(&s->enc, ed, nd, m->p.enc, &D->enc, d, H, D->dense_rows);
    for (int b = 0; b < nd; b++) {
        ModelPackDoc *doc = &docs[b];
        const int T = s->T = ed[b].T;
        memcpy(s->x, ed[b].x, (size_t)T * d * sizeof *s->x);
        doc->loss = model_head_forward(m, T, NULL, doc->y, doc->ny, dropout, doc->mask_seed, s);
        doc->pred = model_argmax(s->probs, D->classes);
        model_head_backward(m, doc->y, doc->ny, dropout, doc->scale, s, doc->dense_grad, dx[b]);
    }
    ParamTensors g;
    model_views(m, docs[0].dense_grad, &g);
    selfattn_backward_pack(dx, g.enc, &s->enc, m->p.enc, &D->enc, d, H);
    for (int b = 0; b < nd; b++) {
        if (ed[b].T == docs[b].n) memcpy(docs[b].demb, dx[b], (size_t)docs[b].n * d * sizeof *dx[b]);
        else kernel_scatter_bags(docs[b].demb, dx[b], docs[b].ids, docs[b].n, d);
    }
}

int model_argmax(const float *probs, int C)
{
    int best = 0;
    for (int c = 1; c < C; c++)
        if (probs[c] > probs[best]) best = c;
    return best;
}
