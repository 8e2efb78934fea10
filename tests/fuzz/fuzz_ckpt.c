/* fuzz_ckpt.c - ckpt_load over arbitrary file contents. The XXH64 checksum at the
 * end rejects almost every mutation before the section parser sees it, so each
 * input is loaded twice: as it is, then with the size field (offset 16) and the
 * checksum patched to match, which takes the mutated body to the parser. A
 * checkpoint that loads must be usable: its model is sized for its encoder, and
 * encoding and classifying a document (what predict does) stays in bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "fuzz_common.h"
#include "hash.h"

#define FUZZ_CKPT_SIZE_AT 16
#define FUZZ_CKPT_HEADER 32 /* magic, version, flags, size, and the checksum */

static const char fuzz_ckpt_doc[] =
    "The <b>quick</b> brown fox &amp; the lazy dog don't jump: 3.5 U.S. 北京 ok!";

static void fuzz_ckpt_use(const Checkpoint *ck)
{
    const Model *m = &ck->model;
    const Encoder *e = &ck->enc;
    if (m->dims.rows != encoder_rows(e) || m->dims.classes != ck->labels.n || ck->labels.n < 2) abort();
    EncodeBuf b;
    encodebuf_init(&b);
    encoder_encode(e, fuzz_ckpt_doc, sizeof fuzz_ckpt_doc - 1, &b);
    for (int64_t i = 0; i < b.n; i++)
        if (b.ids[i] < 0 || b.ids[i] >= m->dims.rows) abort();
    /* A config with a naive Bayes member must come with its table, sized for the labels. */
    const Bayes *nb = ckpt_bayes(ck);
    if ((ck->cfg.bayes.weight > 0) != (nb != NULL) || (nb && nb->classes != ck->labels.n)) abort();
    float *offset = calloc((size_t)ck->labels.n, sizeof *offset);
    if (!offset) abort();
    if (nb) bayes_logits(nb, b.feat, b.n_feat, offset);
    DocScratch s;
    docscratch_init(&s, &m->dims, (int)(b.n ? b.n : 1));
    model_forward(m, b.ids, (int)b.n, nb ? offset : NULL, 0, 0.0f, 0, &s);
    int best = model_argmax(s.probs, m->dims.classes);
    if (best < 0 || best >= m->dims.classes) abort();
    docscratch_free(&s);
    encodebuf_free(&b);
    free(offset);
}

static void fuzz_ckpt_load(const char *path, int with_adam)
{
    Checkpoint ck;
    Status st;
    int rc = with_adam ? ckpt_load(path, &ck, &st) : ckpt_load_model(path, &ck, &st);
    if (rc != 0) {
        fuzz_check_failed_status(rc, st.code, st.msg);
        return;
    }
    if (ck.has_adam && !with_adam) abort();
    fuzz_ckpt_use(&ck);
    ckpt_free(&ck);
}

static FuzzTmp fuzz_ckpt_tmp;

int fuzz_ckpt_one(const uint8_t *data, size_t size)
{
    fuzz_ckpt_load(fuzz_tmp_write(&fuzz_ckpt_tmp, "ckpt", data, size), 1);
    if (size < FUZZ_CKPT_HEADER) return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed) abort();
    memcpy(fixed, data, size);
    uint64_t n = size;
    memcpy(fixed + FUZZ_CKPT_SIZE_AT, &n, 8);
    uint64_t sum = hash_bytes(fixed, size - 8);
    memcpy(fixed + size - 8, &sum, 8);
    const char *path = fuzz_tmp_write(&fuzz_ckpt_tmp, "ckpt", fixed, size);
    fuzz_ckpt_load(path, 1);
    fuzz_ckpt_load(path, 0);
    free(fixed);
    return 0;
}

#ifdef ATTNCLF_LIBFUZZER
static void fuzz_ckpt_cleanup(void)
{
    fuzz_tmp_remove(&fuzz_ckpt_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_ckpt_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ckpt_one(data, size);
}
#endif
