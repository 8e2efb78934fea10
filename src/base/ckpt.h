/* ckpt.h - self-contained, versioned checkpoints: everything eval and predict
 * need (config, tokenizer settings and stopwords, vocabulary, labels, weights)
 * plus what resuming needs (Adam moments and step, RNG, early-stopping state).
 *
 * Format, little-endian throughout:
 *   "ATTNCLF\x1a"  u32 version  u32 flags  u64 file size
 *   sections, each: u32 tag  u32 0  u64 payload length  payload  zero padding so
 *     the next section starts on a 64-byte boundary (tensors can be mapped as is)
 *     CONF resolved config as JSON       TOKN tokenizer settings and stopwords
 *     VOCB vocabulary words and counts   LABL label names
 *     DIMS model dimensions              TNSR {name, numel, offset} table
 *     STAT training state                TDAT the parameter block
 *     BAYS naive Bayes member (when the config has bayes.weight > 0): u64 n,
 *          feature hashes [n] ascending, prior [C], logp [n,C]
 *     ADMM, ADMV Adam moments (when flags & 1; the step is in STAT)
 *   u64 XXH64 of every byte before it.
 * Files are written to a temporary name, fsynced and renamed, so a crash at any
 * moment leaves either the old file or the complete new one. */
#ifndef ATTNCLF_CKPT_H
#define ATTNCLF_CKPT_H

#include <stdint.h>

#include "bayes.h"
#include "config.h"
#include "encoder.h"
#include "model.h"
#include "optim.h"
#include "status.h"
#include "vocab.h"

/* Version 2 added the context-attention tensors and their two DIMS fields,
 * version 3 the BAYS section; version 1 and 2 files still load. */
#define CKPT_VERSION 3u

typedef struct TrainState {
    int32_t epoch;       /* epochs completed */
    int32_t best_epoch;  /* epoch with the best validation accuracy, 0 if none */
    int32_t bad_epochs;  /* epochs since best_epoch (early stopping) */
    int32_t stopped;     /* 1 once early stopping ended the run */
    uint64_t rng;        /* shuffle RNG state at the start of the current epoch */
    double best_acc;     /* -1 before any validation */
    /* A run interrupted inside an epoch saves how far it got, so resuming
     * replays the same order from the next batch with the same running sums. */
    int64_t batch;       /* batches of epoch+1 already done, 0 at an epoch boundary */
    double part_loss, part_tokens;
    int64_t part_correct;
} TrainState;

/* What ckpt_save writes; borrowed pointers. bayes (needed exactly when
 * cfg->bayes.weight > 0) and adam may be NULL. */
typedef struct CkptView {
    const Config *cfg;
    const Encoder *enc;
    const Vocab *labels;
    const Model *model;
    const Bayes *bayes;
    const Adam *adam;
    const TrainState *state;
} CkptView;

/* A loaded checkpoint; owns everything. has_adam says whether adam is filled;
 * bayes.logp is NULL without a naive Bayes member. */
typedef struct Checkpoint {
    Config cfg;
    Encoder enc;
    Vocab labels;
    Model model;
    Bayes bayes;
    Adam adam;
    int has_adam;
    TrainState state;
} Checkpoint;

int ckpt_save(const char *path, const CkptView *v, Status *st);
/* Verifies magic, version, size, checksum and every section; errors say which
 * ("best.ckpt: truncated (1234 of 5678 bytes)", "best.ckpt: checksum mismatch:
 * the file is damaged", "best.ckpt: format version 9 is newer than this attnclf (1)"). */
int ckpt_load(const char *path, Checkpoint *ck, Status *st);
/* The same without the optimiser state (has_adam = 0): what eval and predict need. */
int ckpt_load_model(const char *path, Checkpoint *ck, Status *st);
void ckpt_free(Checkpoint *ck);
/* The checkpoint's naive Bayes member, or NULL when it has none. */
const Bayes *ckpt_bayes(const Checkpoint *ck);
/* Makes dst an atomic copy of the complete file src (a hard link when the file
 * system allows, else a copy), replacing dst. */
int ckpt_link(const char *src, const char *dst, Status *st);

#endif
